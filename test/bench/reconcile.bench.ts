/**
 * `npm run bench:reconcile`: snapshot → DNS zones, wall time and memory. Every size runs in a
 * fresh child process (with the heap settings every wayfinder process uses) so memory figures
 * do not mix.
 *
 * 1. Like for like with mesos-dns: its own synthetic shape (500 agents, 100 app names, two
 *    ports, ~10 records a task) through the Mesos-DNS zone alone, at 1k, 10k, 50k and 100k tasks.
 * 2. The issue's clusters: 1k, 10k and 100k tasks over 500 to 10k agents with DiscoveryInfo
 *    names and named ports, overlay addresses and VIP labels, through every zone (Mesos-DNS and
 *    dcos-dns): ~17 records a task, and the memory figures (linear in tasks?).
 *
 * The peer is mesos-dns's record generator (Go). It cannot be built here (its Go module sources
 * are not reachable offline), so its figures are the lab anchors measured on this machine kind
 * (specs/lab-notes.md, specs/dns.md §5.2): 8.9 ms at 1k, 83 ms at 10k, 597 ms at 50k tasks;
 * 100k is 2 × the 50k figure. They are anchors, not measured in this run: compare ratios with
 * that in mind.
 *
 * The anchor came from Go's benchmark loop (runs back to back, the collector running as it
 * will), so our headline figure is the same: the median of back-to-back runs. Two more are
 * printed beside it: a run that starts right after a forced full GC (V8 then starts again from
 * a small young generation, as on an agent that was idle), and the first, cold call.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printRows, type BenchRow } from "./report.ts";
import { RECONCILE_SIZES, mesosDnsShapedSnapshot, syntheticSnapshot } from "./synthetic-cluster.ts";
import { dnsZones } from "../../functions/dns-zones/index.ts";
import { mesosZone } from "../../functions/dns-zones/mesos-zone.ts";
import { tuneHeapForReconcile } from "../../lib/runtime/heap-tuning.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";

const MESOS_DNS_MS: Record<number, { ms: number; source: string }> = {
  1_000: { ms: 8.9, source: "anchor" },
  10_000: { ms: 83, source: "anchor" },
  50_000: { ms: 597, source: "anchor" },
  100_000: { ms: 1194, source: "anchor: 2 x 50k" },
};

interface Measurement {
  records: number;
  /** Median of back-to-back runs, as Go's `testing.B` loop measured the mesos-dns anchor. */
  medianMs: number;
  /** Median of runs that each start right after a full GC (an agent reconciling after idle time, its young generation shrunk back). */
  afterGcMs: number;
  /** The first call in a fresh process (a one-shot `wayfinder plan`: compilation included). */
  coldMs: number;
  /** Heap the result keeps alive, after a full GC. */
  retainedMiB: number;
  /** Peak resident set of the process (getrusage maxrss) through the cold and after-GC runs, snapshot generation included. */
  peakRssMiB: number;
}

type Case = "mesos-shape" | "issue-cluster";

const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;

function measure(kind: Case, tasks: number): Measurement {
  tuneHeapForReconcile();
  const size = RECONCILE_SIZES.find((s) => s.tasks === tasks);
  const snapshot: ClusterSnapshot = kind === "mesos-shape" || size === undefined ? mesosDnsShapedSnapshot(tasks) : syntheticSnapshot(size);
  const run = kind === "mesos-shape" ? () => [mesosZone(snapshot).zone] : () => dnsZones(snapshot, { l4lbServices: [] }).zones;
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const timed = () => {
    const start = process.hrtime.bigint();
    const zones = run();
    return { zones, ms: Number(process.hrtime.bigint() - start) / 1e6 };
  };
  const rounds = tasks >= 50_000 ? 3 : 7;

  const cold = timed();
  const records = cold.zones.reduce((n, z) => n + z.records.length, 0);
  for (let i = 0; i < 2; i++) run(); // let the optimising compiler settle
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const afterGc: number[] = [];
  let retained = 0;
  for (let i = 0; i < rounds; i++) {
    gc();
    const { zones, ms } = timed();
    afterGc.push(ms);
    gc();
    retained = process.memoryUsage().heapUsed - heapBefore;
    if (zones.length === 0) throw new Error("no zones"); // keeps the result alive through the measurement
  }
  // Peak memory is read before the back-to-back runs, whose uncollected garbage would inflate it.
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const backToBack: number[] = [];
  for (let i = 0; i < rounds; i++) backToBack.push(timed().ms);
  return {
    records,
    medianMs: median(backToBack),
    afterGcMs: median(afterGc),
    coldMs: cold.ms,
    retainedMiB: retained / 2 ** 20,
    peakRssMiB,
  };
}

const [kind, tasks] = process.argv.slice(2);
if (kind !== undefined) {
  process.stdout.write(JSON.stringify(measure(kind as Case, Number(tasks))));
} else {
  const self = fileURLToPath(import.meta.url);
  const child = (c: Case, n: number) =>
    JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", self, c, String(n)], { encoding: "utf8" })) as Measurement;

  const like: BenchRow[] = [];
  for (const n of [1_000, 10_000, 50_000, 100_000]) {
    const m = child("mesos-shape", n);
    const peer = MESOS_DNS_MS[n]!;
    like.push({ case: `${n} tasks`, ours: m.medianMs, peer: peer.ms, peerSource: peer.source, unit: "ms", extra: `${m.records} records; after a full GC ${m.afterGcMs.toFixed(1)} ms, cold ${m.coldMs.toFixed(0)} ms` });
  }
  printRows("Mesos-DNS zone, mesos-dns's synthetic shape (peer: mesos-dns record generation, lab anchor)", like);

  const issue: BenchRow[] = [];
  for (const size of RECONCILE_SIZES) {
    const m = child("issue-cluster", size.tasks);
    const peer = MESOS_DNS_MS[size.tasks]!;
    const perTask = (m.retainedMiB * 1024) / size.tasks;
    issue.push({
      case: `${size.tasks} tasks / ${size.agents} agents`,
      ours: m.medianMs,
      peer: peer.ms,
      peerSource: `${peer.source}, ~10 records/task`,
      unit: "ms",
      extra: `${m.records} records (${(m.records / size.tasks).toFixed(1)}/task); after a full GC ${m.afterGcMs.toFixed(0)} ms, cold ${m.coldMs.toFixed(0)} ms; result ${m.retainedMiB.toFixed(0)} MiB = ${perTask.toFixed(2)} KiB/task, peak rss ${m.peakRssMiB.toFixed(0)} MiB`,
    });
  }
  printRows("every DNS zone, the issue's clusters (DiscoveryInfo names, overlay IPs, VIPs; peer anchor as above)", issue);
}
