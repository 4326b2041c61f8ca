/**
 * @module
 * The policy table's counters as the agent's metrics: at each scrape the policy applier reads
 * its named counters from the kernel (`nft -j list counters`), one per rule, isolated network,
 * app tier and the default, so a denied connection is attributed to what denied it.
 */
import type { Applier } from "../executor/applier.ts";
import type { PolicyApplier } from "../executor/policy/nftables-applier.ts";
import type { AgentMetrics } from "./agent-metrics.ts";

/**
 * Registers the collector when the agent runs the policy applier.
 * @example collectPolicyCounters(metrics, appliers); // then /metrics has wayfinder_policy_packets_total{tier="admin",by="web-to-db",...}
 */
export function collectPolicyCounters(metrics: AgentMetrics, appliers: readonly Applier[]): void {
  const policy = appliers.find((a): a is PolicyApplier => a.name === "policy" && "readCounters" in a);
  if (policy === undefined) return;
  metrics.registry.addCollector(async () => {
    const readings = await policy.readCounters();
    metrics.policyPackets.replace(readings.map((r) => ({ labels: { tier: r.tier, by: r.by, verdict: r.verdict }, value: r.packets })));
  });
}
