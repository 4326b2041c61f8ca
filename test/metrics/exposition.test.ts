import { describe, expect, it } from "vitest";
import { emptyBuckets, observeBucket } from "../../lib/metrics/buckets.ts";
import { escapeHelp, familyLines, formatValue, labelText, renderExposition } from "../../lib/metrics/exposition.ts";

describe("Prometheus text exposition", () => {
  it.each([
    [Number.POSITIVE_INFINITY, "+Inf"],
    [Number.NEGATIVE_INFINITY, "-Inf"],
    [Number.NaN, "NaN"],
    [0.00005, "0.00005"],
    [1_700_000_000, "1700000000"],
  ])("formats %s as %s", (n, text) => {
    expect(formatValue(n)).toBe(text);
  });

  it("prints no braces without labels, and escapes values with them", () => {
    expect(labelText([])).toBe("");
    expect(labelText([["a", "x\\y"], ["b", 'q"\n']])).toBe('{a="x\\\\y",b="q\\"\\n"}');
  });

  it("escapes HELP text (backslash and newline, not quotes)", () => {
    expect(escapeHelp('say "hi"\\\nbye')).toBe('say "hi"\\\\\\nbye');
  });

  it("prints HELP and TYPE even for a family without samples, and ends the exposition with a newline", () => {
    const family = { name: "x_total", help: "X", type: "counter" as const, samples: [] };
    expect(familyLines(family)).toEqual(["# HELP x_total X", "# TYPE x_total counter"]);
    expect(renderExposition([family, { ...family, name: "y", samples: [{ labels: [], value: 2 }] }])).toBe(
      "# HELP x_total X\n# TYPE x_total counter\n# HELP y X\n# TYPE y counter\ny 2\n",
    );
  });

  it("counts an observation into the first bucket whose bound holds it; past the last bound is +Inf", () => {
    const series = emptyBuckets([0.1, 1]);
    for (const v of [0.1, 0.2, 1, 7]) observeBucket(series, [0.1, 1], v);
    expect(series).toEqual({ counts: [1, 2, 1], sum: 8.3 });
  });
});
