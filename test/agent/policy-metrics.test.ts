import { describe, expect, it } from "vitest";
import { agentMetrics } from "../../lib/agent/agent-metrics.ts";
import { collectPolicyCounters, POLICY_COUNTERS_MAX_AGE_MS, policySeries } from "../../lib/agent/policy-metrics.ts";
import { wholeStateApplier } from "../../lib/executor/keyed-applier.ts";
import type { PolicyApplier, PolicyCounterReading } from "../../lib/executor/policy/nftables-applier.ts";
import { policyCounters } from "../../lib/render/policy-names.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { tenants } from "../functions/policy/tenants.ts";

function fakePolicy(readings: () => Promise<PolicyCounterReading[]>) {
  return { name: "policy", readCounters: readings } as unknown as PolicyApplier;
}

/** A policy applier whose kernel read is held open until `release()`, counting reads. */
function slowPolicy(packets: () => number) {
  const state = { reads: 0, release: () => {} };
  const applier = fakePolicy(() => {
    state.reads++;
    return new Promise((resolve) => {
      state.release = () => resolve([{ counter: "rule-no-metadata", packets: packets(), bytes: 0, tier: "admin", by: "no-metadata", verdict: "deny" }]);
    });
  });
  return { applier, state };
}

const series = (packets: number) => `wayfinder_policy_packets_total{tier="admin",by="no-metadata",verdict="deny"} ${packets}`;

describe("policy counters in the agent's metrics", () => {
  it("reads the table's counters, one series per thing that decides, and reads again once the reading is old", async () => {
    const metrics = agentMetrics();
    let packets = 3;
    let clock = 0;
    const policy = fakePolicy(async () => [{ counter: "rule-no-metadata", packets, bytes: 180, tier: "admin", by: "no-metadata", verdict: "deny" }]);
    collectPolicyCounters(metrics, () => [policy], { now: () => clock });
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain(series(3));
    packets = 7;
    clock += POLICY_COUNTERS_MAX_AGE_MS - 1;
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain(series(3));
    clock += 1;
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain(series(7));
  });

  it("starts one nft read for scrapes that arrive while it runs, and gives each the right values", async () => {
    const metrics = agentMetrics();
    const { applier, state } = slowPolicy(() => 11);
    collectPolicyCounters(metrics, () => [applier], { maxAgeMs: 0 });
    const scrapes = [metrics.registry.collect(), metrics.registry.collect(), metrics.registry.collect()];
    await new Promise((r) => setTimeout(r, 10));
    expect(state.reads).toBe(1);
    state.release();
    await Promise.all(scrapes);
    expect(metrics.registry.render()).toContain(series(11));
    // The read is over: the next scrape reads again (maxAgeMs 0 keeps nothing).
    const next = metrics.registry.collect();
    await new Promise((r) => setTimeout(r, 10));
    expect(state.reads).toBe(2);
    state.release();
    await next;
  });

  it("keeps the last reading when the kernel cannot be read, and reads again at the next scrape", async () => {
    const metrics = agentMetrics();
    let fail = false;
    let reads = 0;
    const policy = fakePolicy(async () => {
      reads++;
      if (fail) throw new Error("nft: no such table");
      return [{ counter: "default", packets: 2, bytes: 1, tier: "default", by: "default", verdict: "deny" }];
    });
    collectPolicyCounters(metrics, () => [policy], { maxAgeMs: 0 });
    await metrics.registry.collect();
    fail = true;
    await metrics.registry.collect();
    await metrics.registry.collect();
    expect(reads).toBe(3);
    expect(metrics.registry.render()).toContain('wayfinder_policy_packets_total{tier="default",by="default",verdict="deny"} 2');
  });

  it("does nothing without a policy applier, and finds it behind the delta path's wrapper", async () => {
    const none = agentMetrics();
    collectPolicyCounters(none, () => [{ name: "dns" }]);
    await none.registry.collect();
    expect(none.registry.render()).not.toMatch(/^wayfinder_policy_packets_total\{/m);

    const delta = agentMetrics();
    const policy = fakePolicy(async () => [{ counter: "default", packets: 5, bytes: 1, tier: "default", by: "default", verdict: "allow" }]);
    const wrapped = [wholeStateApplier(policy, () => true)];
    collectPolicyCounters(delta, () => wrapped);
    await delta.registry.collect();
    expect(delta.registry.render()).toContain('wayfinder_policy_packets_total{tier="default",by="default",verdict="allow"} 5');
  });

  it("reads from the appliers that run now: the delta path's, once it runs", async () => {
    const metrics = agentMetrics();
    const first = fakePolicy(async () => [{ counter: "default", packets: 1, bytes: 1, tier: "default", by: "default", verdict: "deny" }]);
    const second = fakePolicy(async () => [{ counter: "default", packets: 9, bytes: 1, tier: "default", by: "default", verdict: "deny" }]);
    let running = [first];
    collectPolicyCounters(metrics, () => running);
    await metrics.registry.collect();
    running = [second];
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain('wayfinder_policy_packets_total{tier="default",by="default",verdict="deny"} 9');
  });

  it("adds up readings that mean the same thing into one series", () => {
    const reading = (counter: string, packets: number): PolicyCounterReading => ({ counter, packets, bytes: 0, tier: "app", by: "app:/shop/web", verdict: "deny" });
    expect(policySeries([reading("app-a-deny", 2), reading("app-b-deny", 3)])).toEqual([{ labels: { tier: "app", by: "app:/shop/web", verdict: "deny" }, value: 5 }]);
  });

  it("has as many series as rules, networks and apps, however many tasks run", () => {
    const few = nodeView(reconcile(tenants()), "a1").policy!;
    const many = nodeView(
      reconcile(tenants((s) => ({ ...s, tasks: [...s.tasks, ...Array.from({ length: 200 }, (_, i) => ({ id: `shop_web.x${i}`, app: "/shop/web", agent: "a1", network: "dcos", ip: `9.0.0.${20 + i}` }))] }))),
      "a1",
    ).policy!;
    expect(policyCounters(many).size).toBe(policyCounters(few).size);
    const labels = [...policyCounters(many).values()].map((m) => `${m.tier} ${m.by} ${m.verdict}`);
    expect(labels.some((l) => /\d+\.\d+\.\d+\.\d+/.test(l))).toBe(false);
  });
});
