import { describe, expect, it } from "vitest";
import { agentMetrics } from "../../lib/agent/agent-metrics.ts";
import { collectPolicyCounters } from "../../lib/agent/policy-metrics.ts";
import type { PolicyApplier, PolicyCounterReading } from "../../lib/executor/policy/nftables-applier.ts";

function fakePolicy(readings: () => Promise<PolicyCounterReading[]>) {
  return { name: "policy", readCounters: readings } as unknown as PolicyApplier;
}

describe("policy counters in the agent's metrics", () => {
  it("reads the table's counters at each scrape, one series per thing that decides", async () => {
    const metrics = agentMetrics();
    let packets = 3;
    collectPolicyCounters(metrics, [fakePolicy(async () => [{ counter: "rule-no-metadata", packets, bytes: 180, tier: "admin", by: "no-metadata", verdict: "deny" }])]);
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain('wayfinder_policy_packets_total{tier="admin",by="no-metadata",verdict="deny"} 3');
    packets = 7;
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain('wayfinder_policy_packets_total{tier="admin",by="no-metadata",verdict="deny"} 7');
  });

  it("keeps the last reading when the kernel cannot be read, and does nothing without a policy applier", async () => {
    const metrics = agentMetrics();
    let fail = false;
    collectPolicyCounters(metrics, [fakePolicy(async () => {
      if (fail) throw new Error("nft: no such table");
      return [{ counter: "default", packets: 2, bytes: 1, tier: "default", by: "default", verdict: "deny" }];
    })]);
    await metrics.registry.collect();
    fail = true;
    await metrics.registry.collect();
    expect(metrics.registry.render()).toContain('wayfinder_policy_packets_total{tier="default",by="default",verdict="deny"} 2');

    const none = agentMetrics();
    collectPolicyCounters(none, [{ name: "dns" } as unknown as PolicyApplier]);
    await none.registry.collect();
    expect(none.registry.render()).not.toMatch(/^wayfinder_policy_packets_total\{/m);
  });
});
