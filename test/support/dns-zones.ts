/**
 * @module
 * Zone sets for DNS server tests, shaped after the dcos-net handler suite (specs/dns.md §3.8):
 * a CNAME chain, the `registry` CNAME, 16 and 128 A records under one name, renamed l4lb
 * names, and a Mesos-DNS zone with SRV records, IPv6 and an empty non-terminal.
 */
import type { DnsRecord, DnsZone, SoaData } from "../../lib/desired/schema.ts";
import type { ZoneSet } from "../../lib/dns/serving-state.ts";

export const DCOS_SOA: SoaData = { mname: "ns.spartan", rname: "support.mesosphere.com", serial: 1, refresh: 60, retry: 180, expire: 86400, minimum: 1 };
export const MESOS_SOA: SoaData = { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 7, refresh: 60, retry: 600, expire: 86400, minimum: 60 };

const a = (name: string, data: string, ttl = 5): DnsRecord => ({ name, type: "A", ttl, data });
const aaaa = (name: string, data: string, ttl = 5): DnsRecord => ({ name, type: "AAAA", ttl, data });
const cname = (name: string, data: string): DnsRecord => ({ name, type: "CNAME", ttl: 5, data });
const srv = (name: string, target: string, port: number): DnsRecord => ({ name, type: "SRV", ttl: 60, data: { priority: 0, weight: 1, port, target } });
const ns = (name: string, data: string, ttl = 3600): DnsRecord => ({ name, type: "NS", ttl, data });

function dcosZone(origin: string, records: DnsRecord[]): DnsZone {
  return { origin, ttl: 5, soa: DCOS_SOA, records: [ns(origin, "ns.spartan"), ...records] };
}

/** `count` addresses 10.1.x.y. */
export function addresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.1.${i >> 8}.${i & 0xff}`);
}

export const TEST_ZONES: DnsZone[] = [
  dcosZone("test.thisdcos.directory", [
    cname("foo.test.thisdcos.directory", "bar.test.thisdcos.directory"),
    cname("bar.test.thisdcos.directory", "baz.test.thisdcos.directory"),
    cname("baz.test.thisdcos.directory", "qux.test.thisdcos.directory"),
    ...addresses(5).map((ip) => a("qux.test.thisdcos.directory", ip)),
    cname("loop1.test.thisdcos.directory", "loop2.test.thisdcos.directory"),
    cname("loop2.test.thisdcos.directory", "loop1.test.thisdcos.directory"),
    cname("away.test.thisdcos.directory", "www.example.org"),
    cname("dangling.test.thisdcos.directory", "missing.test.thisdcos.directory"),
  ]),
  dcosZone("component.thisdcos.directory", [cname("registry.component.thisdcos.directory", "master.mesos.thisdcos.directory")]),
  dcosZone("mesos.thisdcos.directory", [1, 2, 3, 4, 5].map((i) => a("master.mesos.thisdcos.directory", `127.0.0.${i}`))),
  dcosZone("dcos.thisdcos.directory", [
    ...addresses(16).map((ip) => a("sixteen.marathon.autoip.dcos.thisdcos.directory", ip)),
    ...addresses(128).map((ip) => a("app.autoip.dcos.thisdcos.directory", ip)),
    a("web.marathon.autoip.dcos.thisdcos.directory", "10.0.1.11"),
    a("web.marathon.autoip.dcos.thisdcos.directory", "10.0.1.12"),
  ]),
  dcosZone("l4lb.thisdcos.directory", [a("app.marathon.l4lb.thisdcos.directory", "127.0.0.1"), aaaa("app.marathon.l4lb.thisdcos.directory", "fd01:c::1")]),
  dcosZone("spartan", [a("ready.spartan", "127.0.0.1"), a("ns.spartan", "198.51.100.1")]),
  {
    origin: "mesos",
    ttl: 60,
    soa: MESOS_SOA,
    records: [
      ns("mesos", "ns1.mesos", 60),
      a("ns1.mesos", "10.0.0.1", 60),
      a("leader.mesos", "10.0.0.1", 60),
      a("liquor-store.marathon.mesos", "10.3.0.1", 60),
      a("liquor-store.marathon.mesos", "10.3.0.2", 60),
      a("liquor-store-4dfjd-0.marathon.mesos", "10.3.0.1", 60),
      a("liquor-store-zasmd-1.marathon.mesos", "10.3.0.2", 60),
      srv("_liquor-store._tcp.marathon.mesos", "liquor-store-4dfjd-0.marathon.mesos", 80),
      srv("_liquor-store._tcp.marathon.mesos", "liquor-store-4dfjd-0.marathon.mesos", 443),
      srv("_liquor-store._tcp.marathon.mesos", "liquor-store-zasmd-1.marathon.mesos", 80),
      srv("_liquor-store._tcp.marathon.mesos", "liquor-store-zasmd-1.marathon.mesos", 443),
      a("toy-store.ipv6-framework.mesos", "12.0.1.2", 60),
      aaaa("toy-store.ipv6-framework.mesos", "fd01:b::1:8000:2", 60),
      a("slave.mesos", "10.0.2.1", 60),
      aaaa("slave.mesos", "2001:db8::1", 60),
      srv("_slave._tcp.mesos", "slave.mesos", 5051),
      a("s1.marathon.slave.mesos", "10.0.2.1", 60),
      ...addresses(60).map((_ip, i) => srv("_big._tcp.marathon.mesos", `big-${i}.marathon.mesos`, 31000 + i)),
      ...addresses(60).map((ip, i) => a(`big-${i}.marathon.mesos`, ip, 60)),
    ],
  },
];

/** The test zones, forwarding to `upstreams` for everyone on loopback. */
export function testZoneSet(forwarding: Partial<NonNullable<ZoneSet["forwarding"]>> = {}): ZoneSet {
  return {
    version: "test-version",
    zones: TEST_ZONES,
    forwarding: { upstreams: [], zones: [], allowedNetworks: ["127.0.0.0/8", "::1/128"], timeoutMs: 2000, ...forwarding },
  };
}
