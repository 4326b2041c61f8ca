import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateNamedVips, type NamedVipAllocation } from "../../../functions/l4lb/named-vip-allocation.ts";
import { NamedVipAllocator } from "../../../functions/l4lb/named-vip-allocator.ts";
import { namedVipsOf } from "../../../functions/l4lb/index.ts";
import { sortDiagnostics } from "../../../functions/keyed/diagnostic-objects.ts";
import type { PreviousNamedVip } from "../../../lib/desired/previous-l4lb.ts";
import type { IpFamily } from "../../../lib/net/ip-literal.ts";
import { L4lbConfig } from "../../../lib/snapshot/config.ts";

// A range of eight addresses per family: names collide on their homes and run out.
const config = (grace: number) =>
  L4lbConfig.parse({ ipv4Range: { min: "11.0.0.0", max: "11.0.0.7" }, ipv6Range: { min: "fd01:c::", max: "fd01:c::7" }, namedVipGraceSeconds: grace });
const NAMES = ["a.m", "b.m", "c.m", "d.m", "e.m", "f.m", "g.m", "h.m", "i.m", "j.m"];
const IPS = ["11.0.0.1", "11.0.0.3", "11.0.0.9", "fd01:c::2", "fd01:c::5"];

/** Which names have backends of which family, and which IP VIPs exist. */
class World {
  readonly names: Record<IpFamily, Set<string>> = { 4: new Set(), 6: new Set() };
  readonly ips = new Set<string>();
  hasBackends = (name: string, family: IpFamily) => this.names[family].has(name);
  isIpVipAddress = (ip: string) => this.ips.has(ip);
  ipVipAddresses = () => this.ips.values();
  namesWithBackends = (family: IpFamily) => new Set(this.names[family]);
}

type Step = { kind: "name"; name: string; family: IpFamily } | { kind: "ip"; ip: string } | { kind: "time"; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("name" as const), name: fc.constantFrom(...NAMES), family: fc.constantFrom(4 as const, 6 as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("ip" as const), ip: fc.constantFrom(...IPS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("time" as const), seconds: fc.constantFrom(0, 30, 600, 3000) }) },
);

const previousEntry: fc.Arbitrary<PreviousNamedVip> = fc.record(
  {
    name: fc.constantFrom(...NAMES),
    ip: fc.constantFrom("11.0.0.0", "11.0.0.2", "11.0.0.5", "11.0.0.200", "fd01:c::1", "fd01:c::9"),
    lastSeen: fc.constantFrom("2026-01-01T00:00:00Z", "2025-12-31T23:40:00Z"),
  },
  { requiredKeys: ["name", "ip"] },
);

function full(world: World, previous: readonly PreviousNamedVip[], now: string, grace: number): NamedVipAllocation {
  return allocateNamedVips({ names: { 4: world.namesWithBackends(4), 6: world.namesWithBackends(6) }, ipVips: world.ips, previous, now, config: config(grace) });
}

function entriesOf(allocator: NamedVipAllocator): PreviousNamedVip[] {
  return NAMES.flatMap((name) => allocator.entries(name));
}

describe("NamedVipAllocator", () => {
  it("after every step equals the whole allocation of the same names whose previous is the state before", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1200),
        fc.array(previousEntry, { maxLength: 6 }),
        fc.array(fc.tuple(fc.constantFrom(...NAMES), fc.constantFrom(4 as const, 6 as const)), { maxLength: 8 }),
        fc.array(step, { minLength: 1, maxLength: 30 }),
        (grace, previous, initialNames, steps) => {
          const world = new World();
          for (const [name, family] of initialNames) world.names[family].add(name);
          let now = Date.parse("2026-01-01T00:10:00Z");
          const iso = () => new Date(now).toISOString();
          const first = full(world, previous, iso(), grace);
          const allocator = new NamedVipAllocator(config(grace), first, world);
          let expected = namedVipsOf(first);
          expect(entriesOf(allocator)).toEqual(expected);
          for (const s of steps) {
            const touchedNames: string[] = [];
            const touchedIps: string[] = [];
            if (s.kind === "name") {
              const set = world.names[s.family];
              if (set.has(s.name)) set.delete(s.name);
              else set.add(s.name);
              touchedNames.push(s.name);
            } else if (s.kind === "ip") {
              if (world.ips.has(s.ip)) world.ips.delete(s.ip);
              else world.ips.add(s.ip);
              touchedIps.push(s.ip);
            } else now += s.seconds * 1000;
            const whole = full(world, expected, iso(), grace);
            const result = allocator.step(iso(), touchedNames, touchedIps);
            const next = namedVipsOf(whole);
            expect(entriesOf(allocator)).toEqual(next);
            // Every name whose entries changed is reported as changed.
            for (const name of NAMES) {
              const before = JSON.stringify(expected.filter((e) => e.name === name));
              const after = JSON.stringify(next.filter((e) => e.name === name));
              if (before !== after) expect(result.changed.has(name), name).toBe(true);
            }
            // The diagnostics of the step are the whole allocation's, name by name.
            const reported = sortDiagnostics([...result.diagnostics.values()].flat());
            expect(reported).toEqual(sortDiagnostics([...whole.diagnostics]));
            expected = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps a name's address through its grace period and gives it back when it returns", () => {
    const world = new World();
    world.names[4].add("a.m");
    const start = "2026-01-01T00:00:00Z";
    const allocator = new NamedVipAllocator(config(600), full(world, [], start, 600), world);
    const ip = allocator.address("a.m", 4)!;
    world.names[4].delete("a.m");
    allocator.step(start, ["a.m"], []);
    expect(allocator.entries("a.m")).toEqual([{ name: "a.m", ip, lastSeen: start }]);
    world.names[4].add("b.m");
    allocator.step("2026-01-01T00:05:00Z", ["b.m"], []);
    expect(allocator.address("b.m", 4)).not.toBe(ip);
    world.names[4].add("a.m");
    expect(allocator.step("2026-01-01T00:09:00Z", ["a.m"], []).moved.has("a.m")).toBe(true);
    expect(allocator.address("a.m", 4)).toBe(ip);
  });
});
