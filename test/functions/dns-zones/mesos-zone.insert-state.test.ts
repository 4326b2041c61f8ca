import { describe, expect, it } from "vitest";
import { mesosZone } from "../../../functions/dns-zones/mesos-zone.ts";
import type { IpSource } from "../../../lib/snapshot/config.ts";
import type { DnsZone } from "../../../lib/desired/schema.ts";
import { harnessSnapshot, valuesOf } from "./mesos-fixture.ts";

// mesos-dns `TestInsertState`: all 50 assertions (specs/dns.md §2.2), RFC 952 throughout.
const GENERATORS: Record<string, IpSource[]> = {
  rg: ["netinfo", "docker", "mesos", "host"],
  rgSlave: ["host"],
  rgMesos: ["mesos", "host"],
  rgNetinfo: ["netinfo"],
  rgDocker: ["docker", "host"],
};

type Row = [generator: keyof typeof GENERATORS, name: string, type: "A" | "AAAA" | "SRV", expected: string[]];

const ROWS: Row[] = [
  ["rg", "big-dog.marathon.mesos.", "A", ["10.3.0.1"]],
  ["rg", "liquor-store.marathon.mesos.", "A", ["10.3.0.1", "10.3.0.2"]],
  ["rg", "liquor-store.marathon.slave.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rg", "car-store.marathon.slave.mesos.", "A", ["1.2.3.11"]],
  ["rg", "nginx.marathon.mesos.", "A", ["10.3.0.3"]],
  ["rg", "poseidon.marathon.mesos.", "A", []],
  ["rg", "poseidon.marathon.slave.mesos.", "A", []],
  ["rg", "master.mesos.", "A", ["144.76.157.37"]],
  ["rg", "master0.mesos.", "A", ["144.76.157.37"]],
  ["rg", "leader.mesos.", "A", ["144.76.157.37"]],
  ["rg", "slave.mesos.", "A", ["1.2.3.10", "1.2.3.11", "1.2.3.12"]],
  ["rg", "some-box.chronoswithaspaceandmixe.mesos.", "A", ["1.2.3.11"]],
  ["rg", "marathon.mesos.", "A", ["1.2.3.11"]],
  ["rg", "toy-store.ipv6-framework.mesos.", "AAAA", ["fd01:b::1:8000:2"]],
  ["rg", "toy-store.ipv6-framework.slave.mesos.", "AAAA", ["2001:db8::1"]],
  ["rg", "ipv6-framework.mesos.", "AAAA", ["2001:db8::1"]],
  ["rg", "slave.mesos.", "AAAA", ["2001:db8::1"]],
  ["rg", "_big-dog._tcp.marathon.mesos.", "SRV", ["big-dog-4dfjd-0.marathon.mesos.:80", "big-dog-4dfjd-0.marathon.mesos.:443"]],
  ["rg", "_poseidon._tcp.marathon.mesos.", "SRV", []],
  ["rg", "_leader._tcp.mesos.", "SRV", ["leader.mesos.:5050"]],
  [
    "rg",
    "_liquor-store._tcp.marathon.mesos.",
    "SRV",
    [
      "liquor-store-4dfjd-0.marathon.mesos.:80",
      "liquor-store-4dfjd-0.marathon.mesos.:443",
      "liquor-store-zasmd-1.marathon.mesos.:80",
      "liquor-store-zasmd-1.marathon.mesos.:443",
    ],
  ],
  ["rg", "_liquor-store._udp.marathon.mesos.", "SRV", []],
  ["rg", "_liquor-store.marathon.mesos.", "SRV", []],
  ["rg", "_https._liquor-store._tcp.marathon.mesos.", "SRV", ["liquor-store-4dfjd-0.marathon.mesos.:443", "liquor-store-zasmd-1.marathon.mesos.:443"]],
  ["rg", "_http._liquor-store._tcp.marathon.mesos.", "SRV", ["liquor-store-4dfjd-0.marathon.mesos.:80", "liquor-store-zasmd-1.marathon.mesos.:80"]],
  ["rg", "_car-store._tcp.marathon.mesos.", "SRV", ["car-store-zinaz-0.marathon.slave.mesos.:31364", "car-store-zinaz-0.marathon.slave.mesos.:31365"]],
  ["rg", "_car-store._udp.marathon.mesos.", "SRV", ["car-store-zinaz-0.marathon.slave.mesos.:31364", "car-store-zinaz-0.marathon.slave.mesos.:31365"]],
  ["rg", "_slave._tcp.mesos.", "SRV", ["slave.mesos.:5051"]],
  ["rg", "_framework._tcp.marathon.mesos.", "SRV", ["marathon.mesos.:25501"]],
  ["rgSlave", "liquor-store.marathon.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rgSlave", "liquor-store.marathon.slave.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rgSlave", "nginx.marathon.mesos.", "A", ["1.2.3.11"]],
  ["rgSlave", "car-store.marathon.slave.mesos.", "A", ["1.2.3.11"]],
  ["rgSlave", "toy-store.ipv6-framework.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgSlave", "toy-store.ipv6-framework.slave.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgMesos", "liquor-store.marathon.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rgMesos", "liquor-store.marathon.slave.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rgMesos", "nginx.marathon.mesos.", "A", ["10.3.0.3"]],
  ["rgMesos", "car-store.marathon.slave.mesos.", "A", ["1.2.3.11"]],
  ["rgMesos", "toy-store.ipv6-framework.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgMesos", "toy-store.ipv6-framework.slave.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgNetinfo", "toy-store.ipv6-framework.mesos.", "A", ["12.0.1.3", "12.0.1.2"]],
  ["rgNetinfo", "toy-store.ipv6-framework.mesos.", "AAAA", ["fd01:b::1:8000:2"]],
  ["rgNetinfo", "toy-store.ipv6-framework.slave.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgDocker", "liquor-store.marathon.mesos.", "A", ["10.3.0.1", "10.3.0.2"]],
  ["rgDocker", "liquor-store.marathon.slave.mesos.", "A", ["1.2.3.11", "1.2.3.12"]],
  ["rgDocker", "nginx.marathon.mesos.", "A", ["1.2.3.11"]],
  ["rgDocker", "car-store.marathon.slave.mesos.", "A", ["1.2.3.11"]],
  ["rgDocker", "toy-store.ipv6-framework.mesos.", "AAAA", ["2001:db8::1"]],
  ["rgDocker", "toy-store.ipv6-framework.slave.mesos.", "AAAA", ["2001:db8::1"]],
];

const zones = new Map<string, DnsZone>();
function zoneOf(generator: string): DnsZone {
  let zone = zones.get(generator);
  if (zone === undefined) {
    zone = mesosZone(harnessSnapshot({ ipSources: GENERATORS[generator]! })).zone;
    zones.set(generator, zone);
  }
  return zone;
}

describe("TestInsertState (specs/dns.md §2.2)", () => {
  it("has all 50 rows", () => {
    expect(ROWS).toHaveLength(50);
  });

  it.each(ROWS.map((row, i) => [i + 1, ...row] as const))("row %i: %s %s %s", (_n, generator, name, type, expected) => {
    expect(valuesOf(zoneOf(generator), name, type)).toEqual(new Set(expected));
  });

  it("has no record at all under the killed task's names", () => {
    const zone = zoneOf("rg");
    expect(zone.records.filter((r) => r.name.includes("poseidon"))).toEqual([]);
  });
});
