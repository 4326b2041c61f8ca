import { describe, expect, it } from "vitest";
import { renderZoneFile } from "../../lib/render/zone-file.ts";
import type { DnsRecord, DnsZone } from "../../lib/desired/schema.ts";

const soa = { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1795003200, refresh: 60, retry: 600, expire: 86400, minimum: 60 };
const zone = (records: DnsRecord[]): DnsZone => ({ origin: "mesos", ttl: 60, soa, records });

describe("renderZoneFile", () => {
  it("writes the SOA first with absolute names and every field", () => {
    const lines = renderZoneFile(zone([])).split("\n");
    expect(lines[1]).toBe("$ORIGIN mesos.");
    expect(lines[2]).toBe("$TTL 60");
    expect(lines[3]).toBe("mesos. 60 IN SOA ns1.mesos. root.ns1.mesos. 1795003200 60 600 86400 60");
  });

  it.each<[DnsRecord, string]>([
    [{ name: "leader.mesos", type: "A", ttl: 60, data: "10.0.0.1" }, "leader.mesos. 60 IN A 10.0.0.1"],
    [{ name: "leader.mesos", type: "AAAA", ttl: 60, data: "2001:db8::1" }, "leader.mesos. 60 IN AAAA 2001:db8::1"],
    [{ name: "mesos", type: "NS", ttl: 60, data: "ns1.mesos" }, "mesos. 60 IN NS ns1.mesos."],
    [{ name: "r.mesos", type: "CNAME", ttl: 5, data: "leader.mesos" }, "r.mesos. 5 IN CNAME leader.mesos."],
    [
      { name: "_leader._tcp.mesos", type: "SRV", ttl: 60, data: { priority: 0, weight: 1, port: 5050, target: "leader.mesos" } },
      "_leader._tcp.mesos. 60 IN SRV 0 1 5050 leader.mesos.",
    ],
    [{ name: "Big Dog.marathon.mesos", type: "A", ttl: 60, data: "10.0.0.1" }, "Big\\032Dog.marathon.mesos. 60 IN A 10.0.0.1"],
    [{ name: "a(b)\\c.mesos", type: "A", ttl: 60, data: "10.0.0.1" }, "a\\040b\\041\\092c.mesos. 60 IN A 10.0.0.1"],
    [{ name: "café.mesos", type: "A", ttl: 60, data: "10.0.0.1" }, "caf\\195\\169.mesos. 60 IN A 10.0.0.1"],
  ])("renders %j", (record, line) => {
    expect(renderZoneFile(zone([record])).split("\n")).toContain(line);
  });

  it("ends with a newline and keeps record order", () => {
    const text = renderZoneFile(
      zone([
        { name: "b.mesos", type: "A", ttl: 60, data: "10.0.0.2" },
        { name: "a.mesos", type: "A", ttl: 60, data: "10.0.0.1" },
      ]),
    );
    expect(text.endsWith("\n")).toBe(true);
    expect(text.indexOf("b.mesos.")).toBeLessThan(text.indexOf("a.mesos."));
  });
});
