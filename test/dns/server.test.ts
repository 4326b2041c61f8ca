import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DnsZone } from "../../lib/desired/schema.ts";
import { renderPrometheus } from "../../lib/dns/metrics.ts";
import { DnsServer } from "../../lib/dns/server.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { TcpDnsConnection, udpExchange } from "../support/dns-client.ts";
import { decodeReply, queryBytes } from "../support/dns-messages.ts";
import { DCOS_SOA, TEST_ZONES } from "../support/dns-zones.ts";

function zonesFile(hash: string, zones: DnsZone[]): string {
  return canonicalJsonPretty({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash, dns: { zones } });
}
const readyZone = (ip: string): DnsZone => ({ origin: "spartan", ttl: 5, soa: DCOS_SOA, records: [{ name: "ready.spartan", type: "A", ttl: 5, data: ip }] });

async function readyAddress(port: number): Promise<unknown> {
  const reply = await udpExchange(port, queryBytes("ready.spartan", "A"));
  return reply === undefined ? undefined : decodeReply(reply).answers[0]?.data;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("DnsServer", () => {
  let dir: string;
  let path: string;
  let server: DnsServer;
  let port: number;
  const log: string[] = [];

  /** Replaces the zone file the way the applier does: write beside, rename over. */
  const install = async (text: string) => {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wayfinder-dns-"));
    path = join(dir, "zones.json");
    await install(zonesFile("v1", [...TEST_ZONES.filter((z) => z.origin !== "spartan"), readyZone("127.0.0.1")]));
    server = await DnsServer.start({
      listen: [{ host: "127.0.0.1", port: 0 }],
      source: { path, checkIntervalMs: 200 },
      tcp: { frameTimeoutMs: 300, idleTimeoutMs: 600, maxConnections: 4 },
      log: (line) => log.push(line),
    });
    port = server.addresses[0]!.port;
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers over UDP and TCP on the same port", async () => {
    expect(await readyAddress(port)).toBe("127.0.0.1");
    const tcp = await TcpDnsConnection.connect(port);
    tcp.send(queryBytes("ready.spartan", "A"));
    await tcp.waitFor(1);
    expect(decodeReply(tcp.replies[0]!).answers[0]!.data).toBe("127.0.0.1");
    tcp.close();
  });

  it("answers many queries on one TCP connection, pipelined (dcos-dns#973)", async () => {
    const tcp = await TcpDnsConnection.connect(port);
    for (let id = 1; id <= 20; id++) tcp.send(queryBytes(id % 2 === 0 ? "ready.spartan" : "leader.mesos", "A", { id }));
    await tcp.waitFor(20);
    expect(tcp.replies.map((r) => decodeReply(r).id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    tcp.close();
  });

  it("swaps the whole zone set when the file is replaced", async () => {
    await install(zonesFile("v2", [readyZone("127.0.0.2")]));
    await eventually(async () => (await readyAddress(port)) === "127.0.0.2");
    expect(server.state.version).toBe("v2");
    const gone = decodeReply((await udpExchange(port, queryBytes("leader.mesos", "A")))!);
    expect(gone.rcode).toBe("REFUSED"); // the mesos zone went with the old set; nothing to forward to
    expect(renderPrometheus([server.metrics.snapshot()])).toContain('wayfinder_dns_zone_info{version="v2"} 1');
  });

  it.each([
    ["not JSON", "{ nope"],
    ["a document that fails the schema", JSON.stringify({ apiVersion: "wayfinder/v1", kind: "DnsZones", hash: "v3", dns: { zones: [{ origin: "x" }] } })],
  ])("keeps serving the last good zones when the file is %s", async (_what, text) => {
    await install(zonesFile("v2b", [readyZone("127.0.0.3")]));
    await eventually(async () => (await readyAddress(port)) === "127.0.0.3");
    const failuresBefore = server.metrics.snapshot().zoneReloadFailures;
    await install(text);
    await eventually(async () => server.metrics.snapshot().zoneReloadFailures > failuresBefore);
    expect(await readyAddress(port)).toBe("127.0.0.3");
    expect(server.state.version).toBe("v2b");
    expect(log.at(-1)).toMatch(new RegExp(`zone source rejected, still serving version v2b: ${path}`));
  });

  it("serves the last installed file after a restart", async () => {
    await install(zonesFile("v4", [readyZone("127.0.0.4")]));
    await eventually(async () => (await readyAddress(port)) === "127.0.0.4");
    const again = await DnsServer.start({ listen: [{ host: "127.0.0.1", port: 0 }], source: { path } });
    try {
      expect(await readyAddress(again.addresses[0]!.port)).toBe("127.0.0.4");
    } finally {
      await again.close();
    }
  });

  it("closes a connection whose frame is longer than the cap or shorter than a header", async () => {
    for (const length of [40_000, 5]) {
      const tcp = await TcpDnsConnection.connect(port);
      tcp.socket.write(Buffer.from([length >> 8, length & 0xff, 1, 2, 3]));
      expect(await tcp.waitClosed()).toBe(true);
    }
  });

  it("cuts off a slowloris client that dribbles a frame, while others are answered", async () => {
    const slow = await TcpDnsConnection.connect(port);
    const frame = queryBytes("ready.spartan", "A");
    slow.socket.write(Buffer.from([0, frame.length]));
    const dribble = setInterval(() => slow.socket.write(frame.subarray(0, 1)), 100);
    expect(await readyAddress(port)).toBeDefined();
    const closed = await slow.waitClosed(1500);
    clearInterval(dribble);
    expect(closed).toBe(true);
  });

  it("closes idle connections", async () => {
    const idle = await TcpDnsConnection.connect(port);
    expect(await idle.waitClosed(2000)).toBe(true);
  });

  it("evicts the longest-idle connection instead of refusing a new client at the limit", async () => {
    const hoarders = await Promise.all([1, 2, 3, 4].map(() => TcpDnsConnection.connect(port)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = await TcpDnsConnection.connect(port);
    fresh.send(queryBytes("ready.spartan", "A"));
    await fresh.waitFor(1);
    expect(fresh.replies).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hoarders.filter((h) => h.closed).length).toBeGreaterThanOrEqual(1);
    for (const c of [...hoarders, fresh]) c.close();
  });

  it("does not answer responses or runts, and survives them", async () => {
    const response = queryBytes("ready.spartan", "A");
    response[2]! |= 0x80;
    expect(await udpExchange(port, response, 300)).toBeUndefined();
    expect(await udpExchange(port, Buffer.from([1, 2, 3]), 300)).toBeUndefined();
    expect(await readyAddress(port)).toBeDefined();
    expect(server.metrics.snapshot().dropped).toMatchObject({ response: 1, short: 1 });
  });
});
