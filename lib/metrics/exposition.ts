/**
 * @module
 * The Prometheus text exposition format (version 0.0.4), the one writer of it in the project:
 * `# HELP` and `# TYPE` lines, samples with their labels in a fixed order, and the escaping the
 * format requires, so an applier error, an upstream name or a hash can never add a line or a
 * label. No I/O and no runtime API: the agent, the DNS server and a Worker can all use it.
 */

/** The metric types this project exposes. */
export type MetricType = "counter" | "gauge" | "histogram";

/** Label names and values, in the order they are printed. */
export type LabelPairs = ReadonlyArray<readonly [string, string]>;

/** One line of a family: `<name><suffix>{labels} value`. */
export interface Sample {
  /** Appended to the family name: `_bucket`, `_sum`, `_count`, or "" for the value itself. */
  suffix?: string;
  labels: LabelPairs;
  value: number;
}

/** A metric family as printed: its header and its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Throws unless `name` is a valid metric name: names are code, not data, so a bad one is a bug.
 * @example checkMetricName("wayfinder_dns_queries_total") // passes
 */
export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not [a-zA-Z_:][a-zA-Z0-9_:]*`);
}

/**
 * Throws unless every label name is valid, unique, and not reserved (`__` prefixes, and `le`,
 * which histograms add themselves).
 * @example checkLabelNames("x_total", ["applier", "op"]) // passes
 */
export function checkLabelNames(metric: string, names: readonly string[]): void {
  for (const [i, name] of names.entries()) {
    if (!LABEL_NAME.test(name) || name.startsWith("__") || name === "le") throw new Error(`metric ${metric}: label name ${JSON.stringify(name)} is not allowed`);
    if (names.indexOf(name) !== i) throw new Error(`metric ${metric}: label ${name} declared twice`);
  }
}

/**
 * A label value as the format requires: backslash, double quote and newline escaped.
 * @example escapeLabelValue('a"b') // 'a\\"b'
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * HELP text as the format requires: backslash and newline escaped (quotes stay).
 * @example escapeHelp("line one\nline two") // "line one\\nline two"
 */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * A sample value or bucket bound: Go's float text, with the format's spellings of infinity.
 * @example formatValue(Number.POSITIVE_INFINITY) // "+Inf"
 */
export function formatValue(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN";
}

/**
 * `{a="1",b="2"}`, or "" without labels.
 * @example labelText([["type", "A"], ["rcode", "NOERROR"]]) // '{type="A",rcode="NOERROR"}'
 */
export function labelText(labels: LabelPairs): string {
  if (labels.length === 0) return "";
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

/**
 * The lines of one family, HELP and TYPE first, without a trailing newline.
 * @example familyLines({ name: "x_total", help: "X", type: "counter", samples: [{ labels: [], value: 3 }] })
 * // ["# HELP x_total X", "# TYPE x_total counter", "x_total 3"]
 */
export function familyLines(family: MetricFamily): string[] {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  for (const s of family.samples) lines.push(`${family.name}${s.suffix ?? ""}${labelText(s.labels)} ${formatValue(s.value)}`);
  return lines;
}

/**
 * A whole exposition: the families in order, newline-terminated.
 * @example renderExposition([syncs, duration]) // "# HELP ...\n# TYPE ...\n...\n"
 */
export function renderExposition(families: Iterable<MetricFamily>): string {
  const lines: string[] = [];
  for (const family of families) lines.push(...familyLines(family));
  return `${lines.join("\n")}\n`;
}
