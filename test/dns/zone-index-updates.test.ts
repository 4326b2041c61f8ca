import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DnsRecord, DnsZone, SoaData } from "../../lib/desired/schema.ts";
import type { CompiledAnswer } from "../../lib/dns/compiled-answer.ts";
import type { RecordTuple } from "../../lib/desired/object-values.ts";
import { ServingState } from "../../lib/dns/serving-state.ts";
import { TYPE } from "../../lib/dns/wire/constants.ts";
import { nameKey } from "../../lib/dns/wire/names.ts";
import { ZoneIndex } from "../../lib/dns/zone-index.ts";

// The in-place index must answer exactly as an index built afresh from the zones the owners
// add up to, after every change, through the answer cache (so a change that fails to drop a
// compiled answer it altered shows as a stale answer here).

const SOA: SoaData = { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1, refresh: 60, retry: 600, expire: 86400, minimum: 60 };
const ZONES = { mesos: "mesos", dcos: "dcos.thisdcos.directory" } as const;
type ZoneId = keyof typeof ZONES;
const NAMES: Record<ZoneId, string[]> = {
  mesos: ["a.mesos", "b.x.mesos", "c.x.mesos", "_s._tcp.x.mesos", "deep.y.z.mesos"],
  dcos: ["a.dcos.thisdcos.directory", "b.dcos.thisdcos.directory", "_s._tcp.b.dcos.thisdcos.directory"],
};
/** CNAMEs have names of their own and one target each, so no owner can make them clash. */
const CNAMES: Record<ZoneId, Array<[string, string]>> = {
  mesos: [
    ["alias.mesos", "b.x.mesos"],
    ["far.mesos", "a.dcos.thisdcos.directory"],
  ],
  dcos: [["alias.dcos.thisdcos.directory", "a.mesos"]],
};
const QUESTIONS = [...Object.values(NAMES).flat(), ...Object.values(CNAMES).flat().flat(), "x.mesos", "y.mesos", "z.mesos", "mesos", "dcos.thisdcos.directory", "none.mesos"];
const QTYPES = [TYPE.A, TYPE.AAAA, TYPE.SRV, TYPE.CNAME, TYPE.SOA, TYPE.ANY];

const recordOf = (zone: ZoneId) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...NAMES[zone]), fc.constantFrom("10.0.0.1", "10.0.0.2", "10.0.0.3")).map(([n, ip]): RecordTuple => [n, "A", ip]),
    fc.tuple(fc.constantFrom(...NAMES[zone]), fc.constantFrom("fd00::1", "fd00::2")).map(([n, ip]): RecordTuple => [n, "AAAA", ip]),
    fc.tuple(fc.constantFrom(...NAMES[zone].filter((n) => n.startsWith("_"))), fc.constantFrom(...NAMES.mesos, ...NAMES.dcos), fc.integer({ min: 1000, max: 1002 })).map(
      ([n, target, port]): RecordTuple => [n, "SRV", [0, 1, port, target]],
    ),
    fc.constantFrom(...CNAMES[zone]).map(([n, target]): RecordTuple => [n, "CNAME", target]),
  );
const ownerValue = fc.record({ mesos: fc.array(recordOf("mesos"), { maxLength: 5 }), dcos: fc.array(recordOf("dcos"), { maxLength: 4 }) });
type Step = { kind: "set"; owner: number; value: Record<ZoneId, RecordTuple[]> } | { kind: "delete"; owner: number } | { kind: "serial"; serial: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("set" as const), owner: fc.integer({ min: 0, max: 4 }), value: ownerValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), owner: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("serial" as const), serial: fc.integer({ min: 1, max: 9 }) }) },
);

function header(zone: ZoneId, serial: number) {
  return { origin: ZONES[zone], ttl: 60, soa: { ...SOA, serial }, records: [{ name: ZONES[zone], type: "NS" as const, ttl: 3600, data: "ns1.mesos" }] };
}

/** The zones the owners add up to, as a whole-state reconcile would emit them. */
function zonesOf(owners: ReadonlyMap<number, Record<ZoneId, RecordTuple[]>>, serial: number): DnsZone[] {
  return (Object.keys(ZONES) as ZoneId[]).map((zone) => {
    const records: DnsRecord[] = [...header(zone, serial).records];
    const seen = new Set<string>();
    for (const value of owners.values()) {
      for (const [name, type, data] of value[zone]) {
        const record = (type === "SRV" ? { name, type, ttl: 60, data: { priority: data[0], weight: data[1], port: data[2], target: data[3] } } : { name, type, ttl: 60, data }) as DnsRecord;
        const id = JSON.stringify(record);
        if (!seen.has(id)) records.push(record), seen.add(id);
      }
    }
    return { ...header(zone, serial), records };
  });
}

function bytes(answer: ReturnType<ServingState["lookup"]>): unknown {
  if (!("ring" in answer)) return answer.kind;
  const compiled = answer as CompiledAnswer;
  return [compiled.rcode, compiled.chain.bytes.toString("hex"), compiled.ring.bytes.toString("hex"), compiled.authority.bytes.toString("hex"), compiled.additional.bytes.toString("hex")];
}

describe("ZoneIndex updated in place", () => {
  it("answers every question as a fresh index of the same zones would, after every change", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 15 }), (steps) => {
        const forwarding = { upstreams: [], zones: [], allowedNetworks: ["127.0.0.0/8"], timeoutMs: 1000 };
        const index = new ZoneIndex();
        let serial = 1;
        for (const zone of Object.keys(ZONES) as ZoneId[]) index.setZone(zone, header(zone, serial));
        index.takeTouched();
        const state = new ServingState("v", index, forwarding, 0, []);
        const owners = new Map<number, Record<ZoneId, RecordTuple[]>>();
        for (const s of steps) {
          // Warm the cache first, so stale answers would be served if not dropped.
          for (const q of QUESTIONS) for (const t of QTYPES) state.lookup(nameKey(q)!, t);
          if (s.kind === "set") {
            owners.set(s.owner, s.value);
            index.setOwner(`dns/records/task/${s.owner}`, s.value);
          } else if (s.kind === "delete") {
            owners.delete(s.owner);
            index.deleteOwner(`dns/records/task/${s.owner}`);
          } else {
            serial = s.serial;
            for (const zone of Object.keys(ZONES) as ZoneId[]) index.setZone(zone, header(zone, serial));
          }
          state.invalidate(index.takeTouched());
          expect(index.takeProblems()).toEqual([]);
          const fresh = ServingState.build({ version: "v", zones: zonesOf(owners, serial), forwarding }, {}, 0).state;
          for (const q of QUESTIONS) for (const t of QTYPES) expect(bytes(state.lookup(nameKey(q)!, t)), `${q} ${t}`).toEqual(bytes(fresh.lookup(nameKey(q)!, t)));
          expect(index.recordCount).toBe(fresh.index.recordCount);
        }
      }),
      { numRuns: 30 },
    );
  });

  it("forgets names nothing holds any more, so churn does not grow the index", () => {
    const index = new ZoneIndex();
    index.setZone("mesos", header("mesos", 1));
    const before = index.names.size;
    for (let i = 0; i < 1000; i++) {
      index.setOwner(`task/${i}`, { mesos: [[`t${i}.deep.name.mesos`, "A", "10.0.0.1"], [`_s._tcp.t${i}.mesos`, "SRV", [0, 1, 80, `t${i}.target.mesos`]]] });
      index.deleteOwner(`task/${i}`);
    }
    expect(index.names.size).toBe(before);
    expect(index.recordCount).toBe(3); // localhost A and AAAA, the apex NS
  });

  it("stores a record two owners hold once, and keeps it until both let go", () => {
    const index = new ZoneIndex();
    index.setZone("mesos", header("mesos", 1));
    index.setOwner("one", { mesos: [["web.mesos", "A", "10.0.0.1"]] });
    index.setOwner("two", { mesos: [["web.mesos", "A", "10.0.0.1"]] });
    index.takeTouched();
    index.deleteOwner("one");
    expect(index.node(nameKey("web.mesos")!)?.A?.map((r) => r.data)).toEqual(["10.0.0.1"]);
    expect(index.takeTouched().names.size).toBe(0);
    index.deleteOwner("two");
    expect(index.node(nameKey("web.mesos")!)).toBeUndefined();
    expect(index.exists(nameKey("web.mesos")!)).toBe(false);
  });

  it("reports what only a SOA serial change touched, leaving every positive answer cached", () => {
    const index = new ZoneIndex();
    index.setZone("mesos", header("mesos", 1));
    index.setOwner("one", { mesos: [["web.mesos", "A", "10.0.0.1"]] });
    const state = new ServingState("v", index, { upstreams: [], zones: [], allowedNetworks: [], timeoutMs: 1000 }, 0, []);
    index.takeTouched();
    const positive = state.lookup(nameKey("web.mesos")!, TYPE.A);
    const negative = state.lookup(nameKey("none.mesos")!, TYPE.A);
    index.setZone("mesos", header("mesos", 2));
    expect(state.invalidate(index.takeTouched())).toBe(1);
    expect(state.lookup(nameKey("web.mesos")!, TYPE.A)).toBe(positive);
    expect(state.lookup(nameKey("none.mesos")!, TYPE.A)).not.toBe(negative);
  });
});
