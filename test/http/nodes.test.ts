import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { NodesSummary, NodeRow } from "../../lib/http/node-convergence.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import type { NodeStatusReport } from "../../lib/store/node-status.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";

const auth = { Authorization: "Bearer t" };

async function cluster() {
  const app = createApp({ token: "t", store: new MemorySnapshotStore() });
  const put = await app.request("/v1/clusters/test/snapshot", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(SNAPSHOT_INPUT) });
  expect(put.status).toBe(200);
  const view = async (agent: string) => (await app.request(`/v1/clusters/test/desired/nodes/${agent}`, { headers: auth })).headers.get("etag")!.replaceAll('"', "");
  return { app, s1: await view("S1"), s2: await view("S2") };
}

function report(appliedHash: string | null, overrides: Partial<NodeStatusReport> = {}): NodeStatusReport {
  return {
    appliedHash,
    appliedGeneration: appliedHash === null ? null : 1,
    desiredHash: appliedHash,
    ok: true,
    syncedAt: "2026-01-01T00:00:01Z",
    durationMs: 40,
    appliers: [
      { name: "l4lb", result: "applied", adds: 2, changes: 0, deletes: 0, durationMs: 30 },
      { name: "dns", result: "unchanged", adds: 0, changes: 0, deletes: 0, durationMs: 10 },
    ],
    counters: { syncs: 1, failures: 0, consecutiveFailures: 0 },
    ...overrides,
  };
}

function putStatus(app: ReturnType<typeof createApp>, agent: string, body: unknown, headers: Record<string, string> = auth) {
  return app.request(`/v1/clusters/test/nodes/${agent}/status`, { method: "PUT", headers: { ...headers, "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("node status reports", () => {
  it("keeps a report and says whether the node runs its current view", async () => {
    const { app, s1 } = await cluster();
    const res = await putStatus(app, "S1", report(s1));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ agentId: "S1", generation: 1, viewHash: s1, converged: true });
    const behind = await putStatus(app, "S2", report("b".repeat(64)));
    expect(((await behind.json()) as { converged: boolean }).converged).toBe(false);
    const row = NodeRow.parse(await (await app.request("/v1/clusters/test/nodes/S1/status", { headers: auth })).json());
    expect(row).toMatchObject({ agentId: "S1", converged: true, silent: false, status: { appliedGeneration: 1, counters: { syncs: 1 } } });
  });

  it("summarises nodes converged X of Y, the laggards and the failing appliers", async () => {
    const { app, s1 } = await cluster();
    const failed = report(s1, {
      ok: false,
      appliers: [
        { name: "l4lb", result: "applied", adds: 0, changes: 1, deletes: 0 },
        { name: "haproxy", result: "failed", stage: "apply", error: "haproxy -c: unable to stat SSL certificate", adds: 1, changes: 0, deletes: 0 },
      ],
      counters: { syncs: 4, failures: 2, consecutiveFailures: 2 },
    });
    await putStatus(app, "S1", failed);
    const summary = NodesSummary.parse(await (await app.request("/v1/clusters/test/nodes", { headers: auth })).json());
    expect(summary).toMatchObject({ cluster: "test", generation: 1, total: 2, reporting: 1, converged: 1, silent: 1 });
    expect(summary.laggards).toEqual([{ agentId: "S2", hostname: "agent-2", appliedHash: null, appliedGeneration: null, receivedAt: null, silent: true }]);
    expect(summary.failing).toEqual([{ applier: "haproxy", nodes: 1, examples: [{ agentId: "S1", stage: "apply", error: "haproxy -c: unable to stat SSL certificate" }] }]);
  });

  it("exports the same in Prometheus text, for every cluster and for one", async () => {
    const { app, s1 } = await cluster();
    await putStatus(app, "S1", report(s1, { appliers: [{ name: "dns", result: "held", error: "kept its last state: l4lb did not apply", adds: 0, changes: 0, deletes: 0 }] }));
    expect((await app.request("/metrics")).status).toBe(401);
    const all = await (await app.request("/metrics", { headers: auth })).text();
    expect(all).toContain('wayfinder_cluster_nodes{cluster="test"} 2');
    expect(all).toContain('wayfinder_cluster_nodes_converged{cluster="test"} 1');
    expect(all).toContain('wayfinder_node_converged{cluster="test",node="S2"} 0');
    expect(all).toContain('wayfinder_node_applier_failing{cluster="test",node="S1",applier="dns",stage="held"} 1');
    const one = await app.request("/v1/clusters/test/metrics", { headers: auth });
    expect(one.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await one.text()).toBe(all);
  });

  it("refuses a node the cluster does not have (404) and a cluster with no snapshot (404)", async () => {
    const { app, s1 } = await cluster();
    const unknown = await putStatus(app, "S9", report(s1));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "agent 'S9' is not in the snapshot of cluster 'test' (snapshot.agents[].id)" });
    const none = await app.request("/v1/clusters/nope/nodes/S1/status", { method: "PUT", headers: { ...auth, "Content-Type": "application/json" }, body: JSON.stringify(report(s1)) });
    expect(none.status).toBe(404);
    expect((await app.request("/v1/clusters/test/nodes/S2/status", { headers: auth })).status).toBe(404);
    expect(((await (await app.request("/v1/clusters/test/nodes/S2/status", { headers: auth })).json()) as { error: string }).error).toBe("node 'S2' has not reported a status yet");
  });

  it.each<[string, unknown, string[]]>([
    ["a missing field", { ...report(null), ok: undefined }, ["ok"]],
    ["a hash that is not sha256 hex", report("not-a-hash"), ["appliedHash"]],
    ["an unknown applier result and a negative count", report(null, { appliers: [{ name: "dns", result: "exploded", adds: -1, changes: 0, deletes: 0 }] as never }), ["appliers[0].result", "appliers[0].adds"]],
    ["an unknown key", { ...report(null), extra: 1 }, [""]],
    ["a time without zone", report(null, { syncedAt: "yesterday" }), ["syncedAt"]],
  ])("answers %s with 400 and the issue paths, keeping nothing", async (_name, body, paths) => {
    const { app } = await cluster();
    const res = await putStatus(app, "S1", body);
    expect(res.status).toBe(400);
    const issues = ((await res.json()) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(paths));
    expect((await app.request("/v1/clusters/test/nodes/S1/status", { headers: auth })).status).toBe(404);
  });

  it("answers bad JSON with 400, a wrong type with 415 and no token with 401", async () => {
    const { app } = await cluster();
    expect((await putStatus(app, "S1", "{")).status).toBe(400);
    expect((await app.request("/v1/clusters/test/nodes/S1/status", { method: "PUT", headers: { ...auth, "Content-Type": "text/plain" }, body: "x" })).status).toBe(415);
    expect((await putStatus(app, "S1", report(null), {})).status).toBe(401);
    expect((await app.request("/v1/clusters/test/nodes?limit=many", { headers: auth })).status).toBe(400);
  });
});
