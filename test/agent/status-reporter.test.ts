import { createServer, type IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { Counter } from "../../lib/metrics/registry.ts";
import { jsonLogger } from "../../lib/agent/log.ts";
import { StatusReporter, statusUrl } from "../../lib/agent/status-reporter.ts";
import { listenServer, type NodeServer } from "../../lib/http/node-server.ts";
import type { NodeStatusReport } from "../../lib/store/node-status.ts";

function report(syncs: number): NodeStatusReport {
  return { appliedHash: null, appliedGeneration: null, desiredHash: null, ok: true, syncedAt: "2026-01-01T00:00:00Z", durationMs: 1, appliers: [], counters: { syncs, failures: 0, consecutiveFailures: 0 } };
}

function logger() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, log: jsonLogger({ write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>), level: "debug" }) };
}

/** A control plane that records each PUT, answering `status` (and holding each for `delayMs`). */
async function controlPlane(options: { status: number; delayMs?: number }) /* read per request, so a test can change it */: Promise<{ server: NodeServer; bodies: unknown[]; headers: IncomingMessage["headers"][] }> {
  const bodies: unknown[] = [];
  const headers: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      headers.push(req.headers);
      setTimeout(() => res.writeHead(options.status, { "Content-Type": "application/json" }).end(options.status === 200 ? "{}" : '{"error":"agent \'S1\' is not in the snapshot"}'), options.delayMs ?? 0);
    });
  });
  return { server: await listenServer(server, { host: "127.0.0.1", port: 0 }), bodies, headers };
}

describe("statusUrl", () => {
  it.each([
    ["http://cp:8080/v1/clusters/prod", "http://cp:8080/v1/clusters/prod/nodes/S1/status"],
    ["http://cp:8080/v1/clusters/prod/", "http://cp:8080/v1/clusters/prod/nodes/S1/status"],
    ["https://cp/v1/clusters/prod/desired/nodes/S1", "https://cp/v1/clusters/prod/nodes/S1/status"],
    ["http://cp:8080/v1/desired", undefined],
    ["/etc/wayfinder/snapshot.json", undefined],
  ])("%s → %s", (source, url) => {
    expect(statusUrl(source, "S1")).toBe(url);
  });
});

describe("StatusReporter", () => {
  it("sends each report with the token, and while one is in flight keeps only the newest waiting", async () => {
    const { server, bodies, headers } = await controlPlane({ status: 200, delayMs: 50 });
    const reports = new Counter("r", "r", ["result"]);
    const reporter = new StatusReporter({ url: `${server.url}/v1/clusters/p/nodes/S1/status`, token: "s3cret", log: logger().log, reports });
    for (const n of [1, 2, 3, 4]) reporter.report(report(n));
    await reporter.idle();
    expect(bodies.map((b) => (b as NodeStatusReport).counters.syncs)).toEqual([1, 4]);
    expect(headers[0]!.authorization).toBe("Bearer s3cret");
    expect(reports.get({ result: "ok" })).toBe(2);
    await server.close();
  });

  it("never throws: a refusing or unreachable control plane is logged once when it starts failing and once when it recovers", async () => {
    const answer = { status: 404 };
    const cp = await controlPlane(answer);
    const { lines, log } = logger();
    const reports = new Counter("r", "r", ["result"]);
    const reporter = new StatusReporter({ url: `${cp.server.url}/x`, log, reports, timeoutMs: 2000 });
    reporter.report(report(1));
    await reporter.idle();
    reporter.report(report(2));
    await reporter.idle();
    expect(lines.filter((l) => l.level === "warn")).toEqual([expect.objectContaining({ msg: "cannot report the node's status to the control plane; syncing goes on", error: "HTTP 404: agent 'S1' is not in the snapshot" })]);
    answer.status = 200;
    reporter.report(report(3));
    await reporter.idle();
    expect(lines.filter((l) => l.msg === "reporting the node's status again")).toHaveLength(1);
    expect(reports.get({ result: "failed" })).toBe(2);
    await cp.server.close();

    const gone = new StatusReporter({ url: `${cp.server.url}/x`, log, reports, timeoutMs: 2000 });
    gone.report(report(4));
    await gone.idle();
    expect(reports.get({ result: "failed" })).toBe(3);
    expect(lines.at(-1)).toMatchObject({ level: "warn", error: expect.stringMatching(/^(ECONNREFUSED|UND_ERR_SOCKET)/) });
  });
});
