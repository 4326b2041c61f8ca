import { describe, expect, it } from "vitest";
import type { DnsRecord, DnsZone } from "../../lib/desired/schema.ts";
import { ZoneIndex } from "../../lib/dns/zone-index.ts";
import { nameKey } from "../../lib/dns/wire/names.ts";
import { DCOS_SOA } from "../support/dns-zones.ts";

const zone = (origin: string, records: DnsRecord[]): DnsZone => ({ origin, ttl: 5, soa: DCOS_SOA, records });
const key = (name: string) => nameKey(name)!;

describe("ZoneIndex", () => {
  it("finds the zone of a name by its longest origin", () => {
    const { index } = ZoneIndex.build([zone("thisdcos.directory", []), zone("dcos.thisdcos.directory", [])]);
    expect(index.zoneFor(key("a.b.dcos.thisdcos.directory"))?.origin).toBe("dcos.thisdcos.directory");
    expect(index.zoneFor(key("a.thisdcos.directory"))?.origin).toBe("thisdcos.directory");
    expect(index.zoneFor(key("example.org"))).toBeUndefined();
  });

  it("knows empty non-terminals exist, and names outside do not", () => {
    const { index } = ZoneIndex.build([zone("mesos", [{ name: "s1.marathon.slave.mesos", type: "A", ttl: 5, data: "10.0.0.1" }])]);
    expect(index.exists(key("marathon.slave.mesos"))).toBe(true);
    expect(index.exists(key("slave.mesos"))).toBe(true);
    expect(index.exists(key("mesos"))).toBe(true);
    expect(index.exists(key("other.mesos"))).toBe(false);
  });

  it("serves localhost unless a zone of that name is given", () => {
    expect(ZoneIndex.build([]).index.node(key("localhost"))?.A?.[0]?.data).toBe("127.0.0.1");
    const own = ZoneIndex.build([zone("localhost", [{ name: "localhost", type: "A", ttl: 5, data: "127.0.0.9" }])]).index;
    expect(own.node(key("localhost"))?.A?.map((r) => r.data)).toEqual(["127.0.0.9"]);
  });

  it("leaves out, and names, every record that cannot go on the wire, keeping the rest", () => {
    const long = `${"a".repeat(64)}.mesos`;
    const { index, problems } = ZoneIndex.build(
      [
        zone("mesos", [
          { name: "good.mesos", type: "A", ttl: 5, data: "10.0.0.1" },
          { name: "bad.mesos", type: "A", ttl: 5, data: "10.0.0.300" },
          { name: "bad.mesos", type: "AAAA", ttl: 5, data: "10.0.0.1" },
          { name: long, type: "A", ttl: 5, data: "10.0.0.2" },
          { name: "elsewhere.org", type: "A", ttl: 5, data: "10.0.0.3" },
          { name: "srv.mesos", type: "SRV", ttl: 5, data: { priority: 0, weight: 1, port: 70000, target: "good.mesos" } },
          { name: "alias.mesos", type: "CNAME", ttl: 5, data: "good.mesos" },
          { name: "alias.mesos", type: "A", ttl: 5, data: "10.0.0.4" },
          { name: "good.mesos", type: "CNAME", ttl: 5, data: "alias.mesos" },
          { name: "neg.mesos", type: "A", ttl: -1, data: "10.0.0.5" },
        ]),
        zone("a..b", []),
        zone("mesos", []),
      ]
    );
    expect(index.node(key("good.mesos"))?.A?.map((r) => r.data)).toEqual(["10.0.0.1"]);
    expect(index.node(key("alias.mesos"))?.CNAME?.data).toBe("good.mesos");
    expect(index.node(key("bad.mesos"))).toBeUndefined();
    expect(index.zones.map((z) => z.origin)).toEqual(["mesos", "localhost", "thisdcos.directory", "thisdcos.global"]); // bad records left out, built-ins added
    expect(index.zones[0]!.records.map((r) => `${r.name} ${r.type}`)).toEqual(["alias.mesos CNAME", "good.mesos A"]); // sorted by name, as the zone builder emits them
    expect(problems).toEqual([
      "zone 'mesos': bad.mesos A: '10.0.0.300' is not an IPv4 address; record skipped",
      "zone 'mesos': bad.mesos AAAA: '10.0.0.1' is not an IPv6 address; record skipped",
      `zone 'mesos': ${long} A: the name is not a valid domain name; record skipped`,
      "zone 'mesos': elsewhere.org A: the name is outside the zone; record skipped",
      "zone 'mesos': srv.mesos SRV: priority, weight and port must be 0–65535; record skipped",
      "zone 'mesos': neg.mesos A: TTL -1 is out of range; record skipped",
      // CNAME clashes last: they are tried again once the owner's previous records are gone.
      "zone 'mesos': alias.mesos A: the name already has a CNAME; record skipped",
      "zone 'mesos': good.mesos CNAME: a CNAME cannot share its name with other data; record skipped",
      "zone 'a..b': the origin is not a valid domain name; zone skipped",
      "zone 'mesos': listed twice; the second copy is skipped",
    ]);
  });
});
