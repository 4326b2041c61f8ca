import { describe, expect, it } from "vitest";
import { ZoneBuilder } from "../../../functions/dns-zones/zone-builder.ts";
import type { SoaData } from "../../../lib/desired/schema.ts";

const SOA: SoaData = { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1, refresh: 60, retry: 600, expire: 86400, minimum: 60 };
const srv = (target: string, port: number) => ({ priority: 0, weight: 1, port, target });

describe("ZoneBuilder", () => {
  it("keeps each (name, type, value) once, however often and in whatever order it is added", () => {
    const zone = new ZoneBuilder("mesos", 60);
    for (const ip of ["10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.3", "10.0.0.2"]) zone.add("web.mesos", "A", ip);
    zone.addSrv("_web._tcp.mesos", srv("b.mesos", 80));
    zone.addSrv("_web._tcp.mesos", srv("a.mesos", 80));
    zone.addSrv("_web._tcp.mesos", srv("b.mesos", 80));
    zone.addSrv("_web._tcp.mesos", srv("a.mesos", 80));
    expect(zone.build(SOA).records).toEqual([
      { name: "_web._tcp.mesos", type: "SRV", ttl: 60, data: srv("a.mesos", 80) },
      { name: "_web._tcp.mesos", type: "SRV", ttl: 60, data: srv("b.mesos", 80) },
      { name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.1" },
      { name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.2" },
      { name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.3" },
    ]);
  });

  it("orders by name, then NS, CNAME, A, AAAA, SRV, then value", () => {
    const zone = new ZoneBuilder("mesos", 5);
    zone.addSrv("a.mesos", srv("t.mesos", 2));
    zone.addSrv("a.mesos", srv("t.mesos", 1));
    zone.add("a.mesos", "AAAA", "2001:db8::1");
    zone.add("a.mesos", "A", "10.0.0.1");
    zone.add("a.mesos", "CNAME", "b.mesos");
    zone.add("b.mesos", "A", "10.0.0.2");
    const records = zone.build(SOA, ["ns1.mesos"]).records;
    expect(records.map((r) => `${r.name} ${r.type}`)).toEqual([
      "a.mesos CNAME",
      "a.mesos A",
      "a.mesos AAAA",
      "a.mesos SRV",
      "a.mesos SRV",
      "b.mesos A",
      "mesos NS",
    ]);
    expect(records.filter((r) => r.type === "SRV").map((r) => (r.type === "SRV" ? r.data.port : 0))).toEqual([1, 2]);
    expect(records.every((r) => r.ttl === 5)).toBe(true);
  });

  it("gives the same records whatever the insertion order", () => {
    const adds: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++) adds.push([`n${i % 37}.mesos`, `10.0.${i % 5}.${i % 11}`]);
    const forward = new ZoneBuilder("mesos", 60);
    for (const [name, ip] of adds) forward.add(name, "A", ip);
    const backward = new ZoneBuilder("mesos", 60);
    for (const [name, ip] of [...adds].reverse()) backward.add(name, "A", ip);
    expect(backward.build(SOA)).toEqual(forward.build(SOA));
  });

  it("handles names with thousands of values", () => {
    const zone = new ZoneBuilder("mesos", 60);
    for (let i = 0; i < 5000; i++) zone.add("slave.mesos", "A", `10.${(i >> 8) & 255}.${i & 255}.1`);
    for (let i = 0; i < 5000; i++) zone.add("slave.mesos", "A", `10.${(i >> 8) & 255}.${i & 255}.1`);
    expect(zone.build(SOA).records).toHaveLength(5000);
  });
});
