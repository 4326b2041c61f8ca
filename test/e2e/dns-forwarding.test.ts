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
/** Long, so that waiting for the silent upstream even once is unmistakable. */
const UPSTREAM_TIMEOUT_MS = 6000;

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
      String(UPSTREAM_TIMEOUT_MS),
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

  it("answers every forwarded query from the healthy upstream without waiting for the silent one", async () => {
    const forwarded: number[] = [];
    for (let i = 0; i < 15; i++) {
      const reply = await dig(dns.port, [`name${i}.example.org`, "A"]);
      expect(reply.status).toBe("NOERROR");
      expect(reply.answers.map((a) => a.data)).toEqual(["192.0.2.1"]);
      forwarded.push(reply.queryTimeMs);
    }
    // The silent upstream was asked too (dual dispatch), and never waited for: a resolver that
    // tried it first would take the whole timeout. Half of it leaves a loaded machine room; how
    // close forwarding comes to the upstream's own latency is bench:dns's figure, not a test's.
    expect(silent.received).toBeGreaterThan(0);
    expect(Math.max(...forwarded)).toBeLessThan(UPSTREAM_TIMEOUT_MS / 2);
  });

  it("refuses to forward for a client outside the allowed networks, and still answers it local names", async () => {
    const refused = await dig(dns.port, ["-b", "127.0.0.2", "www.example.org", "A"]);
    expect(refused.status).toBe("REFUSED");
    expect(refused.flags).not.toContain("ra");
    const local = await dig(dns.port, ["-b", "127.0.0.2", "ready.spartan", "A"]);
    expect(local.answers.map((a) => a.data)).toEqual(["127.0.0.1"]);
  });
});
