import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import type { DnsRecord, DnsZone } from "../../lib/desired/schema.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { dig, startDns, type DnsProcess } from "./dns-process.ts";

const BIG = "app.autoip.dcos.thisdcos.directory";
const big = Array.from({ length: 128 }, (_, i) => `10.8.${i >> 8}.${i & 0xff}`);

const desired = reconcile(ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"))));
/** The named VIP the demo's `/web:80` label got. */
const webVip = desired.dns.zones.find((z) => z.origin === "l4lb.thisdcos.directory")!.records.find((r) => r.name === "web.marathon.l4lb.thisdcos.directory")!.data;

/** The demo cluster's zones, plus a 128-address name. */
function demoZonesFile(dir: string): string {
  const extra: Record<string, DnsRecord[]> = {
    "dcos.thisdcos.directory": big.map((ip) => ({ name: BIG, type: "A", ttl: 5, data: ip })),
  };
  const zones: DnsZone[] = desired.dns.zones.map((z) => ({ ...z, records: [...z.records, ...(extra[z.origin] ?? [])] }));
  const path = join(dir, "zones.json");
  writeFileSync(path, canonicalJsonPretty({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: desired.hash, dns: { zones, forwarding: desired.dns.forwarding } }));
  return path;
}

describeWithTools(["dig"])("wayfinder dns answers dig (UDP and TCP, on loopback)", () => {
  let dir: string;
  let dns: DnsProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wayfinder-dns-e2e-"));
    dns = await startDns(["--desired", demoZonesFile(dir), "--http", "127.0.0.1:0"]);
  });
  afterAll(async () => {
    try {
      await dns?.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers an A query authoritatively over UDP and over TCP", async () => {
    for (const transport of ["+notcp", "+tcp"]) {
      const reply = await dig(dns.port, ["web.marathon.autoip.dcos.thisdcos.directory", "A", transport]);
      expect(reply.status).toBe("NOERROR");
      expect(reply.flags).toEqual(expect.arrayContaining(["qr", "aa", "rd"]));
      expect(reply.answers.map((a) => a.data).sort()).toEqual(["10.0.1.11", "10.0.1.12"]);
      expect(reply.transport).toBe(transport === "+tcp" ? "TCP" : "UDP");
    }
  });

  it("answers the Mesos-DNS zone: A, and SRV with the targets' addresses as additional records", async () => {
    expect((await dig(dns.port, ["leader.mesos", "A"])).answers.map((a) => a.data)).toEqual(["10.0.0.1"]);
    const srv = await dig(dns.port, ["_api-backend._tcp.marathon.mesos", "SRV"]);
    expect(srv.answers.map((a) => a.data).sort()).toEqual(["0 1 31500 api-backend-sz9g6-s0.marathon.mesos.", "0 1 31501 api-backend-aoggi-s1.marathon.mesos."]);
    expect(srv.additional.filter((r) => r.type === "A").map((r) => r.name).sort()).toEqual(["api-backend-aoggi-s1.marathon.mesos.", "api-backend-sz9g6-s0.marathon.mesos."]);
  });

  it("matches names case-insensitively, echoing the case asked", async () => {
    const reply = await dig(dns.port, ["READY.Spartan", "A"]);
    expect(reply.answers).toEqual([{ name: "READY.Spartan.", ttl: 5, type: "A", data: "127.0.0.1" }]);
  });

  it("sends 128 records truncated over UDP, and dig's TCP retry gets them all", async () => {
    const udp = await dig(dns.port, [BIG, "A", "+ignore", "+noedns"]);
    expect(udp.flags).toContain("tc");
    expect(udp.answers.length).toBeLessThan(128);
    const retried = await dig(dns.port, [BIG, "A", "+noedns"]);
    expect(retried.retriedOverTcp).toBe(true);
    expect(retried.transport).toBe("TCP");
    expect(retried.answers.map((a) => a.data).sort()).toEqual([...big].sort());
  });

  it("honours +bufsize: 4096 fits the 128 records in one UDP reply", async () => {
    const reply = await dig(dns.port, [BIG, "A", "+bufsize=4096"]);
    expect(reply.retriedOverTcp).toBe(false);
    expect(reply.transport).toBe("UDP");
    expect(reply.flags).not.toContain("tc");
    expect(reply.answers).toHaveLength(128);
    const small = await dig(dns.port, [BIG, "A", "+bufsize=1232", "+ignore"]);
    expect(small.flags).toContain("tc");
  });

  it("answers the named VIP and its renames under the name asked", async () => {
    for (const name of ["web.marathon.l4lb.thisdcos.directory", "web.marathon.dclb.thisdcos.directory", "web.marathon.l4lb.thisdcos.global", "web.marathon.dclb.thisdcos.global"]) {
      const reply = await dig(dns.port, [name, "A"]);
      expect(reply.answers).toEqual([{ name: `${name}.`, ttl: 5, type: "A", data: webVip }]);
    }
  });

  it("gives NXDOMAIN with the SOA for an unknown name and NODATA for another type", async () => {
    const missing = await dig(dns.port, ["nope.dcos.thisdcos.directory", "A"]);
    expect(missing.status).toBe("NXDOMAIN");
    expect(missing.authority).toEqual([{ name: "dcos.thisdcos.directory.", ttl: 1, type: "SOA", data: "ns.spartan. support.mesosphere.com. 1 60 180 86400 1" }]);
    const nodata = await dig(dns.port, ["ready.spartan", "AAAA"]);
    expect(nodata.status).toBe("NOERROR");
    expect(nodata.answers).toEqual([]);
    expect(nodata.authority.map((r) => r.type)).toEqual(["SOA"]);
  });

  it("serves the compatibility endpoints and metrics over HTTP", async () => {
    const hosts = await (await fetch(`${dns.http}/v1/hosts/leader.dcos.thisdcos.directory`)).json();
    expect(hosts).toEqual([{ host: "leader.dcos.thisdcos.directory", ip: "10.0.0.1" }]);
    const metrics = await (await fetch(`${dns.http}/metrics`)).text();
    expect(metrics).toMatch(/wayfinder_dns_queries_total\{type="A",rcode="NOERROR"\} \d+/);
  });
});
