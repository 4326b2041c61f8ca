import { describe, expect, it } from "vitest";
import { Counter, Gauge, Histogram, Registry } from "../../lib/agent/metrics.ts";

describe("Prometheus registry", () => {
  it("renders counters, info gauges and cumulative histograms in the text format", () => {
    const registry = new Registry();
    const syncs = registry.add(new Counter("x_syncs_total", "Syncs"));
    const info = registry.add(new Gauge("x_info", "Info"));
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
  });

  it("escapes label values so an error text cannot add a line or a label", () => {
    const registry = new Registry();
    registry.add(new Counter("x_total", "X")).inc({ error: 'bad "quote"\\\nnext_metric 1' });
    expect(registry.render().split("\n")[2]).toBe('x_total{error="bad \\"quote\\"\\\\\\nnext_metric 1"} 1');
  });

  it("refuses a metric name twice", () => {
    const registry = new Registry();
    registry.add(new Counter("x_total", "X"));
    expect(() => registry.add(new Gauge("x_total", "X"))).toThrow("registered twice");
  });
});
