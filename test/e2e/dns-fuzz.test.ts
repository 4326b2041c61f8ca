import dgram from "node:dgram";
import net from "node:net";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { queryBytes } from "../support/dns-messages.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { describeWithTools } from "../support/tools.ts";
import { dig, startDns, type DnsProcess } from "./dns-process.ts";

const PACKETS = 100_000;

const SEEDS = [
  queryBytes("web.marathon.autoip.dcos.thisdcos.directory", "A"),
  queryBytes("_http._tcp.web.marathon.mesos", "SRV", { udpSize: 4096 }),
  queryBytes("ready.spartan", "AAAA", { udpSize: 1232, dnssecOk: true }),
  queryBytes("www.example.org", "A"),
];

/** Half random bytes, half real queries with bytes flipped, cut or appended; some with pointer loops. */
function fuzzPacket(random: () => number): Buffer {
  const int = (n: number) => Math.floor(random() * n);
  if (random() < 0.5) return Buffer.from(Array.from({ length: int(600) }, () => int(256)));
  const packet = Buffer.from(SEEDS[int(SEEDS.length)]!);
  for (let flips = int(6); flips > 0; flips--) packet[int(packet.length)] = int(256);
  if (random() < 0.1) packet.writeUInt16BE(0xc00c, 12); // a question that points at itself
  if (random() < 0.1) packet.writeUInt16BE(int(65536), 4 + 2 * int(4)); // a count the packet does not hold
  const cut = random() < 0.3 ? packet.subarray(0, int(packet.length)) : packet;
  return Buffer.concat([cut, Buffer.from(Array.from({ length: random() < 0.2 ? int(30) : 0 }, () => int(256)))]);
}

describeWithTools(["dig"])("wayfinder dns under 100k random and mutated packets", () => {
  let dir: string;
  let dns: DnsProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wayfinder-dns-fuzz-"));
    const desired = reconcile(ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"))));
    writeFileSync(join(dir, "desired.json"), JSON.stringify(desired));
    // Two workers: a crash would show as a worker restart in the log, not only as a dead process.
    dns = await startDns(["--desired", join(dir, "desired.json"), "--workers", "2", "--allow", "127.0.0.1/32", "--http", "127.0.0.1:0"]);
  });
  afterAll(async () => {
    try {
      await dns?.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps answering correctly after the flood, with no worker lost", async () => {
    const seed = Number(process.env["WAYFINDER_FUZZ_SEED"] ?? 20261126);
    const random = seededRandom(seed);
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
    let replies = 0;
    socket.on("message", () => replies++);
    // Paced so the packets reach the server rather than overflow a socket buffer on the way.
    for (let sent = 0; sent < PACKETS; sent += 100) {
      for (let i = 0; i < 100; i++) socket.send(fuzzPacket(random), dns.port, "127.0.0.1");
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // The TCP listener gets the same treatment: junk frames, oversized lengths, torn frames.
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const conn = net.connect({ port: dns.port, host: "127.0.0.1" });
        conn.on("error", () => {});
        await new Promise<void>((resolve) => conn.once("connect", () => resolve()));
        for (let i = 0; i < 40; i++) {
          const packet = fuzzPacket(random);
          const length = random() < 0.1 ? Math.floor(random() * 65536) : packet.length;
          conn.write(Buffer.concat([Buffer.from([length >> 8, length & 0xff]), packet]));
        }
        conn.end();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.close();
    expect(replies, `seed ${seed}`).toBeGreaterThan(0);

    const reply = await dig(dns.port, ["web.marathon.autoip.dcos.thisdcos.directory", "A"]);
    expect(reply.status).toBe("NOERROR");
    expect(reply.answers.map((a) => a.data).sort()).toEqual(["10.0.1.11", "10.0.1.12"]);
    const tcp = await dig(dns.port, ["ready.spartan", "A", "+tcp"]);
    expect(tcp.answers.map((a) => a.data)).toEqual(["127.0.0.1"]);
    expect(dns.server.child.exitCode).toBeNull();
    expect(dns.server.output()).not.toMatch(/worker \d+ exited/);
    const metrics = await (await fetch(`${dns.http}/metrics`)).text();
    expect(metrics).toMatch(/wayfinder_dns_queries_total\{type="other",rcode="FORMERR"\} \d+/);
    // Nearly every packet reached the server and was answered or deliberately dropped.
    const seen = [...metrics.matchAll(/^wayfinder_dns_(?:queries|dropped)_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(seen, `seed ${seed}`).toBeGreaterThan(0.9 * PACKETS);
  });
});
