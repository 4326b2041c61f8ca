/**
 * @module
 * The DNS server's metrics, in Prometheus text format (exposition format 0.0.4). Counting is
 * a map increment on the query path; rendering happens on scrape. Each worker process keeps
 * its own `DnsMetrics`; the primary merges their plain snapshots (`mergeMetrics`) into one
 * exposition, so a scrape sees the node, not one worker.
 */
import { RCODE, RCODE_BADVERS, TYPE_NAMES } from "./wire/constants.ts";

/** Bucket bounds in seconds: local answers take microseconds, forwarded ones milliseconds. */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface HistogramSnapshot {
  /** Cumulative-free counts per bucket, plus one for +Inf. */
  counts: number[];
  sum: number;
}

/** Everything one process counted; plain data so it crosses the cluster IPC channel. */
export interface MetricsSnapshot {
  /** `type|rcode` → count. */
  queries: Record<string, number>;
  /** `source` (local, forward) → answer latency. */
  answerSeconds: Record<string, HistogramSnapshot>;
  /** `upstream|rcode` → replies. */
  forwardReplies: Record<string, number>;
  forwardSeconds: Record<string, HistogramSnapshot>;
  /** `upstream|reason` → failures. */
  upstreamFailures: Record<string, number>;
  /** `reason` → queries dropped without a reply or turned away. */
  dropped: Record<string, number>;
  zone: { version: string; records: number; zones: number; loadedAt: number } | undefined;
  zoneReloadFailures: number;
}

const RCODE_NAMES: Record<number, string> = { ...Object.fromEntries(Object.entries(RCODE).map(([n, c]) => [c, n])), [RCODE_BADVERS]: "BADVERS" };

export class DnsMetrics {
  /** Indexed `qtype * 32 + rcode` (named types are all below 256): this runs on every query. */
  readonly #queries = new Float64Array(256 * 32);
  readonly #answerSeconds = { local: newHistogram(), forward: newHistogram() };
  /** Per upstream: replies by header rcode (0–15) and their round trips; looked up once per reply, no key built. */
  readonly #forwards = new Map<string, { rcodes: Float64Array; seconds: HistogramSnapshot }>();
  readonly #failures = new Map<string, number>();
  readonly #dropped = new Map<string, number>();
  #zone: MetricsSnapshot["zone"];
  #zoneReloadFailures = 0;

  /** A reply went out. Types outside the named ones count as `other`, so a fuzzer cannot grow the map. */
  answered(qtype: number, rcode: number, source: "local" | "forward", seconds: number): void {
    this.#queries[(TYPE_NAMES[qtype] === undefined ? 0 : qtype) * 32 + (rcode & 31)]!++;
    observeInto(this.#answerSeconds[source], seconds);
  }

  forwardReplied(upstream: string, rcode: number, rttMs: number): void {
    let counts = this.#forwards.get(upstream);
    if (counts === undefined) this.#forwards.set(upstream, (counts = { rcodes: new Float64Array(16), seconds: newHistogram() }));
    counts.rcodes[rcode & 15]!++;
    observeInto(counts.seconds, rttMs / 1000);
  }

  upstreamFailed(upstream: string, reason: string): void {
    const key = `${upstream}|${reason}`;
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
  }

  dropped(reason: string): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
  }

  zoneLoaded(zone: NonNullable<MetricsSnapshot["zone"]>): void {
    this.#zone = zone;
  }

  zoneRejected(): void {
    this.#zoneReloadFailures++;
  }

  snapshot(): MetricsSnapshot {
    return {
      queries: Object.fromEntries(
        [...this.#queries.entries()]
          .filter(([, count]) => count > 0)
          .map(([index, count]) => [`${TYPE_NAMES[index >> 5] ?? "other"}|${RCODE_NAMES[index & 31] ?? "other"}`, count]),
      ),
      answerSeconds: Object.fromEntries(Object.entries(this.#answerSeconds).filter(([, h]) => h.counts.some((c) => c > 0))),
      forwardReplies: forwardReplyCounts(this.#forwards),
      forwardSeconds: Object.fromEntries([...this.#forwards].map(([upstream, counts]) => [upstream, counts.seconds])),
      upstreamFailures: Object.fromEntries(this.#failures),
      dropped: Object.fromEntries(this.#dropped),
      zone: this.#zone,
      zoneReloadFailures: this.#zoneReloadFailures,
    };
  }
}

/** `upstream|rcode` → replies, the rcodes without a name summed as `other`. */
function forwardReplyCounts(forwards: ReadonlyMap<string, { rcodes: Float64Array }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [upstream, { rcodes }] of forwards) {
    rcodes.forEach((count, rcode) => {
      if (count === 0) return;
      const key = `${upstream}|${RCODE_NAMES[rcode] ?? "other"}`;
      out[key] = (out[key] ?? 0) + count;
    });
  }
  return out;
}

function newHistogram(): HistogramSnapshot {
  return { counts: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0 };
}

function observeInto(histogram: HistogramSnapshot, seconds: number): void {
  let bucket = 0;
  while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
  histogram.counts[bucket]!++;
  histogram.sum += seconds;
}

/**
 * @example renderPrometheus([worker1.snapshot(), worker2.snapshot()]) // "# HELP wayfinder_dns_queries_total ..."
 */
export function renderPrometheus(snapshots: readonly MetricsSnapshot[]): string {
  const lines: string[] = [];
  const counter = (name: string, help: string, labels: string[], values: Map<string, number>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const [key, value] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) lines.push(`${name}${labelText(labels, key.split("|"))} ${value}`);
  };
  const histogram = (name: string, help: string, label: string, values: Map<string, HistogramSnapshot>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const [key, h] of [...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      let cumulative = 0;
      BUCKETS.forEach((bound, i) => {
        cumulative += h.counts[i]!;
        lines.push(`${name}_bucket${labelText([label, "le"], [key, String(bound)])} ${cumulative}`);
      });
      cumulative += h.counts[BUCKETS.length]!;
      lines.push(`${name}_bucket${labelText([label, "le"], [key, "+Inf"])} ${cumulative}`);
      lines.push(`${name}_sum${labelText([label], [key])} ${h.sum}`, `${name}_count${labelText([label], [key])} ${cumulative}`);
    }
  };

  counter("wayfinder_dns_queries_total", "Replies sent, by query type and response code.", ["type", "rcode"], sumCounts(snapshots.map((s) => s.queries)));
  histogram("wayfinder_dns_answer_duration_seconds", "Time from receiving a query to sending its reply.", "source", sumHistograms(snapshots.map((s) => s.answerSeconds)));
  counter("wayfinder_dns_forward_replies_total", "Upstream replies to forwarded queries, by upstream and response code.", ["upstream", "rcode"], sumCounts(snapshots.map((s) => s.forwardReplies)));
  histogram("wayfinder_dns_forward_duration_seconds", "Round trip of forwarded queries, by upstream.", "upstream", sumHistograms(snapshots.map((s) => s.forwardSeconds)));
  counter("wayfinder_dns_upstream_failures_total", "Forwarded queries an upstream did not answer, by reason.", ["upstream", "reason"], sumCounts(snapshots.map((s) => s.upstreamFailures)));
  counter("wayfinder_dns_dropped_total", "Queries dropped or turned away without an answer from the zones or an upstream, by reason.", ["reason"], sumCounts(snapshots.map((s) => s.dropped)));

  const versions = new Map<string, number>();
  for (const s of snapshots) if (s.zone !== undefined) versions.set(s.zone.version, (versions.get(s.zone.version) ?? 0) + 1);
  lines.push("# HELP wayfinder_dns_zone_info Desired-state hash of the zones being served (value: processes serving it).", "# TYPE wayfinder_dns_zone_info gauge");
  for (const [version, count] of [...versions].sort()) lines.push(`wayfinder_dns_zone_info${labelText(["version"], [version])} ${count}`);
  const latest = snapshots.map((s) => s.zone).filter((z) => z !== undefined).sort((a, b) => b.loadedAt - a.loadedAt)[0];
  if (latest !== undefined) {
    lines.push("# HELP wayfinder_dns_zone_records Records being served.", "# TYPE wayfinder_dns_zone_records gauge", `wayfinder_dns_zone_records ${latest.records}`);
    lines.push("# HELP wayfinder_dns_zone_loaded_timestamp_seconds When the zones being served were loaded.", "# TYPE wayfinder_dns_zone_loaded_timestamp_seconds gauge", `wayfinder_dns_zone_loaded_timestamp_seconds ${latest.loadedAt / 1000}`);
  }
  lines.push(
    "# HELP wayfinder_dns_zone_reload_failures_total Zone sources rejected (the previous zones kept serving).",
    "# TYPE wayfinder_dns_zone_reload_failures_total counter",
    `wayfinder_dns_zone_reload_failures_total ${snapshots.reduce((n, s) => n + s.zoneReloadFailures, 0)}`,
  );
  return `${lines.join("\n")}\n`;
}

function sumCounts(records: readonly Record<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const record of records) for (const [key, value] of Object.entries(record)) out.set(key, (out.get(key) ?? 0) + value);
  return out;
}

function sumHistograms(records: readonly Record<string, HistogramSnapshot>[]): Map<string, HistogramSnapshot> {
  const out = new Map<string, HistogramSnapshot>();
  for (const record of records) {
    for (const [key, h] of Object.entries(record)) {
      const into = out.get(key) ?? newHistogram();
      h.counts.forEach((c, i) => (into.counts[i]! += c));
      into.sum += h.sum;
      out.set(key, into);
    }
  }
  return out;
}

/** Label values escaped as the exposition format requires (backslash, quote, newline). */
function labelText(names: readonly string[], values: readonly string[]): string {
  const pairs = names.map((name, i) => `${name}="${(values[i] ?? "").replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `{${pairs.join(",")}}`;
}
