/**
 * @module
 * Counters, gauges and histograms with labels, and the registry that prints them in the text
 * format (`exposition.ts`). Each metric declares its label names, as prom-client and the Go
 * client do: they fix the order labels print in, and a sample with another label set is a bug
 * caught where it is made, not a malformed scrape. (prom-client itself needs Node's `cluster`
 * module and so does not load on Workers; this is the part of it the project uses.)
 */
import { addBuckets, emptyBuckets, observeBucket, type BucketCounts } from "./buckets.ts";
import { checkLabelNames, checkMetricName, formatValue, renderExposition, type LabelPairs, type MetricFamily, type MetricType, type Sample } from "./exposition.ts";

/** Label values by label name. */
export type Labels = Readonly<Record<string, string>>;

/** What the registry needs of a metric. */
export interface Metric {
  readonly name: string;
  family(): MetricFamily;
}

/** The label handling every metric shares: declared names, checked values, a key per label set. */
abstract class Labelled<Series> implements Metric {
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, { labels: LabelPairs; value: Series }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {
    checkMetricName(name);
    checkLabelNames(name, labelNames);
  }

  abstract family(): MetricFamily;

  /** The series of `labels`, created with `initial()` when new. */
  protected entry(labels: Labels, initial: () => Series): { labels: LabelPairs; value: Series } {
    const values = this.#values(labels);
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (entry === undefined) this.series.set(key, (entry = { labels: this.labelNames.map((n, i) => [n, values[i]!] as const), value: initial() }));
    return entry;
  }

  protected find(labels: Labels): Series | undefined {
    return this.series.get(JSON.stringify(this.#values(labels)))?.value;
  }

  #values(labels: Labels): string[] {
    const names = Object.keys(labels);
    const values = this.labelNames.map((n) => labels[n]);
    if (names.length !== this.labelNames.length || values.some((v) => typeof v !== "string")) {
      throw new Error(`metric ${this.name}: labels {${names.join(",")}} are not the declared {${this.labelNames.join(",")}}`);
    }
    return values as string[];
  }
}

/**
 * A value per label set that only goes up.
 * @example new Counter("wayfinder_agent_syncs_total", "Syncs by result", ["result"]).inc({ result: "applied" })
 */
export class Counter extends Labelled<{ n: number }> {
  readonly type = "counter";

  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
  }

  /** Adds `by` (default 1); adding 0 makes the series appear with value 0. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`metric ${this.name}: a counter cannot go down (inc by ${by})`);
    this.entry(labels, () => ({ n: 0 })).value.n += by;
  }

  get(labels: Labels = {}): number {
    return this.find(labels)?.n ?? 0;
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: this.type, samples: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value.n })) };
  }
}

/**
 * A value per label set that is set.
 * @example new Gauge("wayfinder_agent_consecutive_failures", "Failed syncs in a row").set(0)
 */
export class Gauge extends Labelled<{ n: number }> {
  readonly type = "gauge";

  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames);
  }

  set(value: number, labels: Labels = {}): void {
    this.entry(labels, () => ({ n: 0 })).value.n = value;
  }

  /** Replaces every series by one: for info-style gauges (`..._info{hash="..."} 1`). */
  only(value: number, labels: Labels): void {
    this.series.clear();
    this.set(value, labels);
  }

  get(labels: Labels = {}): number | undefined {
    return this.find(labels)?.n;
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: this.type, samples: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value.n })) };
  }
}

/**
 * Observations counted into buckets, printed cumulatively with their sum and count.
 * @example new Histogram("x_seconds", "Duration", [0.1, 1]).observe(0.5)
 */
export class Histogram extends Labelled<BucketCounts> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    readonly buckets: readonly number[],
    labelNames: readonly string[] = [],
  ) {
    super(name, help, labelNames);
    if (buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= buckets[i - 1]!))) throw new Error(`metric ${name}: buckets must be finite and increasing`);
  }

  observe(value: number, labels: Labels = {}): void {
    observeBucket(this.entry(labels, () => emptyBuckets(this.buckets)).value, this.buckets, value);
  }

  /** Adds observations counted elsewhere with the same buckets (another process's, say). */
  add(counts: BucketCounts, labels: Labels = {}): void {
    if (counts.counts.length !== this.buckets.length + 1) {
      throw new Error(`metric ${this.name}: ${counts.counts.length} bucket counts for ${this.buckets.length} buckets and +Inf`);
    }
    addBuckets(this.entry(labels, () => emptyBuckets(this.buckets)).value, counts);
  }

  /** Observations so far, over every label set. */
  get count(): number {
    let n = 0;
    for (const s of this.series.values()) for (const c of s.value.counts) n += c;
    return n;
  }

  family(): MetricFamily {
    const samples: Sample[] = [];
    for (const { labels, value } of this.series.values()) {
      let cumulative = 0;
      value.counts.forEach((count, i) => {
        cumulative += count;
        const le = i < this.buckets.length ? formatValue(this.buckets[i]!) : "+Inf";
        samples.push({ suffix: "_bucket", labels: [...labels, ["le", le]], value: cumulative });
      });
      samples.push({ suffix: "_sum", labels, value: value.sum }, { suffix: "_count", labels, value: cumulative });
    }
    return { name: this.name, help: this.help, type: this.type, samples };
  }
}

/**
 * Counters kept by someone else (the kernel's nftables counters): each read replaces every
 * series. A value that goes down (the table was replaced) is a counter reset to Prometheus.
 * @example new ExternalCounter("wayfinder_policy_packets_total", "Packets", ["by"]).replace([{ labels: { by: "default" }, value: 3 }])
 */
export class ExternalCounter extends Labelled<{ n: number }> {
  readonly type = "counter";

  replace(series: ReadonlyArray<{ labels: Labels; value: number }>): void {
    this.series.clear();
    for (const { labels, value } of series) this.entry(labels, () => ({ n: 0 })).value.n = value;
  }

  family(): MetricFamily {
    return { name: this.name, help: this.help, type: this.type, samples: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value.n })) };
  }
}

/**
 * The metrics of one exposition, printed in the order they were added.
 * @example
 * const registry = new Registry();
 * const syncs = registry.add(new Counter("wayfinder_agent_syncs_total", "Sync runs by result", ["result"]));
 * syncs.inc({ result: "applied" });
 * registry.render(); // "# HELP wayfinder_agent_syncs_total ...\n# TYPE ... counter\n..."
 */
export class Registry {
  readonly #metrics: Metric[] = [];
  readonly #collectors: Array<() => Promise<void>> = [];

  /** Runs before each scrape (`collect`), for metrics read from elsewhere. */
  addCollector(collect: () => Promise<void>): void {
    this.#collectors.push(collect);
  }

  /** Runs the collectors; one that fails leaves its metrics as they were. */
  async collect(): Promise<void> {
    await Promise.all(this.#collectors.map((collect) => collect().catch(() => undefined)));
  }

  add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.push(metric);
    return metric;
  }

  render(): string {
    return renderExposition(this.#metrics.map((m) => m.family()));
  }
}
