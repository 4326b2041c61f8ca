import { describe, expect, it } from "vitest";
import { Forwarder } from "../../lib/dns/forward/forwarder.ts";
import { QueryHandler } from "../../lib/dns/handler.ts";
import { DnsMetrics } from "../../lib/dns/metrics.ts";
import { ServingState, type ZoneSet } from "../../lib/dns/serving-state.ts";
import type { DnsRecord, DnsZone } from "../../lib/desired/schema.ts";
import { dnsZones } from "../../functions/dns-zones/index.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { decodeReply, queryBytes, type DecodedReply } from "../support/dns-messages.ts";
import { upstreamText } from "../support/upstream-fixtures.ts";

/** mesos-dns's `/v1/axfr` document as a Mesos-DNS DnsZone (names without the trailing dot). */
function zoneFromAxfr(text: string): DnsZone {
  const axfr = JSON.parse(text) as {
    TTL: number;
    Domain: string;
    Records: { As: Record<string, string[]>; AAAAs: Record<string, string[]>; SRVs: Record<string, string[]> };
  };
  const bare = (name: string) => name.replace(/\.$/, "");
  const records: DnsRecord[] = [{ name: axfr.Domain, type: "NS", ttl: axfr.TTL, data: `ns1.${axfr.Domain}` }];
  for (const [name, ips] of Object.entries(axfr.Records.As)) for (const ip of ips) records.push({ name: bare(name), type: "A", ttl: axfr.TTL, data: ip });
  for (const [name, ips] of Object.entries(axfr.Records.AAAAs)) for (const ip of ips) records.push({ name: bare(name), type: "AAAA", ttl: axfr.TTL, data: ip });
  for (const [name, targets] of Object.entries(axfr.Records.SRVs)) {
    for (const value of targets) {
      const colon = value.lastIndexOf(":");
      records.push({
        name: bare(name),
        type: "SRV",
        ttl: axfr.TTL,
        data: { priority: 0, weight: 1, port: Number(value.slice(colon + 1)), target: bare(value.slice(0, colon)) },
      });
    }
  }
  const soa = { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1, refresh: 60, retry: 600, expire: 86400, minimum: 60 };
  return { origin: axfr.Domain, ttl: axfr.TTL, soa, records };
}

function handlerFor(zones: ZoneSet): QueryHandler {
  const { state } = ServingState.build(zones, {}, 0);
  return new QueryHandler(() => state, new Forwarder({}), new DnsMetrics(), { maxUdpSize: 4096 });
}

function ask(handler: QueryHandler, name: string, type: string): DecodedReply {
  let reply: Buffer | undefined;
  handler.handle(queryBytes(name, type), { address: "127.0.0.1", transport: "udp" }, (out) => (reply = out));
  if (reply === undefined) throw new Error(`no synchronous reply for ${name} ${type}`);
  return decodeReply(reply);
}

const M = "mesos.thisdcos.directory";

// specs/dns.md §3.8 dcos_dns_mesos_dns_tests. dcos-dns polled mesos-dns's /v1/axfr into a copy
// of the zone; wayfinder answers the mirror names from the Mesos-DNS zone itself through the
// alias the reconciler publishes (dns.aliases), so both are always the same.
describe("mesos.thisdcos.directory, the Mesos-DNS mirror, served as an alias", () => {
  const mesos = zoneFromAxfr(upstreamText("dcos-net/mesos-dns-axfr.json"));
  const aliases = dnsZones(ClusterSnapshot.parse({ cluster: { name: "t" }, now: "2026-11-26T12:00:00Z" }), { l4lbServices: [] }).aliases;
  const handler = handlerFor({ version: "t", zones: [mesos], forwarding: undefined, aliases });

  it("is published by the reconciler for the configured domain", () => {
    expect(aliases).toEqual([{ name: M, target: "mesos" }]);
  });

  it.each([
    [`marathon.${M}`, "172.17.0.4"],
    [`none-on-host.marathon.${M}`, "172.17.0.5"],
    [`none-on-dcos.marathon.${M}`, "172.17.0.5"],
    [`ucr-on-host.marathon.${M}`, "172.17.0.5"],
    [`ucr-on-bridge.marathon.${M}`, "172.17.0.6"],
    [`ucr-on-dcos.marathon.${M}`, "172.17.0.6"],
    [`docker-on-host.marathon.${M}`, "172.17.0.6"],
    [`docker-on-bridge.marathon.${M}`, "172.17.0.5"],
    [`docker-on-dcos.marathon.${M}`, "172.17.0.5"],
    [`pod-on-host.marathon.${M}`, "172.17.0.6"],
    [`pod-on-bridge.marathon.${M}`, "172.17.0.5"],
    [`pod-on-dcos.marathon.${M}`, "172.17.0.5"],
    [`hello-world.marathon.${M}`, "172.17.0.5"],
    [`world-0-server.hello-world.${M}`, "172.17.0.5"],
    [`world-1-server.hello-world.${M}`, "172.17.0.6"],
    [`hello-0-server.hello-world.${M}`, "172.17.0.6"],
  ])("%s A %s, owner as asked", (name, ip) => {
    const reply = ask(handler, name, "A");
    expect(reply.answers.map((a) => [a.name, a.data])).toEqual([[name, ip]]);
  });

  it("answers docker-on-ipv6 AAAA fd01:b::2:8000:0:2", () => {
    expect(ask(handler, `docker-on-ipv6.marathon.${M}`, "AAAA").answers.map((a) => a.data)).toEqual(["fd01:b::2:8000:0:2"]);
  });

  it.each([
    [`_http._none-on-host._tcp.marathon.${M}`, 31775, `none-on-host-5geu6-s0.marathon.${M}`],
    [`_http._ucr-on-host._tcp.marathon.${M}`, 5463, `ucr-on-host-is6by-s0.marathon.${M}`],
    [`_http._ucr-on-bridge._tcp.marathon.${M}`, 18236, `ucr-on-bridge-w5ijk-s1.marathon.${M}`],
    [`_http._docker-on-host._tcp.marathon.${M}`, 12018, `docker-on-host-b4xya-s1.marathon.${M}`],
    [`_http._docker-on-bridge._tcp.marathon.${M}`, 23866, `docker-on-bridge-7qzpn-s0.marathon.${M}`],
    [`_http._pod-on-host._tcp.marathon.${M}`, 11462, `pod-on-host-au4ax-s1.marathon.${M}`],
    [`_http._pod-on-bridge._tcp.marathon.${M}`, 7699, `pod-on-bridge-5aknw-s0.marathon.${M}`],
    [`_api._hello-world._tcp.marathon.${M}`, 9453, `hello-world-b6r7e-s0.marathon.${M}`],
  ])("%s SRV port %i → %s, its address in the additional section", (name, port, target) => {
    const reply = ask(handler, name, "SRV");
    expect(reply.answers.map((a) => a.data)).toEqual([expect.objectContaining({ port, target })]);
    expect(reply.additionals.filter((r) => r.type === "A").map((r) => r.name)).toEqual([target]);
  });

  it("gives NXDOMAIN with the SOA written back under the mirror for an unknown name", () => {
    const reply = ask(handler, `missing.marathon.${M}`, "A");
    expect(reply.rcode).toBe("NXDOMAIN");
    expect(reply.authorities[0]).toMatchObject({ name: M, type: "SOA" });
  });

  it("follows a custom domain", () => {
    const custom: DnsZone = { ...mesos, origin: "mesos.example.com", records: [{ name: "x.marathon.mesos.example.com", type: "A", ttl: 60, data: "10.9.9.9" }] };
    const zones = dnsZones(ClusterSnapshot.parse({ cluster: { name: "t" }, now: "2026-11-26T12:00:00Z", config: { dns: { domain: "mesos.example.com" } } }), {
      l4lbServices: [],
    });
    const h = handlerFor({ version: "t", zones: [custom], forwarding: undefined, aliases: zones.aliases });
    expect(ask(h, `x.marathon.${M}`, "A").answers.map((a) => a.data)).toEqual(["10.9.9.9"]);
  });
});
