import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Syncer } from "../../lib/agent/syncer.ts";
import { agentMetrics } from "../../lib/agent/agent-metrics.ts";
import { AgentStateStore } from "../../lib/agent/agent-state.ts";
import { jsonLogger } from "../../lib/agent/log.ts";
import { Backoff } from "../../lib/sources/backoff.ts";
import { diffKeyed, type Applier } from "../../lib/executor/applier.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { NodeStatusReport } from "../../lib/store/node-status.ts";

/** One desired state per number of tasks, so each differs. */
function desiredWith(tasks: number): DesiredState {
  const snapshot = ClusterSnapshot.parse({ ...SNAPSHOT_INPUT, tasks: Array.from({ length: tasks }, (_, i) => ({ ...SNAPSHOT_INPUT.tasks[0], id: `web.${i}` })) });
  return nodeView(reconcile(snapshot), "S1");
}

/** An applier whose node state is a map of one key, `hash` → the desired hash; it can be told to fail. */
function hashApplier(name: string) {
  const state = new Map<string, string>();
  const control = { failApply: false, applies: 0 };
  const applier: Applier<Map<string, string>, string> = {
    name,
    observe: async () => new Map(state),
    plan: (desired, installed) => diffKeyed(name, new Map([["hash", desired.hash]]), installed, new Set(installed.keys())),
    apply: async (plan) => {
      control.applies++;
      if (control.failApply) throw new Error(`${name} refused`);
      for (const [k, v] of [...plan.adds, ...plan.changes]) state.set(k, v);
    },
    verify: async (desired) => (state.get("hash") === desired.hash ? [] : ["hash"]),
  };
  return { applier, state, control };
}

function harness(options: { stateDir?: string; onSynced?: (status: NodeStatusReport) => void } = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = jsonLogger({ write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>), level: "debug" });
  const metrics = agentMetrics();
  const l4lb = hashApplier("l4lb");
  const dns = hashApplier("dns");
  const syncer = new Syncer({
    node: "S1",
    appliers: [l4lb.applier, dns.applier],
    requires: { dns: ["l4lb"] },
    metrics,
    log,
    backoff: new Backoff({ initialMs: 20, maxMs: 40 }),
    resyncIntervalMs: 0,
    ...(options.stateDir === undefined ? {} : { stateStore: new AgentStateStore(options.stateDir) }),
    ...(options.onSynced === undefined ? {} : { onSynced: options.onSynced }),
  });
  return { syncer, metrics, lines, l4lb, dns };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Syncer", () => {
  it("applies an offered state through every applier and records it", async () => {
    const { syncer, metrics, lines, dns } = harness();
    const desired = desiredWith(1);
    syncer.offer(desired, Date.now() - 100);
    await syncer.idle();
    expect(dns.state.get("hash")).toBe(desired.hash);
    expect(syncer.status).toMatchObject({ desiredHash: desired.hash, appliedHash: desired.hash, consecutiveFailures: 0 });
    expect(metrics.syncs.get({ result: "applied" })).toBe(1);
    expect(metrics.changes.get({ applier: "dns", op: "add" })).toBe(1);
    expect(metrics.convergence.count).toBe(1);
    expect(metrics.applied.get({ hash: desired.hash })).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(["new desired state", "desired state applied"]);
    await syncer.stop();
  });

  it("keeps DNS on its last state while the VIP applier fails, retries with backoff, then converges", async () => {
    const { syncer, metrics, l4lb, dns } = harness();
    const first = desiredWith(1);
    syncer.offer(first);
    await syncer.idle();
    l4lb.control.failApply = true;
    const second = desiredWith(2);
    syncer.offer(second);
    await until(() => l4lb.control.applies >= 3);
    expect(dns.state.get("hash")).toBe(first.hash);
    expect(syncer.status.appliedHash).toBe(first.hash);
    expect(syncer.status.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(metrics.applierFailures.get({ applier: "l4lb", stage: "apply" })).toBeGreaterThanOrEqual(2);
    expect(metrics.applierHeld.get({ applier: "dns" })).toBeGreaterThanOrEqual(2);
    l4lb.control.failApply = false;
    await until(() => syncer.status.appliedHash === second.hash);
    expect(dns.state.get("hash")).toBe(second.hash);
    expect(metrics.consecutiveFailures.get()).toBe(0);
    await syncer.stop();
  });

  it("tells onSynced every sync as a valid status report: applied generation, appliers with durations, counters", async () => {
    const reports: NodeStatusReport[] = [];
    const { syncer, l4lb } = harness({ onSynced: (status) => reports.push(NodeStatusReport.parse(status)) });
    const first = desiredWith(1);
    syncer.offer(first, undefined, 7);
    await syncer.idle();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ appliedHash: first.hash, appliedGeneration: 7, desiredHash: first.hash, ok: true, counters: { syncs: 1, failures: 0, consecutiveFailures: 0 } });
    expect(reports[0]!.appliers.map((a) => [a.name, a.result, a.adds])).toEqual([
      ["l4lb", "applied", 1],
      ["dns", "applied", 1],
    ]);
    expect(reports[0]!.appliers.every((a) => typeof a.durationMs === "number")).toBe(true);

    l4lb.control.failApply = true;
    syncer.offer(desiredWith(2), undefined, 8);
    await until(() => reports.length >= 2);
    expect(reports[1]).toMatchObject({ appliedHash: first.hash, appliedGeneration: 7, ok: false, counters: { syncs: 2, failures: 1, consecutiveFailures: 1 } });
    expect(reports[1]!.appliers).toEqual([
      expect.objectContaining({ name: "l4lb", result: "failed", stage: "apply", error: "l4lb refused" }),
      { name: "dns", result: "held", error: "kept its last state: l4lb did not apply", adds: 0, changes: 0, deletes: 0 },
    ]);
    await syncer.stop();
  });

  it("goes on syncing when onSynced throws", async () => {
    const { syncer, lines, dns } = harness({
      onSynced: () => {
        throw new Error("reporter broke");
      },
    });
    const desired = desiredWith(1);
    syncer.offer(desired);
    await syncer.idle();
    expect(dns.state.get("hash")).toBe(desired.hash);
    expect(syncer.status.appliedHash).toBe(desired.hash);
    expect(lines.some((l) => l.msg === "the status hook failed; syncing goes on")).toBe(true);
    await syncer.stop();
  });

  it("coalesces a burst of states into the newest", async () => {
    const { syncer, l4lb } = harness();
    const states = [1, 2, 3, 4, 5].map(desiredWith);
    for (const d of states) syncer.offer(d);
    await syncer.idle();
    expect(l4lb.state.get("hash")).toBe(states[4]!.hash);
    expect(l4lb.control.applies).toBe(2);
    await syncer.stop();
  });

  it("remembers the accepted state, and a new syncer resumes it without changing a node that still runs it", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "wf-syncer-"));
    const { syncer, l4lb } = harness({ stateDir });
    const desired = desiredWith(3);
    syncer.offer(desired);
    await syncer.idle();
    await syncer.stop();
    const loaded = await new AgentStateStore(stateDir).load("S1");
    expect(loaded.state?.desired.hash).toBe(desired.hash);
    expect(loaded.state?.appliedHash).toBe(desired.hash);
    expect((await new AgentStateStore(stateDir).load("S2")).problem).toMatch(/belongs to node 'S1', not 'S2'/);
    const corrupt = await mkdtemp(join(tmpdir(), "wf-syncer-"));
    await mkdir(join(corrupt, "agent"));
    await writeFile(join(corrupt, "agent/state.json"), '{"apiVersion":"wayfinder/v1","kind":"AgentState"');
    const broken = await new AgentStateStore(corrupt).load("S1");
    expect(broken.state).toBeUndefined();
    expect(broken.problem).toMatch(/state\.json: not an agent state file .*; ignored$/);

    const restarted = harness({ stateDir });
    restarted.l4lb.state.set("hash", l4lb.state.get("hash")!);
    restarted.dns.state.set("hash", desired.hash);
    restarted.syncer.resume(loaded.state!.desired, loaded.state!.appliedHash);
    await restarted.syncer.idle();
    expect(restarted.l4lb.control.applies).toBe(0);
    expect(restarted.syncer.status.appliedHash).toBe(desired.hash);
    await restarted.syncer.stop();
  });

  it("logs the damage an applier's plan repairs as an error naming the applier, and counts it", async () => {
    const { syncer, lines, l4lb, metrics } = harness();
    const plan = l4lb.applier.plan.bind(l4lb.applier);
    l4lb.applier.plan = (desired, installed) => ({ ...plan(desired, installed), repairs: ["table ip wayfinder_l4lb is missing"] });
    syncer.offer(desiredWith(1));
    await syncer.idle();
    expect(lines.filter((l) => l.level === "error")).toEqual([
      expect.objectContaining({ msg: "found the node damaged", applier: "l4lb", problem: "table ip wayfinder_l4lb is missing", repaired: true }),
    ]);
    expect(metrics.registry.render()).toMatch(/^wayfinder_agent_applier_repairs_total\{applier="l4lb"\} 1$/m);
    await syncer.stop();
  });
});
