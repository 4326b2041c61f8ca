/**
 * @module
 * The policy table's counters as the agent's metrics: the policy applier reads its named
 * counters from the kernel (`nft -j list counters table ...`), one per rule, isolated network,
 * app tier and the default, so a denied connection is attributed to what denied it. Series are
 * per thing that decides, never per address or task: their number follows the rules and apps,
 * whatever the node runs.
 *
 * A read is not free (an nft process, and nft 1.0.6 fetches every table's rules and set elements
 * for any counter listing; later versions fetch only the objects of the table named), so scrapes
 * share one: concurrent scrapes wait for the read under way, and a reading is handed out again
 * for `POLICY_COUNTERS_MAX_AGE_MS`. However many collectors scrape, the node pays at most one
 * read per interval.
 */
import type { Applier } from "../executor/applier.ts";
import type { PolicyApplier, PolicyCounterReading } from "../executor/policy/nftables-applier.ts";
import { sharedReading } from "../metrics/shared-reading.ts";
import type { AgentMetrics } from "./agent-metrics.ts";

/** How long one reading of the counters serves scrapes, in ms: well under a 15 s scrape interval. */
export const POLICY_COUNTERS_MAX_AGE_MS = 5_000;

/** An applier as either agent path holds it: the applier itself, or a delta-path wrapper around it (`applier`). */
export interface RunningApplier {
  readonly name: string;
  readonly applier?: Applier;
}

export interface PolicyCountersOptions {
  /** Default `POLICY_COUNTERS_MAX_AGE_MS`. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Registers the collector. `appliers` says what the agent runs now (the delta path builds its
 * own appliers once it knows the control plane streams changes); none of them is the policy
 * applier: the collector adds nothing.
 * @example collectPolicyCounters(metrics, () => appliers); // then /metrics has wayfinder_policy_packets_total{tier="admin",by="web-to-db",...}
 */
export function collectPolicyCounters(metrics: AgentMetrics, appliers: () => readonly RunningApplier[], options: PolicyCountersOptions = {}): void {
  let source: { policy: PolicyApplier; read: () => Promise<PolicyCounterReading[]> } | undefined;
  metrics.registry.addCollector(async () => {
    const policy = policyApplierOf(appliers());
    if (policy === undefined) return;
    if (source?.policy !== policy) {
      const read = sharedReading(() => policy.readCounters(), { maxAgeMs: options.maxAgeMs ?? POLICY_COUNTERS_MAX_AGE_MS, ...(options.now === undefined ? {} : { now: options.now }) });
      source = { policy, read };
    }
    metrics.policyPackets.replace(policySeries(await source.read()));
  });
}

/**
 * One series per label set; readings that share one (two counters that mean the same) are added up.
 * @example policySeries([{ counter: "default", packets: 2, bytes: 9, tier: "default", by: "default", verdict: "deny" }]) // [{ labels: { tier: "default", by: "default", verdict: "deny" }, value: 2 }]
 */
export function policySeries(readings: readonly PolicyCounterReading[]): Array<{ labels: { tier: string; by: string; verdict: string }; value: number }> {
  const series = new Map<string, { labels: { tier: string; by: string; verdict: string }; value: number }>();
  for (const r of readings) {
    const labels = { tier: r.tier, by: r.by, verdict: r.verdict };
    const key = JSON.stringify(labels);
    const known = series.get(key);
    if (known === undefined) series.set(key, { labels, value: r.packets });
    else known.value += r.packets;
  }
  return [...series.values()];
}

function policyApplierOf(appliers: readonly RunningApplier[]): PolicyApplier | undefined {
  for (const applier of appliers) {
    const candidate: unknown = applier.applier ?? applier;
    if (applier.name === "policy" && typeof candidate === "object" && candidate !== null && "readCounters" in candidate) return candidate as PolicyApplier;
  }
  return undefined;
}
