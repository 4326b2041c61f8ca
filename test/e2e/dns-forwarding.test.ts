import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { describeWithTools } from "../support/tools.ts";
import { dig, startDns, type DnsProcess } from "./dns-process.ts";

const HEALTHY_DELAY_MS = 25;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describeWithTools(["dig"])("wayfinder dns forwards with dual dispatch (two local upstreams, one never answers)", () => {
  let dir: string;
  let dns: DnsProcess;
  let healthy: FakeUpstream;
  let silent: FakeUpstream;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "wayfinder-dns-fwd-"));
    const desired = reconcile(ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"))));
    const path = join(dir, "desired.json");
    writeFileSync(path, JSON.stringify(desired));
    healthy = await startFakeUpstream({ address: "192.0.2.1", delayMs: HEALTHY_DELAY_MS });
    silent = await startFakeUpstream({ behaviour: "silent" });
    dns = await startDns([
      "--desired",
      path,
      "--upstream",
      `127.0.0.1:${silent.port}`,
      "--upstream",
      `127.0.0.1:${healthy.port}`,
      "--allow",
      "127.0.0.1/32",
      "--timeout-ms",
      "2000",
    ]);
  });
  afterAll(async () => {
    try {
      await dns?.stop();
      await healthy?.close();
      await silent?.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers forwarded queries within the healthy upstream's own latency", async () => {
    const direct: number[] = [];
    const forwarded: number[] = [];
    for (let i = 0; i < 15; i++) {
      direct.push((await dig(healthy.port, [`direct${i}.example.org`, "A"])).queryTimeMs);
      const reply = await dig(dns.port, [`name${i}.example.org`, "A"]);
      expect(reply.status).toBe("NOERROR");
      expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.1"]);
      forwarded.push(reply.queryTimeMs);
    }
    // The silent upstream was asked too (dual dispatch), and never waited for: the timeout is 2000 ms.
    expect(silent.received).toBeGreaterThan(0);
    expect(Math.max(...forwarded)).toBeLessThan(500);
    expect(median(forwarded)).toBeLessThanOrEqual(2 * median(direct) + 5);
  });

  it("refuses to forward for a client outside the allowed networks, and still answers it local names", async () => {
    const refused = await dig(dns.port, ["-b", "127.0.0.2", "www.example.org", "A"]);
    expect(refused.status).toBe("REFUSED");
    expect(refused.flags).not.toContain("ra");
    const local = await dig(dns.port, ["-b", "127.0.0.2", "ready.spartan", "A"]);
    expect(local.answers.map((a) => a.data)).toEqual(["127.0.0.1"]);
  });
});
