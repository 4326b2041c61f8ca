import { describe, expect, it } from "vitest";
import { createDnsHttpApp } from "../../lib/dns/http/app.ts";
import { DnsMetrics, renderPrometheus } from "../../lib/dns/metrics.ts";
import { ServingState } from "../../lib/dns/serving-state.ts";
import { DCOS_SOA, TEST_ZONES, testZoneSet } from "../support/dns-zones.ts";

const zones = testZoneSet();
const withDcosSrv = {
  ...zones,
  zones: [
    ...TEST_ZONES,
    {
      origin: "svc.thisdcos.directory",
      ttl: 5,
      soa: DCOS_SOA,
      records: [
        { name: "_http._tcp.web.svc.thisdcos.directory", type: "SRV" as const, ttl: 5, data: { priority: 1, weight: 1, port: 8080, target: "web-1.svc.thisdcos.directory" } },
        { name: "_http._tcp.web.svc.thisdcos.directory", type: "SRV" as const, ttl: 5, data: { priority: 1, weight: 1, port: 8081, target: "elsewhere.example.org" } },
        { name: "web-1.svc.thisdcos.directory", type: "A" as const, ttl: 5, data: "10.9.0.1" },
      ],
    },
  ],
};
const { state } = ServingState.build(withDcosSrv, {}, 0);
const metrics = new DnsMetrics();
const app = (token?: string) =>
  createDnsHttpApp({ state: () => state, metrics: async () => renderPrometheus([metrics.snapshot()]), config: () => ({ listen: ["127.0.0.1:53"] }), version: "9.9.9", token });
const get = async (path: string, init?: RequestInit) => {
  const response = await app().request(path, init);
  return { status: response.status, body: (await response.json()) as any };
};

describe("DNS HTTP endpoints", () => {
  it("reports the version and the zones being served", async () => {
    expect(await get("/v1/version")).toEqual({ status: 200, body: { Service: "wayfinder-dns", URL: "", Version: "9.9.9", ZonesVersion: "test-version" } });
  });

  describe("mesos-dns shapes for the Mesos-DNS zone", () => {
    it("lists a host's addresses with the trailing dot, A before AAAA", async () => {
      expect((await get("/v1/hosts/liquor-store.marathon.mesos")).body).toEqual([
        { host: "liquor-store.marathon.mesos.", ip: "10.3.0.1" },
        { host: "liquor-store.marathon.mesos.", ip: "10.3.0.2" },
      ]);
      expect((await get("/v1/hosts/toy-store.ipv6-framework.mesos")).body).toEqual([
        { host: "toy-store.ipv6-framework.mesos.", ip: "12.0.1.2" },
        { host: "toy-store.ipv6-framework.mesos.", ip: "fd01:b::1:8000:2" },
      ]);
    });

    it("lowercases and strips '.*' as mesos-dns did", async () => {
      expect((await get("/v1/hosts/LEADER.*.mesos")).body).toEqual([{ host: "leader.mesos.", ip: "10.0.0.1" }]);
    });

    it("answers an unknown host with mesos-dns's blank placeholder", async () => {
      expect((await get("/v1/hosts/missing.mesos")).body).toEqual([{ host: "", ip: "" }]);
      expect((await get("/v1/hosts/www.example.org")).body).toEqual([{ host: "", ip: "" }]);
    });

    it("lists SRV targets with string ports and the asked name verbatim", async () => {
      const { body } = await get("/v1/services/_liquor-store._tcp.marathon.mesos.");
      expect(body).toHaveLength(4);
      expect(body).toContainEqual({ service: "_liquor-store._tcp.marathon.mesos.", host: "liquor-store-4dfjd-0.marathon.mesos.", ip: "10.3.0.1", port: "443" });
      expect((await get("/v1/services/_nothing._tcp.mesos")).body).toEqual([{ service: "", host: "", ip: "", port: "" }]);
    });

    it("gives one entry per address family of a target", async () => {
      expect((await get("/v1/services/_slave._tcp.mesos")).body).toEqual([
        { service: "_slave._tcp.mesos", host: "slave.mesos.", ip: "10.0.2.1", port: "5051" },
        { service: "_slave._tcp.mesos", host: "slave.mesos.", ip: "2001:db8::1", port: "5051" },
      ]);
    });

    it("serves /v1/axfr in mesos-dns's shape", async () => {
      const { body } = await get("/v1/axfr");
      expect(body).toMatchObject({ TTL: 60, Serial: 7, RefreshSeconds: 60, Mname: "ns1.mesos.", Rname: "root.ns1.mesos.", Domain: "mesos" });
      expect(body.Records.As["liquor-store.marathon.mesos."]).toEqual(["10.3.0.1", "10.3.0.2"]);
      expect(body.Records.AAAAs["slave.mesos."]).toEqual(["2001:db8::1"]);
      expect(body.Records.SRVs["_slave._tcp.mesos."]).toEqual(["slave.mesos.:5051"]);
    });
  });

  describe("dcos-dns shapes for the dcos-dns zones", () => {
    it("lists A records only, and [] when there are none", async () => {
      expect((await get("/v1/hosts/app.marathon.l4lb.thisdcos.directory")).body).toEqual([{ host: "app.marathon.l4lb.thisdcos.directory", ip: "127.0.0.1" }]);
      expect((await get("/v1/hosts/none.dcos.thisdcos.directory")).body).toEqual([]);
    });

    it("follows renames and CNAMEs like a DNS query would", async () => {
      expect((await get("/v1/hosts/app.marathon.dclb.thisdcos.global")).body).toEqual([{ host: "app.marathon.dclb.thisdcos.global", ip: "127.0.0.1" }]);
      expect((await get("/v1/hosts/registry.component.thisdcos.directory")).body).toHaveLength(5);
    });

    it("lists SRV targets with numeric ports (in the zone's order: by target), leaving out ip for a target with no local A", async () => {
      expect((await get("/v1/services/_http._tcp.web.svc.thisdcos.directory")).body).toEqual([
        { service: "_http._tcp.web.svc.thisdcos.directory", host: "elsewhere.example.org", port: 8081 },
        { service: "_http._tcp.web.svc.thisdcos.directory", host: "web-1.svc.thisdcos.directory", port: 8080, ip: "10.9.0.1" },
      ]);
    });

    it("streams every A, AAAA and SRV record of every zone from /v1/records", async () => {
      const response = await app().request("/v1/records");
      const text = await response.text();
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(text).toContain('},\n{"name"');
      const records = JSON.parse(text) as Array<{ name: string; host: string; rtype: string }>;
      expect(records).toContainEqual({ name: "slave.mesos", host: "2001:db8::1", rtype: "AAAA" });
      expect(records).toContainEqual({ name: "_slave._tcp.mesos", host: "slave.mesos:5051", rtype: "SRV" });
      expect(records.some((r) => r.rtype === "CNAME" || r.rtype === "NS")).toBe(false);
    });
  });

  it("answers 501 where the originals did", async () => {
    expect((await get("/v1/enumerate")).status).toBe(501);
    expect((await get("/v1/hosts/leader.mesos/ports")).status).toBe(501);
  });

  it("allows only GET (405 on a known path)", async () => {
    const { status } = await get("/v1/version", { method: "POST" });
    expect(status).toBe(405);
  });

  it("serves Prometheus metrics", async () => {
    const response = await app().request("/metrics");
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    expect(await response.text()).toContain("# TYPE wayfinder_dns_queries_total counter");
  });

  it("puts everything but /healthz behind the bearer token when one is set, and never echoes it", async () => {
    const secured = app("s3cret");
    expect((await secured.request("/v1/version")).status).toBe(401);
    expect((await secured.request("/metrics")).status).toBe(401);
    expect((await secured.request("/healthz")).status).toBe(200);
    const config = await secured.request("/v1/config", { headers: { Authorization: "Bearer s3cret" } });
    expect(config.status).toBe(200);
    expect(await config.text()).not.toContain("s3cret");
  });
});
