import { describe, expect, it } from "vitest";
import { Forwarder } from "../../lib/dns/forward/forwarder.ts";
import { QueryHandler } from "../../lib/dns/handler.ts";
import { DnsMetrics } from "../../lib/dns/metrics.ts";
import { ServingState, type ZoneSet } from "../../lib/dns/serving-state.ts";
import { addresses, testZoneSet } from "../support/dns-zones.ts";
import { decodeReply, queryBytes, type DecodedReply, type QueryOptions } from "../support/dns-messages.ts";

function handlerFor(zones: ZoneSet = testZoneSet()): QueryHandler {
  const { state } = ServingState.build(zones, {}, 0);
  return new QueryHandler(() => state, new Forwarder({}), new DnsMetrics(), { maxUdpSize: 4096 });
}

/** Asks a question that is answered locally (synchronously). */
function ask(handler: QueryHandler, name: string, type: string, options: QueryOptions & { tcp?: boolean; from?: string } = {}): DecodedReply {
  let reply: Buffer | undefined;
  handler.handle(queryBytes(name, type, options), { address: options.from ?? "127.0.0.1", transport: options.tcp ? "tcp" : "udp" }, (out) => (reply = out));
  if (reply === undefined) throw new Error(`no synchronous reply for ${name} ${type}`);
  return decodeReply(reply);
}

const datas = (records: Array<{ data: unknown }>) => records.map((r) => r.data);
const sorted = (records: Array<{ data: unknown }>) => datas(records).map(String).sort();

describe("local answers", () => {
  const handler = handlerFor();

  it("answers A authoritatively, echoing ID and RD", () => {
    const reply = ask(handler, "liquor-store.marathon.mesos", "A", { id: 777 });
    expect(reply.id).toBe(777);
    expect(reply.rcode).toBe("NOERROR");
    expect(reply.flags).toMatchObject({ qr: true, aa: true, rd: true, tc: false });
    expect(sorted(reply.answers)).toEqual(["10.3.0.1", "10.3.0.2"]);
    expect(reply.answers.every((a) => a.ttl === 60 && a.type === "A")).toBe(true);
  });

  it("matches names case-insensitively and writes the owner as asked", () => {
    const reply = ask(handler, "liquor-STORE.marathon.MESOS", "A");
    expect(reply.questions[0]!.name).toBe("liquor-STORE.marathon.MESOS");
    expect(reply.answers.map((a) => a.name)).toEqual(["liquor-STORE.marathon.MESOS", "liquor-STORE.marathon.MESOS"]);
  });

  it("answers AAAA, and A and AAAA of a dual-stack name separately", () => {
    expect(datas(ask(handler, "toy-store.ipv6-framework.mesos", "AAAA").answers)).toEqual(["fd01:b::1:8000:2"]);
    expect(datas(ask(handler, "toy-store.ipv6-framework.mesos", "A").answers)).toEqual(["12.0.1.2"]);
  });

  it("gives NXDOMAIN with the zone's SOA (TTL min(TTL, minimum)) for an unknown name", () => {
    const reply = ask(handler, "missing.mesos", "A");
    expect(reply.rcode).toBe("NXDOMAIN");
    expect(reply.flags.aa).toBe(true);
    expect(reply.answers).toEqual([]);
    expect(reply.authorities).toEqual([
      {
        name: "mesos",
        type: "SOA",
        ttl: 60,
        class: "IN",
        flush: false,
        data: { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 7, refresh: 60, retry: 600, expire: 86400, minimum: 60 },
      },
    ]);
    expect(ask(handler, "nope.dcos.thisdcos.directory", "A").authorities[0]).toMatchObject({ name: "dcos.thisdcos.directory", ttl: 1 });
  });

  it.each([
    ["a name with another type", "liquor-store.marathon.mesos", "AAAA"],
    ["a type no zone holds", "liquor-store.marathon.mesos", "TXT"],
    ["an empty non-terminal (mesos-dns said NXDOMAIN)", "marathon.slave.mesos", "A"],
    ["an SOA below the apex", "leader.mesos", "SOA"],
  ])("gives NODATA (NOERROR, no answer, SOA) for %s", (_what, name, type) => {
    const reply = ask(handler, name, type);
    expect(reply.rcode).toBe("NOERROR");
    expect(reply.answers).toEqual([]);
    expect(reply.authorities.map((r) => r.type)).toEqual(["SOA"]);
  });

  it("answers SRV with every target's addresses in the additional section", () => {
    const reply = ask(handler, "_liquor-store._tcp.marathon.mesos", "SRV");
    expect(sorted(reply.answers.map((a) => ({ data: JSON.stringify(a.data) })))).toEqual(
      [
        { priority: 0, weight: 1, port: 80, target: "liquor-store-4dfjd-0.marathon.mesos" },
        { priority: 0, weight: 1, port: 443, target: "liquor-store-4dfjd-0.marathon.mesos" },
        { priority: 0, weight: 1, port: 80, target: "liquor-store-zasmd-1.marathon.mesos" },
        { priority: 0, weight: 1, port: 443, target: "liquor-store-zasmd-1.marathon.mesos" },
      ]
        .map((d) => JSON.stringify(d))
        .sort(),
    );
    expect(reply.additionals.map((r) => [r.name, r.data]).sort()).toEqual([
      ["liquor-store-4dfjd-0.marathon.mesos", "10.3.0.1"],
      ["liquor-store-zasmd-1.marathon.mesos", "10.3.0.2"],
    ]);
    const slave = ask(handler, "_slave._tcp.mesos", "SRV");
    expect(slave.additionals.map((r) => r.data).sort()).toEqual(["10.0.2.1", "2001:db8::1"]);
  });

  it("answers SOA and NS at the apex in the answer section, NS with glue", () => {
    const soa = ask(handler, "mesos", "SOA");
    expect(soa.answers).toMatchObject([{ name: "mesos", type: "SOA", ttl: 60, data: { mname: "ns1.mesos", serial: 7 } }]);
    expect(soa.authorities).toEqual([]);
    const ns = ask(handler, "dcos.thisdcos.directory", "NS");
    expect(ns.answers).toMatchObject([{ type: "NS", ttl: 3600, data: "ns.spartan" }]);
    expect(ns.additionals.filter((r) => r.type === "A")).toMatchObject([{ name: "ns.spartan", data: "198.51.100.1" }]);
  });

  it("follows a CNAME chain inside the local zones, links first and in order (dcos-net cnames)", () => {
    const reply = ask(handler, "foo.test.thisdcos.directory", "A");
    expect(reply.answers).toHaveLength(8);
    expect(reply.answers.slice(0, 3).map((a) => [a.name, a.type, a.data])).toEqual([
      ["foo.test.thisdcos.directory", "CNAME", "bar.test.thisdcos.directory"],
      ["bar.test.thisdcos.directory", "CNAME", "baz.test.thisdcos.directory"],
      ["baz.test.thisdcos.directory", "CNAME", "qux.test.thisdcos.directory"],
    ]);
    expect(sorted(reply.answers.slice(3))).toEqual(addresses(5).sort());
  });

  it("follows a CNAME across local zones (dcos-net registry)", () => {
    const reply = ask(handler, "registry.component.thisdcos.directory", "A");
    expect(reply.answers[0]).toMatchObject({ type: "CNAME", data: "master.mesos.thisdcos.directory" });
    expect(sorted(reply.answers.slice(1))).toEqual(["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]);
  });

  it("stops a CNAME chain that leaves the local zones, loops, or dangles", () => {
    expect(ask(handler, "away.test.thisdcos.directory", "A").answers.map((a) => a.data)).toEqual(["www.example.org"]);
    const loop = ask(handler, "loop1.test.thisdcos.directory", "A");
    expect(loop.answers.map((a) => a.type)).toEqual(["CNAME", "CNAME"]);
    const dangling = ask(handler, "dangling.test.thisdcos.directory", "A");
    expect(dangling.rcode).toBe("NXDOMAIN"); // RFC 6604: the rcode of the last name in the chain
    expect(dangling.answers).toHaveLength(1);
    expect(ask(handler, "foo.test.thisdcos.directory", "CNAME").answers).toHaveLength(1);
  });

  it("rotates answers on every query, always the same set (dcos-net rr_loadbalance)", () => {
    const orders = new Set<string>();
    for (let i = 0; i < 128; i++) {
      const reply = ask(handler, "sixteen.marathon.autoip.dcos.thisdcos.directory", "A", { id: i });
      expect(sorted(reply.answers)).toEqual(addresses(16).sort());
      orders.add(datas(reply.answers).join(","));
    }
    expect(orders.size).toBeGreaterThan(8);
  });

  it.each(["app.marathon.l4lb.thisdcos.directory", "app.marathon.l4lb.thisdcos.global", "app.marathon.dclb.thisdcos.directory", "APP.marathon.dclb.thisdcos.GLOBAL"])(
    "answers the l4lb renames, owner as asked: %s",
    (name) => {
      const reply = ask(handler, name, "A");
      expect(reply.answers).toEqual([expect.objectContaining({ name, type: "A", data: "127.0.0.1" })]);
    },
  );

  it("writes the SOA of a renamed NXDOMAIN back under the suffix asked", () => {
    const reply = ask(handler, "gone.marathon.dclb.thisdcos.global", "A");
    expect(reply.rcode).toBe("NXDOMAIN");
    expect(reply.authorities[0]).toMatchObject({ name: "dclb.thisdcos.global", type: "SOA" });
    expect(ask(handler, "web.marathon.autoip.dcos.thisdcos.global", "A").answers).toHaveLength(2);
  });

  it("gives NXDOMAIN for every rename when the l4lb zone is empty (dcos-net l4lb_rename)", () => {
    const empty = handlerFor({ ...testZoneSet(), zones: testZoneSet().zones.map((z) => (z.origin === "l4lb.thisdcos.directory" ? { ...z, records: [] } : z)) });
    for (const name of ["app.marathon.l4lb.thisdcos.directory", "app.marathon.l4lb.thisdcos.global", "app.marathon.dclb.thisdcos.directory", "app.marathon.dclb.thisdcos.global"]) {
      expect(ask(empty, name, "A").rcode).toBe("NXDOMAIN");
    }
  });

  it("answers ANY with one RRset (RFC 8482)", () => {
    const reply = ask(handler, "toy-store.ipv6-framework.mesos", "ANY");
    expect(reply.answers.map((a) => a.type)).toEqual(["A"]);
  });

  it("keeps the cluster's internal namespaces internal: NXDOMAIN, never forwarded", () => {
    const forwarding = handlerFor(testZoneSet({ upstreams: [{ ip: "127.0.0.1", port: 9 }] }));
    for (const [name, rcode] of [["app.unknown.thisdcos.directory", "NXDOMAIN"], ["x.other.thisdcos.global", "NXDOMAIN"], ["thisdcos.directory", "NOERROR"]]) {
      const reply = ask(forwarding, name!, "A");
      expect(reply.rcode).toBe(rcode);
      expect(reply.authorities[0]).toMatchObject({ type: "SOA", data: { mname: "ns.spartan" } });
    }
  });

  it("answers localhost itself (RFC 6761)", () => {
    expect(datas(ask(handler, "localhost", "A").answers)).toEqual(["127.0.0.1"]);
    expect(datas(ask(handler, "LOCALHOST", "AAAA").answers)).toEqual(["::1"]);
  });

  it("serves an empty zone that was pushed (dcos-net add_thisnode)", () => {
    const zones = testZoneSet();
    const withEmpty = handlerFor({ ...zones, zones: [...zones.zones, { origin: "thisnode.thisdcos.directory", ttl: 5, soa: zones.zones[0]!.soa, records: [] }] });
    expect(ask(withEmpty, "thisnode.thisdcos.directory", "A").answers).toEqual([]);
    expect(ask(withEmpty, "thisnode.thisdcos.directory", "A").rcode).toBe("NOERROR");
  });
});

describe("EDNS and truncation", () => {
  const handler = handlerFor();
  const BIG = "app.autoip.dcos.thisdcos.directory";

  it("sends no OPT to a client without EDNS and one with our size (and its DO bit) to a client with it", () => {
    expect(ask(handler, "leader.mesos", "A").additionals).toEqual([]);
    const opt = ask(handler, "leader.mesos", "A", { udpSize: 1232, dnssecOk: true }).additionals;
    expect(opt).toMatchObject([{ type: "OPT", udpPayloadSize: 4096, flags: 0x8000 }]);
  });

  it("truncates a 128-record answer to 512 bytes without EDNS, keeping whole records and setting TC", () => {
    const reply = ask(handler, BIG, "A");
    expect(reply.flags.tc).toBe(true);
    expect(reply.size).toBeLessThanOrEqual(512);
    expect(reply.answers.length).toBeGreaterThan(20);
    expect(reply.answers.length).toBeLessThan(128);
  });

  it("honours the client's EDNS payload size (mesos-dns ignored it)", () => {
    const roomy = ask(handler, BIG, "A", { udpSize: 4096 });
    expect(roomy.flags.tc).toBe(false);
    expect(roomy.answers).toHaveLength(128);
    const tight = ask(handler, BIG, "A", { udpSize: 1232 });
    expect(tight.flags.tc).toBe(true);
    expect(tight.size).toBeLessThanOrEqual(1232);
  });

  it("holds UDP replies to 512 bytes for clients outside the allowed networks (no reflection amplifier)", () => {
    const outsider = ask(handler, BIG, "A", { udpSize: 4096, from: "203.0.113.9" });
    expect(outsider.flags.tc).toBe(true);
    expect(outsider.size).toBeLessThanOrEqual(512);
    expect(ask(handler, BIG, "A", { tcp: true, from: "203.0.113.9" }).answers).toHaveLength(128);
  });

  it("sends everything over TCP", () => {
    const reply = ask(handler, BIG, "A", { tcp: true });
    expect(reply.flags.tc).toBe(false);
    expect(sorted(reply.answers)).toEqual(addresses(128).sort());
  });

  it("drops additional records before answers, without TC while the answers fit", () => {
    const udp = ask(handler, "_big._tcp.marathon.mesos", "SRV", { udpSize: 3000 });
    expect(udp.answers).toHaveLength(60);
    expect(udp.flags.tc).toBe(false);
    expect(udp.additionals.filter((r) => r.type === "A").length).toBeGreaterThan(0);
    expect(udp.additionals.filter((r) => r.type === "A").length).toBeLessThan(60);
    expect(udp.size).toBeLessThanOrEqual(3000);
    const small = ask(handler, "_big._tcp.marathon.mesos", "SRV");
    expect(small.flags.tc).toBe(true);
    expect(small.additionals).toEqual([]);
    const tcp = ask(handler, "_big._tcp.marathon.mesos", "SRV", { tcp: true });
    expect(tcp.additionals).toHaveLength(60);
  });
});

describe("policy before lookup (RFC 8906)", () => {
  const handler = handlerFor();

  it.each([
    ["AXFR", "REFUSED"],
    ["IXFR", "REFUSED"],
    ["TKEY", "NOTIMP"],
    ["TSIG", "NOTIMP"],
    ["OPT", "FORMERR"],
  ])("answers a %s question with %s, echoing the question", (type, rcode) => {
    const reply = ask(handler, "mesos", type);
    expect(reply.rcode).toBe(rcode);
    expect(reply.questions).toEqual([{ name: "mesos", type }]);
  });

  it("refuses classes other than IN", () => {
    expect(ask(handler, "version.bind", "TXT", { qclass: "CH" }).rcode).toBe("REFUSED");
    expect(ask(handler, "leader.mesos", "A", { qclass: "ANY" }).rcode).toBe("NOERROR");
  });

  it("answers BADVERS to an EDNS version it does not speak", () => {
    const reply = ask(handler, "leader.mesos", "A", { udpSize: 1232, ednsVersion: 1 });
    expect(reply.answers).toEqual([]);
    // BADVERS is 16: the upper 8 bits (1) in the OPT record, the lower 4 (0) in the header.
    expect(reply.rcode).toBe("NOERROR");
    expect(reply.additionals).toMatchObject([{ type: "OPT", extendedRcode: 1 }]);
  });

  it("never copies Z or AD into a reply, copies CD", () => {
    const reply = ask(handler, "leader.mesos", "A", { flags: 0x0100 | 0x0040 | 0x0020 | 0x0010 });
    expect(reply.flags).toMatchObject({ z: false, ad: false, cd: true, rd: true });
  });

  it("refuses names it would have to forward when no upstream is configured, without RA", () => {
    const reply = ask(handler, "www.example.org", "A");
    expect(reply.rcode).toBe("REFUSED");
    expect(reply.flags.ra).toBe(false);
    expect(reply.flags.qr).toBe(true);
  });
});
