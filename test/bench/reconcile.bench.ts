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
  medianMs: number;
  /** Heap the result keeps alive, after a full GC. */
  retainedMiB: number;
  /** Peak resident set of the process (getrusage maxrss), snapshot generation included. */
  peakRssMiB: number;
}

type Case = "mesos-shape" | "issue-cluster";

function measure(kind: Case, tasks: number): Measurement {
  tuneHeapForReconcile();
  const size = RECONCILE_SIZES.find((s) => s.tasks === tasks);
  const snapshot: ClusterSnapshot = kind === "mesos-shape" || size === undefined ? mesosDnsShapedSnapshot(tasks) : syntheticSnapshot(size);
  const run = kind === "mesos-shape" ? () => [mesosZone(snapshot).zone] : () => dnsZones(snapshot, { l4lbServices: [] }).zones;
  const gc = (globalThis as { gc?: () => void }).gc;
  run(); // warm-up: the first call pays for compilation
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const times: number[] = [];
  let records = 0;
  let retained = 0;
  for (let i = 0; i < (tasks >= 50_000 ? 3 : 7); i++) {
    const start = process.hrtime.bigint();
    const zones = run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    records = zones.reduce((n, z) => n + z.records.length, 0);
    gc?.();
    retained = process.memoryUsage().heapUsed - heapBefore;
  }
  times.sort((a, b) => a - b);
  return { records, medianMs: times[Math.floor(times.length / 2)]!, retainedMiB: retained / 2 ** 20, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
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
    like.push({ case: `${n} tasks`, ours: m.medianMs, peer: peer.ms, peerSource: peer.source, unit: "ms", extra: `${m.records} records` });
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
      extra: `${m.records} records (${(m.records / size.tasks).toFixed(1)}/task), result ${m.retainedMiB.toFixed(0)} MiB = ${perTask.toFixed(2)} KiB/task, peak rss ${m.peakRssMiB.toFixed(0)} MiB`,
    });
  }
  printRows("every DNS zone, the issue's clusters (DiscoveryInfo names, overlay IPs, VIPs; peer anchor as above)", issue);
}
