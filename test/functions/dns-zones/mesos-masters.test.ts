import { describe, expect, it } from "vitest";
import { mesosZone } from "../../../functions/dns-zones/mesos-zone.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { recordSet } from "./mesos-fixture.ts";

function zoneFor(leader: string, masters: string[], dns: NonNullable<ClusterSnapshotInput["config"]>["dns"] = {}) {
  return mesosZone(
    ClusterSnapshot.parse({
      cluster: { name: "t" },
      now: "2024-05-01T12:00:00Z",
      leader,
      masters,
      // No name-server addresses, so the zone holds master records only (§2.3 asserts complete sets).
      config: { dns: { domain: "foo.com", nsAddresses: [], ...dns } },
    }),
  );
}

const SRV7 = ["_leader._tcp.foo.com.|SRV|leader.foo.com.:7", "_leader._udp.foo.com.|SRV|leader.foo.com.:7"];

// mesos-dns `TestMasterRecord` (specs/dns.md §2.3): 14 cases, each the complete A/AAAA/SRV set.
const CASES: Array<[masters: string[], leader: string, expected: string[]]> = [
  [[], "", []],
  [[], "@", []],
  [[], "1@", []],
  [[], "@2", []],
  [[], "3@4", []],
  [[], "5@0.0.0.6:7", ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master0.foo.com.|A|0.0.0.6", ...SRV7]],
  [
    [],
    "5@[2001:db8::1]:7",
    ["leader.foo.com.|AAAA|2001:db8::1", "master.foo.com.|AAAA|2001:db8::1", "master0.foo.com.|AAAA|2001:db8::1", ...SRV7],
  ],
  [["0.0.0.6:7"], "5@0.0.0.6:7", ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master0.foo.com.|A|0.0.0.6", ...SRV7]],
  [
    ["0.0.0.8:9"],
    "5@0.0.0.6:7",
    ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.8", "master0.foo.com.|A|0.0.0.8", "master1.foo.com.|A|0.0.0.6", ...SRV7],
  ],
  [
    ["0.0.0.8:9", "0.0.0.8:9"],
    "5@0.0.0.6:7",
    ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.8", "master0.foo.com.|A|0.0.0.8", "master1.foo.com.|A|0.0.0.6", ...SRV7],
  ],
  [
    ["0.0.0.8:9", "0.0.0.6:7"],
    "5@0.0.0.6:7",
    ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.8", "master0.foo.com.|A|0.0.0.8", "master1.foo.com.|A|0.0.0.6", ...SRV7],
  ],
  [
    ["0.0.0.8:9", "0.0.0.6:7", "0.0.0.6:7"],
    "5@0.0.0.6:7",
    ["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.8", "master0.foo.com.|A|0.0.0.8", "master1.foo.com.|A|0.0.0.6", ...SRV7],
  ],
  [
    ["0.0.0.8:9", "0.0.0.6:7", "0.0.0.7:0"],
    "5@0.0.0.6:7",
    [
      "leader.foo.com.|A|0.0.0.6",
      "master.foo.com.|A|0.0.0.6",
      "master.foo.com.|A|0.0.0.8",
      "master.foo.com.|A|0.0.0.7",
      "master0.foo.com.|A|0.0.0.8",
      "master1.foo.com.|A|0.0.0.6",
      "master2.foo.com.|A|0.0.0.7",
      ...SRV7,
    ],
  ],
  [
    ["0.0.0.8:9", "0.0.0.6:7", "[2001:db8::1]:0"],
    "5@0.0.0.6:7",
    [
      "leader.foo.com.|A|0.0.0.6",
      "master.foo.com.|A|0.0.0.6",
      "master.foo.com.|A|0.0.0.8",
      "master.foo.com.|AAAA|2001:db8::1",
      "master0.foo.com.|A|0.0.0.8",
      "master1.foo.com.|A|0.0.0.6",
      "master2.foo.com.|AAAA|2001:db8::1",
      ...SRV7,
    ],
  ],
];

describe("leader and master records (TestMasterRecord, specs/dns.md §2.3)", () => {
  it("has the 14 cases", () => {
    expect(CASES).toHaveLength(14);
  });

  it.each(CASES)("masters %j, leader %j", (masters, leader, expected) => {
    expect(recordSet(zoneFor(leader, masters).zone)).toEqual(new Set(expected));
  });

  it("reports an unusable leader and makes no leader or master records", () => {
    const { zone, diagnostics } = zoneFor("3@4", ["0.0.0.8:9"]);
    expect(recordSet(zone)).toEqual(new Set());
    expect(diagnostics).toEqual([expect.objectContaining({ level: "error", code: "dns.invalid-leader", subject: "cluster" })]);
  });

  it("reports an absent leader as information, not an error, whatever the masters list holds", () => {
    for (const masters of [[], ["0.0.0.8:9"]]) {
      const { zone, diagnostics } = zoneFor("", masters);
      expect(recordSet(zone)).toEqual(new Set());
      expect(diagnostics).toEqual([expect.objectContaining({ level: "info", code: "dns.no-leader", subject: "cluster" })]);
    }
  });

  it("reports a leader whose host is a name, not an IP", () => {
    const { zone, diagnostics } = zoneFor("master@leader.example:5050", []);
    expect(recordSet(zone)).toEqual(new Set());
    expect(diagnostics.map((d) => d.code)).toEqual(["dns.invalid-leader"]);
  });

  it("skips a master that is not ip:port, with a diagnostic, and keeps the numbering dense", () => {
    const { zone, diagnostics } = zoneFor("5@0.0.0.6:7", ["master-2.example:5050", "0.0.0.8:9"]);
    expect(recordSet(zone)).toEqual(
      new Set(["leader.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.6", "master.foo.com.|A|0.0.0.8", "master0.foo.com.|A|0.0.0.8", "master1.foo.com.|A|0.0.0.6", ...SRV7]),
    );
    expect(diagnostics).toEqual([expect.objectContaining({ level: "warning", code: "dns.invalid-master", subject: "cluster" })]);
  });

  it("recognises the leader in the masters list whatever the IPv6 spelling", () => {
    const { zone } = zoneFor("5@[2001:db8::1]:7", ["[2001:DB8:0::1]:7", "0.0.0.8:9"]);
    expect(recordSet(zone)).toEqual(
      new Set([
        "leader.foo.com.|AAAA|2001:db8::1",
        "master.foo.com.|AAAA|2001:db8::1",
        "master.foo.com.|A|0.0.0.8",
        "master0.foo.com.|AAAA|2001:db8::1",
        "master1.foo.com.|A|0.0.0.8",
        ...SRV7,
      ]),
    );
  });
});

describe("SOA primary address records (TestParseState_SOAMname, specs/dns.md §2.4)", () => {
  it("publishes an IPv4 name-server address as A", () => {
    const { zone } = zoneFor("", [], { domain: "mesos", soa: { mname: "jdef123.mesos." }, nsAddresses: ["4.5.6.7"] });
    expect(recordSet(zone)).toEqual(new Set(["jdef123.mesos.|A|4.5.6.7"]));
    expect(zone.soa.mname).toBe("jdef123.mesos");
  });

  it("publishes an IPv6 name-server address as AAAA", () => {
    const { zone } = zoneFor("", [], { domain: "mesos", soa: { mname: "ack456.mesos." }, nsAddresses: ["2001:db8::1"] });
    expect(recordSet(zone)).toEqual(new Set(["ack456.mesos.|AAAA|2001:db8::1"]));
  });

  it("defaults the name-server addresses to the masters' IPs", () => {
    const { zone } = zoneFor("5@0.0.0.6:7", ["0.0.0.8:9"], { domain: "mesos", nsAddresses: undefined });
    expect([...recordSet(zone)].filter((r) => r.startsWith("ns1."))).toEqual(["ns1.mesos.|A|0.0.0.6", "ns1.mesos.|A|0.0.0.8"]);
  });

  it("publishes no address for a primary outside the zone, and says why", () => {
    const { zone, diagnostics } = zoneFor("", [], { domain: "mesos", soa: { mname: "ns.example.org" }, nsAddresses: ["4.5.6.7"] });
    expect(recordSet(zone)).toEqual(new Set());
    expect(diagnostics.map((d) => d.code)).toContain("dns.soa-mname-out-of-zone");
  });
});
