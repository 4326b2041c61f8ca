import { describe, expect, it } from "vitest";
import { Counter, Gauge, Histogram, Registry } from "../../lib/metrics/registry.ts";

describe("Prometheus registry", () => {
  it("renders counters, info gauges and cumulative histograms in the text format", () => {
    const registry = new Registry();
    const syncs = registry.add(new Counter("x_syncs_total", "Syncs", ["result"]));
    const info = registry.add(new Gauge("x_info", "Info", ["hash"]));
    const duration = registry.add(new Histogram("x_seconds", "Duration", [0.1, 1]));
    syncs.inc({ result: "applied" });
    syncs.inc({ result: "applied" }, 2);
    info.only(1, { hash: "a" });
    info.only(1, { hash: "b" });
    duration.observe(0.05);
    duration.observe(0.5);
    duration.observe(5);
    expect(registry.render()).toBe(
      [
        "# HELP x_syncs_total Syncs",
        "# TYPE x_syncs_total counter",
        'x_syncs_total{result="applied"} 3',
        "# HELP x_info Info",
        "# TYPE x_info gauge",
        'x_info{hash="b"} 1',
        "# HELP x_seconds Duration",
        "# TYPE x_seconds histogram",
        'x_seconds_bucket{le="0.1"} 1',
        'x_seconds_bucket{le="1"} 2',
        'x_seconds_bucket{le="+Inf"} 3',
        "x_seconds_sum 5.55",
        "x_seconds_count 3",
        "",
      ].join("\n"),
    );
    expect(duration.count).toBe(3);
  });

  it("prints labels in their declared order, le last, whatever order the caller gives them in", () => {
    const registry = new Registry();
    registry.add(new Counter("x_total", "X", ["type", "rcode"])).inc({ rcode: "NOERROR", type: "A" });
    registry.add(new Histogram("x_seconds", "X", [1], ["source"])).observe(0.5, { source: "local" });
    const lines = registry.render().split("\n");
    expect(lines).toContain('x_total{type="A",rcode="NOERROR"} 1');
    expect(lines).toContain('x_seconds_bucket{source="local",le="1"} 1');
    expect(lines).toContain('x_seconds_sum{source="local"} 0.5');
  });

  it("adds bucket counts made elsewhere to the ones observed here", () => {
    const h = new Histogram("x_seconds", "X", [0.1, 1], ["source"]);
    h.observe(0.05, { source: "a" });
    h.add({ counts: [1, 2, 3], sum: 9 }, { source: "a" });
    expect(h.family().samples.map((s) => s.value)).toEqual([2, 4, 7, 9.05, 7]);
  });

  it("escapes label values so an error text cannot add a line or a label", () => {
    const registry = new Registry();
    registry.add(new Counter("x_total", "X", ["error"])).inc({ error: 'bad "quote"\\\nnext_metric 1' });
    expect(registry.render().split("\n")[2]).toBe('x_total{error="bad \\"quote\\"\\\\\\nnext_metric 1"} 1');
  });

  it("refuses a metric name twice", () => {
    const registry = new Registry();
    registry.add(new Counter("x_total", "X"));
    expect(() => registry.add(new Gauge("x_total", "X"))).toThrow("registered twice");
  });

  it.each([
    ["an undeclared label", () => new Counter("x_total", "X", ["kind"]).inc({ kind: "a", other: "b" }), "labels {kind,other} are not the declared {kind}"],
    ["a missing label", () => new Counter("x_total", "X", ["applier", "op"]).inc({ applier: "dns" }), "labels {applier} are not the declared {applier,op}"],
    ["a value that is not a string", () => new Gauge("x", "X", ["n"]).set(1, { n: 5 as unknown as string }), "are not the declared {n}"],
    ["a counter going down", () => new Counter("x_total", "X").inc({}, -1), "a counter cannot go down"],
    ["a metric name with a dash", () => new Counter("x-total", "X"), 'metric name "x-total" is not'],
    ["a reserved label name", () => new Histogram("x", "X", [1], ["le"]), 'label name "le" is not allowed'],
    ["a label declared twice", () => new Counter("x_total", "X", ["a", "a"]), "label a declared twice"],
    ["buckets out of order", () => new Histogram("x", "X", [1, 0.5]), "buckets must be finite and increasing"],
    ["bucket counts of other buckets", () => new Histogram("x", "X", [1]).add({ counts: [1], sum: 1 }), "1 bucket counts for 1 buckets and +Inf"],
  ])("throws on %s, naming the metric", (_, make, message) => {
    expect(make).toThrow(message);
  });
});
