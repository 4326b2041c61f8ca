/**
 * `npm run bench:reconcile`: wall time and peak memory of snapshot → DNS zones for synthetic
 * clusters of 1k, 10k and 100k tasks. Each size runs in a fresh child process so memory
 * figures do not mix. The peer is mesos-dns's record generator; it cannot be built offline
 * here (Go module sources are not reachable), so its figures are the lab anchors measured on
 * this machine kind (specs/lab-notes.md): 8.9 ms at 1k, 83 ms at 10k, 0.6 s at 50k tasks.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { printRows, type BenchRow } from "./report.ts";
import { RECONCILE_SIZES, syntheticSnapshot, type SyntheticSize } from "./synthetic-cluster.ts";
import { dnsZones } from "../../functions/dns-zones/index.ts";

/** mesos-dns InsertState on this machine kind; 100k extrapolated linearly from 50k (0.6 s). */
const MESOS_DNS_MS: Record<number, { ms: number; source: string }> = {
  1_000: { ms: 8.9, source: "anchor: lab-notes" },
  10_000: { ms: 83, source: "anchor: lab-notes" },
  100_000: { ms: 1200, source: "anchor: 2 x lab-notes 50k" },
};

interface Measurement {
  tasks: number;
  agents: number;
  records: number;
  medianMs: number;
  /** Heap the result keeps alive, after a full GC. */
  retainedMiB: number;
  /** Peak resident set of the process (getrusage maxrss), snapshot generation included. */
  peakRssMiB: number;
}

function measure(size: SyntheticSize): Measurement {
  const snapshot = syntheticSnapshot(size);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const runs = size.tasks >= 100_000 ? 3 : 7;
  const times: number[] = [];
  let records = 0;
  let retained = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = dnsZones(snapshot, { l4lbServices: [] });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    records = result.zones.reduce((n, z) => n + z.records.length, 0);
    gc?.();
    retained = process.memoryUsage().heapUsed - heapBefore;
  }
  times.sort((a, b) => a - b);
  return {
    tasks: size.tasks,
    agents: size.agents,
    records,
    medianMs: times[Math.floor(times.length / 2)]!,
    retainedMiB: retained / 2 ** 20,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

const child = process.argv[2];
if (child !== undefined) {
  const size = RECONCILE_SIZES.find((s) => s.tasks === Number(child))!;
  process.stdout.write(JSON.stringify(measure(size)));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: BenchRow[] = [];
  for (const size of RECONCILE_SIZES) {
    const out = execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=8192", "--import", "tsx", self, String(size.tasks)], {
      encoding: "utf8",
      maxBuffer: 1 << 20,
    });
    const m = JSON.parse(out) as Measurement;
    const peer = MESOS_DNS_MS[m.tasks]!;
    rows.push({
      case: `${m.tasks} tasks / ${m.agents} agents`,
      ours: m.medianMs,
      peer: peer.ms,
      peerSource: peer.source,
      unit: "ms",
      extra: `${m.records} records, result ${m.retainedMiB.toFixed(0)} MiB (${((m.retainedMiB * 2 ** 20) / m.tasks / 1024).toFixed(2)} KiB/task), peak rss ${m.peakRssMiB.toFixed(0)} MiB`,
    });
  }
  printRows("snapshot → DNS zones (median wall time; peer: mesos-dns record generation)", rows);
}
