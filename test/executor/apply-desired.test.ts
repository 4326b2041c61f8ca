import { describe, expect, it } from "vitest";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { diffKeyed, type Applier, type Plan } from "../../lib/executor/applier.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const desired = reconcile(SNAPSHOT);
type Stage = "observe" | "plan" | "apply" | "verify";

/**
 * A key → value store standing in for a node artifact; it records each call, can fail at a
 * chosen stage, and applies plans all-or-nothing like a real applier must.
 */
function recordingApplier(
  name: string,
  wanted: Record<string, string>,
  options: { failAt?: Stage; installed?: Record<string, string>; log?: string[] } = {},
) {
  const state = new Map(Object.entries(options.installed ?? {}));
  const calls: string[] = [];
  const fail = (stage: Stage) => {
    calls.push(stage);
    options.log?.push(`${name}.${stage}`);
    if (options.failAt === stage) throw new Error(`${name} ${stage} broke`);
  };
  const applier: Applier<Map<string, string>, string> & { state: Map<string, string>; calls: string[] } = {
    name,
    state,
    calls,
    async observe() {
      fail("observe");
      return new Map(state);
    },
    plan(_desired: DesiredState, installed: Map<string, string>): Plan<string> {
      fail("plan");
      return diffKeyed(name, new Map(Object.entries(wanted)), installed, new Set(installed.keys()));
    },
    async apply(plan: Plan<string>) {
      fail("apply");
      for (const [k, v] of [...plan.adds, ...plan.changes]) state.set(k, v);
      for (const k of plan.deletes) state.delete(k);
    },
    async verify() {
      fail("verify");
      const drift = diffKeyed(name, new Map(Object.entries(wanted)), state, new Set(state.keys()));
      return [...drift.adds.keys(), ...drift.changes.keys(), ...drift.deletes];
    },
  };
  return applier;
}

describe("applyDesired", () => {
  it("runs every applier in the given order and reports each", async () => {
    const log: string[] = [];
    const a = recordingApplier("a", { x: "1" }, { log });
    const b = recordingApplier("b", { y: "2" }, { installed: { y: "1", z: "0" }, log });
    const report = await applyDesired(desired, [a, b]);
    expect(log).toEqual(["a.observe", "a.plan", "a.apply", "a.verify", "b.observe", "b.plan", "b.apply", "b.verify"]);
    expect(report).toEqual({
      hash: desired.hash,
      ok: true,
      appliers: [
        { name: "a", status: "applied", plan: { adds: ["x"], changes: [], deletes: [] } },
        { name: "b", status: "applied", plan: { adds: [], changes: ["y"], deletes: ["z"] } },
      ],
    });
    expect(Object.fromEntries(b.state)).toEqual({ y: "2" });
  });

  it("does not apply or verify when the plan is empty", async () => {
    const a = recordingApplier("a", { x: "1" }, { installed: { x: "1" } });
    const report = await applyDesired(desired, [a]);
    expect(report.appliers).toEqual([{ name: "a", status: "unchanged" }]);
    expect(a.calls).toEqual(["observe", "plan"]);
  });

  it("is idempotent: the second run reports no changes", async () => {
    const a = recordingApplier("a", { x: "1", y: "2" });
    await applyDesired(desired, [a]);
    expect((await applyDesired(desired, [a])).appliers).toEqual([{ name: "a", status: "unchanged" }]);
  });

  it.each<Stage>(["observe", "plan", "apply"])("reports a failure in %s, keeps that applier's state, and still runs the others", async (stage) => {
    const broken = recordingApplier("broken", { x: "new" }, { failAt: stage, installed: { x: "old" } });
    const fine = recordingApplier("fine", { y: "1" });
    const report = await applyDesired(desired, [broken, fine]);
    expect(report.ok).toBe(false);
    expect(report.appliers[0]).toMatchObject({ name: "broken", status: "failed", stage, error: `broken ${stage} broke` });
    expect(report.appliers[1]).toMatchObject({ name: "fine", status: "applied" });
    expect(Object.fromEntries(broken.state)).toEqual({ x: "old" });
    expect(Object.fromEntries(fine.state)).toEqual({ y: "1" });
  });

  it("includes the plan in a failure after planning", async () => {
    const broken = recordingApplier("broken", { x: "1" }, { failAt: "apply" });
    const report = await applyDesired(desired, [broken]);
    expect(report.appliers[0]).toEqual({ name: "broken", status: "failed", stage: "apply", error: "broken apply broke", plan: { adds: ["x"], changes: [], deletes: [] } });
  });

  it("fails an applier whose verify still finds differences", async () => {
    const lying = recordingApplier("lying", { x: "1" });
    lying.apply = async () => {};
    const report = await applyDesired(desired, [lying]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "verify", error: "still differs after apply: x" });
  });

  it("only observes and plans in a dry run", async () => {
    const a = recordingApplier("a", { x: "1" });
    const report = await applyDesired(desired, [a], { dryRun: true });
    expect(report.appliers).toEqual([{ name: "a", status: "planned", plan: { adds: ["x"], changes: [], deletes: [] } }]);
    expect(a.calls).toEqual(["observe", "plan"]);
    expect(a.state.size).toBe(0);
  });
});

describe("applyDesired requirements and progress", () => {
  it("holds an applier back, with its state untouched, when one it requires failed in the run (VIP before its name)", async () => {
    const l4lb = recordingApplier("l4lb", { vip: "new" }, { failAt: "apply", installed: { vip: "old" } });
    const dns = recordingApplier("dns", { name: "new" }, { installed: { name: "old" } });
    const files = recordingApplier("files", { f: "new" });
    const report = await applyDesired(desired, [l4lb, dns, files], { requires: { dns: ["l4lb"] } });
    expect(report.ok).toBe(false);
    expect(report.appliers.map((r) => r.status)).toEqual(["failed", "held", "applied"]);
    expect(report.appliers[1]).toEqual({ name: "dns", status: "held", reason: "kept its last state: l4lb did not apply" });
    expect(dns.calls).toEqual([]);
    expect(Object.fromEntries(dns.state)).toEqual({ name: "old" });
    expect(Object.fromEntries(l4lb.state)).toEqual({ vip: "old" });
  });

  it("holds transitively and lets the required one through when it applied", async () => {
    const a = recordingApplier("a", { x: "1" }, { failAt: "observe" });
    const b = recordingApplier("b", { y: "1" });
    const c = recordingApplier("c", { z: "1" });
    const held = await applyDesired(desired, [a, b, c], { requires: { b: ["a"], c: ["b"] } });
    expect(held.appliers.map((r) => r.status)).toEqual(["failed", "held", "held"]);
    const ok = await applyDesired(desired, [recordingApplier("a", { x: "1" }), b, c], { requires: { b: ["a"], c: ["b"] } });
    expect(ok.appliers.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(ok.ok).toBe(true);
  });

  it("reports each stage an applier enters, with its position", async () => {
    const seen: string[] = [];
    await applyDesired(desired, [recordingApplier("a", { x: "1" }), recordingApplier("b", {})], {
      onProgress: (p) => seen.push(`${p.index + 1}/${p.total} ${p.applier} ${p.stage}`),
    });
    expect(seen).toEqual(["1/2 a observe", "1/2 a apply", "1/2 a verify", "2/2 b observe"]);
  });
});

describe("diffKeyed", () => {
  it("sorts keys and deletes only owned keys", () => {
    const plan = diffKeyed(
      "t",
      new Map([["b", "2"], ["a", "1"], ["c", "3"]]),
      new Map([["c", "x"], ["d", "4"], ["e", "5"]]),
      new Set(["c", "e"]),
    );
    expect([...plan.adds]).toEqual([["a", "1"], ["b", "2"]]);
    expect([...plan.changes]).toEqual([["c", "3"]]);
    expect(plan.deletes).toEqual(["e"]);
  });

  it("uses the given equality", () => {
    const plan = diffKeyed("t", new Map([["a", { v: 1 }]]), new Map([["a", { v: 1 }]]), new Set(["a"]), (x, y) => x.v === y.v);
    expect(plan.changes.size).toBe(0);
  });
});
