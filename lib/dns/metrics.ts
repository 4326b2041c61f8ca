/**
 * @module
 * The DNS server's metrics, in Prometheus text format (exposition format 0.0.4). Counting is
 * a map increment on the query path; rendering happens on scrape, through the project's one
 * Prometheus writer (`lib/metrics`). Each worker process keeps its own `DnsMetrics`; the
 * primary sums their plain snapshots into one exposition (`renderPrometheus`), so a scrape sees
 * the node, not one worker.
 */
import { addBuckets, emptyBuckets, observeBucket, type BucketCounts } from "../metrics/buckets.ts";
import { Counter, Gauge, Histogram, Registry } from "../metrics/registry.ts";
import { compareStrings } from "../net/compare.ts";
import { RCODE, RCODE_BADVERS, TYPE_NAMES } from "./wire/constants.ts";

/** Bucket bounds in seconds: local answers take microseconds, forwarded ones milliseconds. */
const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Everything one process counted; plain data so it crosses the cluster IPC channel. */
export interface MetricsSnapshot {
  /** `type|rcode` → count. */
  queries: Record<string, number>;
  /** `source` (local, forward) → answer latency. */
  answerSeconds: Record<string, BucketCounts>;
  /** `upstream|rcode` → replies. */
  forwardReplies: Record<string, number>;
  forwardSeconds: Record<string, BucketCounts>;
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
  readonly #answerSeconds = { local: emptyBuckets(BUCKETS), forward: emptyBuckets(BUCKETS) };
  /** Per upstream: replies by header rcode (0–15) and their round trips; looked up once per reply, no key built. */
  readonly #forwards = new Map<string, { rcodes: Float64Array; seconds: BucketCounts }>();
  readonly #failures = new Map<string, number>();
  readonly #dropped = new Map<string, number>();
  #zone: MetricsSnapshot["zone"];
  #zoneReloadFailures = 0;

  /** A reply went out. Types outside the named ones count as `other`, so a fuzzer cannot grow the map. */
  answered(qtype: number, rcode: number, source: "local" | "forward", seconds: number): void {
    this.#queries[(TYPE_NAMES[qtype] === undefined ? 0 : qtype) * 32 + (rcode & 31)]!++;
    observeBucket(this.#answerSeconds[source], BUCKETS, seconds);
  }

  forwardReplied(upstream: string, rcode: number, rttMs: number): void {
    let counts = this.#forwards.get(upstream);
    if (counts === undefined) this.#forwards.set(upstream, (counts = { rcodes: new Float64Array(16), seconds: emptyBuckets(BUCKETS) }));
    counts.rcodes[rcode & 15]!++;
    observeBucket(counts.seconds, BUCKETS, rttMs / 1000);
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

/**
 * @example renderPrometheus([worker1.snapshot(), worker2.snapshot()]) // "# HELP wayfinder_dns_queries_total ..."
 */
export function renderPrometheus(snapshots: readonly MetricsSnapshot[]): string {
  const registry = new Registry();
  // Series print in key order, so two scrapes of the same counts are the same bytes.
  const counter = (name: string, help: string, labelNames: string[], values: Map<string, number>) => {
    const metric = registry.add(new Counter(name, help, labelNames));
    for (const [key, value] of sortedByKey(values)) {
      const parts = key.split("|");
      metric.inc(Object.fromEntries(labelNames.map((label, i) => [label, parts[i] ?? ""])), value);
    }
  };
  const histogram = (name: string, help: string, label: string, values: Map<string, BucketCounts>) => {
    const metric = registry.add(new Histogram(name, help, BUCKETS, [label]));
    for (const [key, h] of sortedByKey(values)) metric.add(h, { [label]: key });
  };

  counter("wayfinder_dns_queries_total", "Replies sent, by query type and response code.", ["type", "rcode"], sumCounts(snapshots.map((s) => s.queries)));
  histogram("wayfinder_dns_answer_duration_seconds", "Time from receiving a query to sending its reply.", "source", sumHistograms(snapshots.map((s) => s.answerSeconds)));
  counter("wayfinder_dns_forward_replies_total", "Upstream replies to forwarded queries, by upstream and response code.", ["upstream", "rcode"], sumCounts(snapshots.map((s) => s.forwardReplies)));
  histogram("wayfinder_dns_forward_duration_seconds", "Round trip of forwarded queries, by upstream.", "upstream", sumHistograms(snapshots.map((s) => s.forwardSeconds)));
  counter("wayfinder_dns_upstream_failures_total", "Forwarded queries an upstream did not answer, by reason.", ["upstream", "reason"], sumCounts(snapshots.map((s) => s.upstreamFailures)));
  counter("wayfinder_dns_dropped_total", "Queries dropped or turned away without an answer from the zones or an upstream, by reason.", ["reason"], sumCounts(snapshots.map((s) => s.dropped)));

  const versions = new Map<string, number>();
  for (const s of snapshots) if (s.zone !== undefined) versions.set(s.zone.version, (versions.get(s.zone.version) ?? 0) + 1);
  const info = registry.add(new Gauge("wayfinder_dns_zone_info", "Desired-state hash of the zones being served (value: processes serving it).", ["version"]));
  for (const [version, count] of sortedByKey(versions)) info.set(count, { version });
  const latest = snapshots.map((s) => s.zone).filter((z) => z !== undefined).sort((a, b) => b.loadedAt - a.loadedAt)[0];
  if (latest !== undefined) {
    registry.add(new Gauge("wayfinder_dns_zone_records", "Records being served.")).set(latest.records);
    registry.add(new Gauge("wayfinder_dns_zone_loaded_timestamp_seconds", "When the zones being served were loaded.")).set(latest.loadedAt / 1000);
  }
  registry
    .add(new Counter("wayfinder_dns_zone_reload_failures_total", "Zone sources rejected (the previous zones kept serving)."))
    .inc({}, snapshots.reduce((n, s) => n + s.zoneReloadFailures, 0));
  return registry.render();
}

function sortedByKey<V>(values: ReadonlyMap<string, V>): Array<[string, V]> {
  return [...values].sort(([a], [b]) => compareStrings(a, b));
}

function sumCounts(records: readonly Record<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const record of records) for (const [key, value] of Object.entries(record)) out.set(key, (out.get(key) ?? 0) + value);
  return out;
}

function sumHistograms(records: readonly Record<string, BucketCounts>[]): Map<string, BucketCounts> {
  const out = new Map<string, BucketCounts>();
  for (const record of records) {
    for (const [key, h] of Object.entries(record)) {
      const into = out.get(key) ?? emptyBuckets(BUCKETS);
      addBuckets(into, h);
      out.set(key, into);
    }
  }
  return out;
}
