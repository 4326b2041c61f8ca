/**
 * `npm run bench:policy-scrape`: what a `/metrics` scrape of the agent costs with a policy table
 * of realistic size: bench:policy's cluster (10,000 admin rules), whose node a0 gets a table of
 * about 1,000 nft rules and 480 named counters, programmed into a fresh network namespace by the
 * policy applier; then the same beside a neighbouring table of 10,000 rules and 20,000 set
 * elements (another firewall, or a large L4 table), because nft 1.0.6 fetches every table's
 * rules and set elements for any counter listing.
 *
 * Before (measured in the same run, the collector as it was): every scrape reads the counters
 * from the kernel, one nft process each. After: scrapes share one read while it runs and reuse
 * a reading for 5 s. The load: three collectors (a Prometheus pair and one more) scraping at
 * once every 15 s, simulated by a clock moved 15 s between rounds. Reported per round: the
 * wall time until all three scrapes are answered, and the nft reads started. A single scrape
 * costs one read either way; that row says so. Root needed.
 */
import { loadavg } from "node:os";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { agentMetrics, type AgentMetrics } from "../../lib/agent/agent-metrics.ts";
import { collectPolicyCounters, policySeries } from "../../lib/agent/policy-metrics.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createPolicyApplier, type PolicyApplier } from "../../lib/executor/policy/nftables-applier.ts";
import { policyTable } from "../../lib/render/policy-table.ts";
import { inNs, NetnsLab } from "../e2e/support/netns.ts";
import { policyBenchSnapshot } from "./policy-cluster.ts";
import { printRows, type BenchRow } from "./report.ts";

const SHAPE = { tasks: 1_000, apps: 200, rules: 10_000, agents: 50 };
const NODE = "a0";
const ROUNDS = 9;
const COLLECTORS = 3;
const SCRAPE_INTERVAL_MS = 15_000;

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The policy applier with its kernel reads counted. */
function counted(policy: PolicyApplier) {
  const count = { reads: 0 };
  const applier = { name: "policy", readCounters: () => (count.reads++, policy.readCounters()) } as unknown as PolicyApplier;
  return { applier, count };
}

/** The collector before this change: one kernel read per scrape, nothing shared. */
function collectEveryScrape(metrics: AgentMetrics, policy: PolicyApplier): void {
  metrics.registry.addCollector(async () => metrics.policyPackets.replace(policySeries(await policy.readCounters())));
}

/** One side of the comparison: a registry with its collector, and its counted reads. */
interface Side {
  metrics: AgentMetrics;
  count: { reads: number };
}

/**
 * Rounds of `collectors` concurrent scrapes, `SCRAPE_INTERVAL_MS` apart on `clock`, before and
 * after taking turns within each round so both meet the same load: median round time and reads
 * per round of each.
 */
async function scrapeRounds(sides: { before: Side; after: Side }, clock: { now: number }, collectors: number) {
  const result = { before: { times: [] as number[], reads: 0, series: [] as string[] }, after: { times: [] as number[], reads: 0, series: [] as string[] } };
  for (let round = 0; round < ROUNDS; round++) {
    clock.now += SCRAPE_INTERVAL_MS;
    for (const name of ["before", "after"] as const) {
      const { metrics, count } = sides[name];
      const reads = count.reads;
      const start = process.hrtime.bigint();
      const texts = await Promise.all(Array.from({ length: collectors }, async () => (await metrics.registry.collect(), metrics.registry.render())));
      result[name].times.push(ms(start));
      result[name].reads += count.reads - reads;
      result[name].series = texts[0]!.split("\n").filter((l) => l.startsWith("wayfinder_policy_packets_total{"));
    }
  }
  const summary = (r: (typeof result)["before"]) => ({ ms: median(r.times), reads: r.reads / ROUNDS, series: r.series });
  return { before: summary(result.before), after: summary(result.after) };
}

async function measure(policy: PolicyApplier, label: string): Promise<BenchRow[]> {
  const clock = { now: 0 };
  const before = counted(policy);
  const beforeMetrics = agentMetrics();
  collectEveryScrape(beforeMetrics, before.applier);
  const after = counted(policy);
  const afterMetrics = agentMetrics();
  collectPolicyCounters(afterMetrics, () => [after.applier], { now: () => clock.now });
  // Warm-up: JIT, nft's first start.
  await beforeMetrics.registry.collect();
  await afterMetrics.registry.collect();

  const sides = { before: { metrics: beforeMetrics, count: before.count }, after: { metrics: afterMetrics, count: after.count } };
  const single = await scrapeRounds(sides, clock, 1);
  const burst = await scrapeRounds(sides, clock, COLLECTORS);
  // The same values either way (no traffic in the namespace: the counters stand still).
  if (burst.after.series.join("\n") !== burst.before.series.join("\n") || burst.after.series.length === 0) throw new Error(`the series differ: ${burst.after.series.length} after, ${burst.before.series.length} before`);
  // A scrape within 5 s of the last read (a second collector a few seconds later): served from the reading.
  clock.now += 1_000;
  const start = process.hrtime.bigint();
  await afterMetrics.registry.collect();
  afterMetrics.registry.render();
  const warm = ms(start);
  return [
    { case: `${label}: one scrape`, ours: single.after.ms, peer: single.before.ms, unit: "ms", peerSource: "before, measured", extra: `${single.after.reads} nft read per scrape either way; ${burst.after.series.length} series, the same values` },
    { case: `${label}: ${COLLECTORS} scrapes at once`, ours: burst.after.ms, peer: burst.before.ms, unit: "ms", peerSource: "before, measured", extra: `nft reads per round: ${burst.after.reads} (before ${burst.before.reads})` },
    { case: `${label}: a scrape 1 s later`, ours: warm, peer: single.before.ms, unit: "ms", peerSource: "before: a read", extra: "served from the reading (at most 5 s old)" },
  ];
}

const desired = reconcile(policyBenchSnapshot(SHAPE));
const view = nodeView(desired, NODE);
const lab = new NetnsLab();
const rows: BenchRow[] = [];
let policy: PolicyApplier | undefined;
let shape = "";
try {
  const node = lab.add("n");
  policy = createPolicyApplier({ netns: node });
  const report = await applyDesired(view, [policy]);
  if (!report.ok) throw new Error(JSON.stringify(report.appliers));
  const table = policyTable(view.policy!, NODE);
  const rules = table.chains.reduce((n, c) => n + c.rules.length, 0) + table.base.length;
  const counters = (await policy.readCounters()).length;
  shape = `${rules} nft rules, ${counters} counters`;
  rows.push(...(await measure(policy, "policy table")));

  const neighbour = ["table ip neighbour {", "set s { type ipv4_addr . inet_service; elements = {"];
  neighbour.push(Array.from({ length: 20_000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.2 . 80`).join(",\n"), "} }", "chain c {");
  for (let i = 0; i < 10_000; i++) neighbour.push(`ip daddr 10.${(i >> 8) & 255}.${i & 255}.1 tcp dport ${1000 + (i % 100)} accept`);
  neighbour.push("}", "}");
  inNs(node, ["nft", "-f", "-"], neighbour.join("\n"));
  rows.push(...(await measure(policy, "+ 10k rules elsewhere")));
} finally {
  await policy?.close();
  lab.teardown();
}
const load = loadavg().map((l) => l.toFixed(1)).join(" ");
printRows(`Policy counters per /metrics scrape: node ${NODE} of ${SHAPE.rules} admin rules (${shape}); ${COLLECTORS} collectors every ${SCRAPE_INTERVAL_MS / 1000} s, median of ${ROUNDS} rounds (load ${load})`, rows);
