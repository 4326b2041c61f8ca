import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run as agent } from "../../lib/cli/commands/agent.ts";
import { run as status } from "../../lib/cli/commands/status.ts";
import { createApp } from "../../lib/http/app.ts";
import { NodesSummary } from "../../lib/http/node-convergence.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { runCli } from "../support/cli-io.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";

const TOKEN = { WAYFINDER_TOKEN: "s3cret" };

function recording() {
  let stdout = "";
  let stderr = "";
  return { io: { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), cwd: process.cwd() }, out: () => stdout, err: () => stderr };
}

describe("wayfinder status against a control plane, after an agent reports", () => {
  let server: NodeServer;
  let cluster = "";

  beforeAll(async () => {
    server = await listenNode(createApp({ token: "s3cret", store: new MemorySnapshotStore() }), { host: "127.0.0.1", port: 0 });
    cluster = `${server.url}/v1/clusters/test`;
    const put = await fetch(`${cluster}/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: "Bearer s3cret" }, body: JSON.stringify(SNAPSHOT_INPUT) });
    expect(put.status).toBe(200);
  });
  afterAll(() => server.close());

  it("lists every node as a laggard before any report, and exits 1", async () => {
    const { io, out } = recording();
    expect(await status(["--source", cluster], io, TOKEN)).toBe(1);
    expect(out()).toMatch(/^cluster test {2}generation 1 {2}desired [0-9a-f]{16}\nnodes converged 0 of 2 \(0 reporting, 2 silent\)\nlaggards:\n {2}S1 \(agent-1\) {2}never reported\n {2}S2 \(agent-2\) {2}never reported\n$/);
  });

  it("counts a node converged once its agent synced with --once, and reports the generation it applied", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-status-agent-"));
    const sync = recording();
    expect(await agent(["--node", "S1", "--source", cluster, "--state-dir", dir, "--apply", "files", "--once"], sync.io, { env: TOKEN })).toBe(0);
    const { io, out } = recording();
    expect(await status(["--source", cluster, "--json"], io, TOKEN)).toBe(1);
    const summary = NodesSummary.parse(JSON.parse(out()));
    expect(summary).toMatchObject({ total: 2, reporting: 1, converged: 1, failing: [] });
    expect(summary.laggards.map((l) => l.agentId)).toEqual(["S2"]);
    const row = await (await fetch(`${cluster}/nodes/S1/status`, { headers: { Authorization: "Bearer s3cret" } })).json();
    expect(row).toMatchObject({ converged: true, status: { appliedGeneration: 1, ok: true, appliers: [{ name: "files", result: "applied" }] } });
  });

  it.each([
    [[], /--source http:\/\/HOST:PORT\/v1\/clusters\/NAME is required/],
    [["--source", "http://cp/v1/desired"], /is not a cluster URL/],
    [["--source", "http://127.0.0.1:47/v1/clusters/x"], /cannot reach http:\/\/127\.0\.0\.1:47\/v1\/clusters\/x\/nodes\?limit=20: ECONNREFUSED/],
    [["--source", "http://cp/v1/clusters/x", "--limit", "all"], /--limit must be a whole number from 0 to 10000 \(got 'all'\)/],
    [["extra"], /unexpected argument 'extra'/],
  ])("usage error (exit 2) for %j", async (args, message) => {
    const { code, stderr } = await runCli(["status", ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it("says what the control plane answered when the cluster or the token is wrong", async () => {
    await expect(status(["--source", `${server.url}/v1/clusters/nope`], recording().io, TOKEN)).rejects.toThrow(/HTTP 404: no snapshot stored for cluster 'nope'/);
    await expect(status(["--source", cluster], recording().io, {})).rejects.toThrow(/HTTP 401: missing bearer token/);
  });
});
