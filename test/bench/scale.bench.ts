/**
 * `npm run bench:scale`: issue 14's delta path end to end at 10k tasks / 2k agents and 100k
 * tasks / 10k agents (`synthetic-cluster.ts`'s shapes, every tenth app balanced by HAProxy),
 * with real processes on loopback: `wayfinder serve` takes the churn mix (`churn.ts`: a task
 * replaced, an app scaled by 10, an agent lost, a VIP label added, a HAProxy label changed) as
 * PATCHes while 50 lightweight agents (`scale-fleet.ts`: watch clients verifying the view hash)
 * and one real agent (`scale-node.ts`: `wayfinder agent` applying DNS and nftables in a network
 * namespace, with `wayfinder dns` serving its zones) follow the watch. Per event kind: the
 * control plane's CPU per change (the PATCH handled: validation, incremental reconcile, change
 * log, fan-out to every watcher; from /proc), the bytes one node gets on the wire (raw and gzip),
 * p50/p99 from the PATCH sent to the change applied on the lightweight agents, and on the real
 * node to its appliers taking it, its name answering and its VIP reaching the new backend; then
 * each process's memory and a node's relist.
 *
 * The peer is the whole-state path, measured in the same run (`scale-peer.ts`): a whole PUT per
 * change and nodes long-polling their whole view; fewer nodes and events, since each event moves
 * every node's whole view. Sizes: `BENCH_SCALE_SIZES` (default `10000,100000`); `BENCH_SCALE_CPU_PROF=DIR`
 * writes each control plane's CPU profile to DIR.
 */
import { loadavg } from "node:os";
import { printRows, type BenchRow } from "./report.ts";
import { KINDS } from "./churn.ts";
import { runSize, teardowns, type KindResult, type RunOptions, type SizeResult } from "./scale-run.ts";
import { RECONCILE_SIZES } from "./synthetic-cluster.ts";

const sizes = (process.env["BENCH_SCALE_SIZES"] ?? "10000,100000").split(",").map(Number);
const OPTIONS = (tasks: number): RunOptions =>
  tasks >= 100_000
    ? { fleet: 50, rounds: 10, peerRounds: 1, peerNodes: 1, peerKinds: ["task replaced"] }
    : { fleet: 50, rounds: 20, peerRounds: 3, peerNodes: 5, peerKinds: KINDS };

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`bench:scale: ${signal}, stopping every process and deleting the namespace`);
    void Promise.allSettled([...teardowns].map((t) => t())).then(() => process.exit(130));
  });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
};
const median = (values: number[]) => percentile(values, 50);
/** The mean without the costliest event: a one-off (a major GC, an index built on first use) shows as the gap to the mean. */
const restMean = (values: number[]) => {
  const rest = [...values].sort((a, b) => a - b).slice(0, -1);
  return rest.length === 0 ? Number.NaN : rest.reduce((a, b) => a + b, 0) / rest.length;
};
const kib = (bytes: number) => bytes / 1024;
const verdict = (ours: number, limit: number, unit: string) => `target < ${limit} ${unit}: ${ours < limit ? "met" : "NOT MET"}`;
const spread = (values: number[]) => (values.length === 0 ? "n/a" : `p50 ${percentile(values, 50).toFixed(0)} / p99 ${percentile(values, 99).toFixed(0)} ms (${values.length})`);

/** The peer's figure as a row's `peer`, when the whole path measured it. */
const peerOf = (value: number | undefined): Pick<BenchRow, "peer"> => (value === undefined || Number.isNaN(value) ? {} : { peer: value });

function kindRows(kind: (typeof KINDS)[number], ours: KindResult, peer: KindResult | undefined): BenchRow[] {
  const task = kind === "task replaced";
  const nodeBoth = ours.agent.map((a, i) => Math.max(a, ours.name[i] ?? 0, ours.vip[i] ?? 0));
  const peerNote = peer === undefined ? "whole path not run for this kind" : `${peer.events} events`;
  return [
    {
      case: `${kind}: control-plane CPU`,
      ours: ours.cpuMs,
      ...peerOf(peer?.cpuMs),
      unit: "ms",
      extra: `${task ? `${verdict(ours.cpuMs, 10, "ms")}; ` : ""}mean of ${ours.events} events (most ${Math.max(...ours.cpuPerEvent).toFixed(0)} ms, the rest ${restMean(ours.cpuPerEvent).toFixed(1)} ms) (peer: ${peerNote})`,
    },
    {
      case: `${kind}: to one node, raw`,
      ours: kib(median(ours.raw)),
      ...peerOf(peer === undefined ? undefined : kib(median(peer.raw))),
      unit: "KiB",
      extra: `gzip on the wire ${kib(median(ours.wire)).toFixed(2)} KiB${task ? `; ${verdict(kib(median(ours.wire)), 10, "KB gzip")}, raw ${kib(median(ours.raw)) < 10 ? "met" : "NOT MET"}` : ""}`,
    },
    { case: `${kind}: light agents`, ours: percentile(ours.fleet, 99), ...peerOf(peer === undefined ? undefined : percentile(peer.fleet, 99)), unit: "ms p99", extra: `${spread(ours.fleet)}; peer ${peer === undefined ? "n/a" : spread(peer.fleet)} (whole view, long poll)` },
    {
      case: `${kind}: real node`,
      ours: percentile(nodeBoth, 99),
      unit: "ms p99",
      extra: `appliers ${spread(ours.agent)}; name ${spread(ours.name)}; VIP ${spread(ours.vip)}; ${verdict(percentile(nodeBoth, 99), 250, "ms p99")}`,
    },
  ];
}

function print(r: SizeResult): void {
  const label = `${r.size.tasks / 1000}k tasks / ${r.size.agents / 1000}k agents (${r.keys} objects)`;
  const peer = "failed" in r.peer ? undefined : r.peer;
  const rows: BenchRow[] = KINDS.flatMap((kind) => kindRows(kind, r.kinds[kind], peer?.kinds[kind]));
  const node = r.memory.agent.now + r.memory.dns.now;
  const peerView = peer === undefined ? "" : ` (peer: whole view GET, ${(peer.relist.bytes / 2 ** 20).toFixed(1)} MiB raw, ${(peer.relist.gzipBytes / 2 ** 20).toFixed(1)} MiB gzip)`;
  rows.push(
    { case: "relist of one node (watch, gzip)", ours: r.relist.ms, ...peerOf(peer?.relist.ms), unit: "ms", extra: `${r.relist.keys} keys, ${(r.relist.wire / 2 ** 20).toFixed(1)} MiB gzip / ${(r.relist.raw / 2 ** 20).toFixed(1)} MiB raw${peerView}; ${verdict(r.relist.ms, 5000, "ms")}` },
    { case: "real agent: start → relist applied", ours: r.agentStartMs, unit: "ms", extra: "process start, relist, nftables programmed, DNS store written and loaded by the DNS server" },
    { case: "control plane RSS", ours: r.memory.controlPlane.now, ...peerOf(peer?.controlPlane.now), unit: "MiB", extra: `peak ${r.memory.controlPlane.peak.toFixed(0)}${peer === undefined ? "" : ` (peer ${peer.controlPlane.peak.toFixed(0)})`}; ${verdict(r.memory.controlPlane.now, 1000, "MiB")}` },
    { case: "agent RSS", ours: r.memory.agent.now, unit: "MiB", extra: `peak ${r.memory.agent.peak.toFixed(0)}` },
    { case: "DNS server RSS", ours: r.memory.dns.now, unit: "MiB", extra: `peak ${r.memory.dns.peak.toFixed(0)}` },
    { case: "agent + DNS server RSS", ours: node, unit: "MiB", extra: verdict(node, 300, "MiB") },
    { case: "PUT of the whole snapshot", ours: r.putMs, ...peerOf(peer?.fullReconcileMs), unit: "ms", extra: "peer: one whole reconcile (CPU), what the control plane ran per PUT before the delta path" },
  );
  const peerLine = peer === undefined ? `the whole path failed: ${(r.peer as { failed: string }).failed}` : `peer = whole PUT + whole-view long poll, measured in this run (${Object.values(peer.kinds)[0]?.fleet.length ?? 0} node(s) per event)`;
  printRows(`bench:scale, ${label}: ours = PATCH + watch; ${peerLine}`, rows);
}

console.log(`bench:scale on ${process.env["HOSTNAME"] ?? "this machine"}: load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at start (2 cores, shared: figures are noisy)`);
console.log("targets (issue 14, at 100k tasks): one task change < 10 ms control-plane CPU and < 10 KB to a node; change → name and VIP live on a node p99 < 250 ms; relist < 5 s; control plane < 1 GB RSS; agent + DNS < 300 MB");
console.log("anchors: kube-proxy nftables partial sync of one Service among 10k ~141 ms; Kubernetes 100-node NetworkProgrammingLatency p50 1.52 s / p99 6.8 s");
const started = Date.now();
for (const tasks of sizes) {
  const size = RECONCILE_SIZES.find((s) => s.tasks === tasks) ?? { tasks, agents: Math.max(100, tasks / 10), apps: Math.max(10, tasks / 10) };
  console.log(`\n${tasks} tasks / ${size.agents} agents: running (load average ${loadavg()[0]!.toFixed(2)})`);
  const result = await runSize(size, OPTIONS(tasks), (line) => console.log(line));
  print(result);
  console.log(`  load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}
console.log(`\nbench:scale took ${((Date.now() - started) / 1000).toFixed(0)} s`);
