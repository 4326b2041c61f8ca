import { describe, expect, it } from "vitest";
import { DnsMetrics, renderPrometheus } from "../../lib/dns/metrics.ts";

describe("DNS metrics", () => {
  it("renders counters, histograms and the zone version in the Prometheus text format", () => {
    const m = new DnsMetrics();
    m.answered(1, 0, "local", 0.00003);
    m.answered(1, 0, "local", 0.002);
    m.answered(28, 3, "local", 0.00004);
    m.answered(65280, 0, "forward", 0.01);
    m.forwardReplied("10.0.0.53:53", 0, 12);
    m.upstreamFailed("10.0.0.54:53", "timeout");
    m.dropped("short");
    m.zoneLoaded({ version: "abc", records: 12, zones: 3, loadedAt: 1_700_000_000_000 });
    m.zoneRejected();
    const text = renderPrometheus([m.snapshot()]);
    expect(text).toContain('wayfinder_dns_queries_total{type="A",rcode="NOERROR"} 2');
    expect(text).toContain('wayfinder_dns_queries_total{type="AAAA",rcode="NXDOMAIN"} 1');
    expect(text).toContain('wayfinder_dns_queries_total{type="other",rcode="NOERROR"} 1');
    expect(text).toContain('wayfinder_dns_answer_duration_seconds_bucket{source="local",le="0.00005"} 2');
    expect(text).toContain('wayfinder_dns_answer_duration_seconds_bucket{source="local",le="+Inf"} 3');
    expect(text).toContain('wayfinder_dns_answer_duration_seconds_count{source="forward"} 1');
    expect(text).toContain('wayfinder_dns_forward_duration_seconds_bucket{upstream="10.0.0.53:53",le="0.025"} 1');
    expect(text).toContain('wayfinder_dns_upstream_failures_total{upstream="10.0.0.54:53",reason="timeout"} 1');
    expect(text).toContain('wayfinder_dns_dropped_total{reason="short"} 1');
    expect(text).toContain('wayfinder_dns_zone_info{version="abc"} 1');
    expect(text).toContain("wayfinder_dns_zone_records 12");
    expect(text).toContain("wayfinder_dns_zone_loaded_timestamp_seconds 1700000000");
    expect(text).toContain("wayfinder_dns_zone_reload_failures_total 1");
    for (const line of text.trim().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [\d.e+-]+)$/);
  });

  it("sums the workers' snapshots and counts the processes on each zone version", () => {
    const a = new DnsMetrics();
    const b = new DnsMetrics();
    a.answered(1, 0, "local", 0.0001);
    b.answered(1, 0, "local", 0.0001);
    a.zoneLoaded({ version: "v1", records: 1, zones: 1, loadedAt: 1 });
    b.zoneLoaded({ version: "v2", records: 2, zones: 1, loadedAt: 2 });
    const text = renderPrometheus([a.snapshot(), b.snapshot()]);
    expect(text).toContain('wayfinder_dns_queries_total{type="A",rcode="NOERROR"} 2');
    expect(text).toContain('wayfinder_dns_zone_info{version="v1"} 1');
    expect(text).toContain('wayfinder_dns_zone_info{version="v2"} 1');
    expect(text).toContain("wayfinder_dns_zone_records 2");
  });

  it("escapes label values", () => {
    const m = new DnsMetrics();
    m.zoneLoaded({ version: 'a"b\\c\nd', records: 0, zones: 0, loadedAt: 0 });
    expect(renderPrometheus([m.snapshot()])).toContain('wayfinder_dns_zone_info{version="a\\"b\\\\c\\nd"} 1');
  });
});
