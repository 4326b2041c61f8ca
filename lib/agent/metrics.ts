/**
 * @module
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format (version 0.0.4). Enough for the agent's few series without a
 * dependency; label values are escaped as the format requires (`\\`, `"`, newline), so an
 * applier error or a hash can never break the output.
 */

type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

function labelText(labels: Labels, extra: Labels = {}): string {
  const all = { ...labels, ...extra };
  const keys = Object.keys(all).sort();
  if (keys.length === 0) return "";
  return `{${keys.map((k) => `${k}="${escapeLabel(all[k]!)}"`).join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
}

/** A value per label set that only goes up. */
export class Counter implements Family {
  readonly type = "counter";
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.#values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.#values.set(key, entry);
  }

  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels))?.value ?? 0;
  }

  render(): string[] {
    return [...this.#values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`);
  }
}

/** A value per label set that is set. */
export class Gauge implements Family {
  readonly type = "gauge";
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  set(value: number, labels: Labels = {}): void {
    this.#values.set(keyOf(labels), { labels, value });
  }

  /** Replaces every series by one: for info-style gauges (`..._info{hash="..."} 1`). */
  only(value: number, labels: Labels): void {
    this.#values.clear();
    this.set(value, labels);
  }

  get(labels: Labels = {}): number | undefined {
    return this.#values.get(keyOf(labels))?.value;
  }

  render(): string[] {
    return [...this.#values.values()].map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`);
  }
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram implements Family {
  readonly type = "histogram";
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}

  observe(value: number, labels: Labels = {}): void {
    const key = keyOf(labels);
    let series = this.#series.get(key);
    if (series === undefined) this.#series.set(key, (series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (const [i, bound] of this.buckets.entries()) if (value <= bound) series.counts[i]!++;
    series.sum += value;
    series.count++;
  }

  /** Observations so far (all label sets). */
  get count(): number {
    return [...this.#series.values()].reduce((n, s) => n + s.count, 0);
  }

  render(): string[] {
    const lines: string[] = [];
    for (const s of this.#series.values()) {
      for (const [i, bound] of this.buckets.entries()) lines.push(`${this.name}_bucket${labelText(s.labels, { le: formatNumber(bound) })} ${s.counts[i]}`);
      lines.push(`${this.name}_bucket${labelText(s.labels, { le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

/**
 * Counters kept by someone else (the kernel's nftables counters): each read replaces every
 * series. A value that goes down (the table was replaced) is a counter reset to Prometheus.
 */
export class ExternalCounter implements Family {
  readonly type = "counter";
  #series: Array<{ labels: Labels; value: number }> = [];
  constructor(readonly name: string, readonly help: string) {}

  replace(series: ReadonlyArray<{ labels: Labels; value: number }>): void {
    this.#series = [...series];
  }

  render(): string[] {
    return this.#series.map((e) => `${this.name}${labelText(e.labels)} ${formatNumber(e.value)}`);
  }
}

/**
 * @example
 * const registry = new Registry();
 * const syncs = registry.add(new Counter("wayfinder_agent_syncs_total", "Sync runs by result"));
 * syncs.inc({ result: "applied" });
 * registry.render(); // "# HELP wayfinder_agent_syncs_total ...\n# TYPE ... counter\n..."
 */
export class Registry {
  readonly #families: Family[] = [];
  readonly #collectors: Array<() => Promise<void>> = [];

  /** Runs before each scrape (`collect`), for families read from elsewhere. */
  addCollector(collect: () => Promise<void>): void {
    this.#collectors.push(collect);
  }

  /** Runs the collectors; one that fails leaves its families as they were. */
  async collect(): Promise<void> {
    await Promise.all(this.#collectors.map((collect) => collect().catch(() => undefined)));
  }

  add<F extends Family>(family: F): F {
    if (this.#families.some((f) => f.name === family.name)) throw new Error(`metric ${family.name} registered twice`);
    this.#families.push(family);
    return family;
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.#families) {
      lines.push(`# HELP ${family.name} ${family.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${family.name} ${family.type}`, ...family.render());
    }
    return `${lines.join("\n")}\n`;
  }
}
