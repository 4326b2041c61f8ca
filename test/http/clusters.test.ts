import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { MemorySnapshotStore, type SnapshotStore } from "../../lib/store/snapshot-store.ts";
import { DesiredState } from "../../lib/desired/schema.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";

const TOKEN = "t0ken";
const auth = { Authorization: `Bearer ${TOKEN}` };

function put(app: ReturnType<typeof createApp>, cluster: string, body: unknown, headers: Record<string, string> = auth) {
  return app.request(`/v1/clusters/${cluster}/snapshot`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
const get = (app: ReturnType<typeof createApp>, path: string, headers: Record<string, string> = {}) =>
  app.request(path, { headers: { ...auth, ...headers } });

/** `memory` with its `put` replaced (to watch or fail writes). */
function withPut(memory: MemorySnapshotStore, put: SnapshotStore["put"]): SnapshotStore {
  return {
    clusters: () => memory.clusters(),
    get: (c) => memory.get(c),
    put,
    nodeStatuses: (c) => memory.nodeStatuses(c),
    putNodeStatus: (c, s) => memory.putNodeStatus(c, s),
  };
}

const withTask = (id: string) => ({ ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, { ...SNAPSHOT_INPUT.tasks[0], id, name: id.split(".")[0]! }] });

describe("snapshot store routes", () => {
  it("stores a snapshot and serves the cluster's desired state and node views with ETags", async () => {
    const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
    const res = await put(app, "test", SNAPSHOT_INPUT);
    expect(res.status).toBe(200);
    const result = (await res.json()) as { generation: number; hash: string };
    expect(result.generation).toBe(1);
    expect(res.headers.get("etag")).toBe(`"${result.hash}"`);

    const desired = await get(app, "/v1/clusters/test/desired");
    expect(DesiredState.parse(await desired.json()).hash).toBe(result.hash);
    const view = await get(app, "/v1/clusters/test/desired/nodes/S1");
    const etag = view.headers.get("etag")!;
    expect(DesiredState.parse(await view.json()).node).toBe("S1");
    expect((await get(app, "/v1/clusters/test/desired/nodes/S1", { "If-None-Match": etag })).status).toBe(304);
    const stored = await get(app, "/v1/clusters/test/snapshot");
    expect(ClusterSnapshot.parse(await stored.json()).tasks).toHaveLength(1);
  });

  it("rejects a bad snapshot with issue paths and keeps serving the stored one", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    await put(app, "test", SNAPSHOT_INPUT, {});
    const before = await (await get(app, "/v1/clusters/test/desired")).text();
    const bad = await put(app, "test", { ...SNAPSHOT_INPUT, agents: [{ id: "" }] }, {});
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain("agents[0].id");
    expect((await put(app, "test", "{not json", {})).status).toBe(400);
    const mismatch = await put(app, "test", { ...SNAPSHOT_INPUT, cluster: { name: "other" } }, {});
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { error: string }).error).toBe("the snapshot is of cluster 'other', not 'test'");
    expect(await (await get(app, "/v1/clusters/test/desired")).text()).toBe(before);
  });

  it("answers 404 for a cluster with no snapshot or an agent it does not list, 400 for a bad name or wait", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    const none = await get(app, "/v1/clusters/test/desired");
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toContain("PUT /v1/clusters/test/snapshot first");
    await put(app, "test", SNAPSHOT_INPUT, {});
    expect((await get(app, "/v1/clusters/test/desired/nodes/S9")).status).toBe(404);
    expect((await get(app, "/v1/clusters/bad%20name/desired")).status).toBe(400);
    expect((await get(app, "/v1/clusters/test/desired?wait=600")).status).toBe(400);
    expect((await get(app, "/v1/clusters/test/desired?wait=soon")).status).toBe(400);
  });

  it("requires the bearer token on every store route", async () => {
    const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
    expect((await put(app, "test", SNAPSHOT_INPUT, {})).status).toBe(401);
    expect((await app.request("/v1/clusters/test/desired")).status).toBe(401);
  });

  it("holds a matching long poll until a PUT changes the node's view, then answers the new state", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    await put(app, "test", SNAPSHOT_INPUT, {});
    const etag = (await get(app, "/v1/clusters/test/desired/nodes/S1")).headers.get("etag")!;
    const started = Date.now();
    const poll = get(app, "/v1/clusters/test/desired/nodes/S1?wait=10", { "If-None-Match": etag });
    await new Promise((r) => setTimeout(r, 100));
    // The same snapshot again changes nothing in the view: the poll keeps waiting.
    await put(app, "test", SNAPSHOT_INPUT, {});
    await new Promise((r) => setTimeout(r, 100));
    await put(app, "test", withTask("api.1"), {});
    const res = await poll;
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).not.toBe(etag);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("keeps the desired state (and ETag) when the same cluster is PUT again at a later time", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    const first = (await (await put(app, "test", SNAPSHOT_INPUT, {})).json()) as { hash: string; generation: number };
    const later = (await (await put(app, "test", { ...SNAPSHOT_INPUT, now: "2026-01-01T01:00:00Z" }, {})).json()) as { hash: string; generation: number };
    expect(later.generation).toBe(2);
    expect(later.hash).toBe(first.hash);
  });

  it("answers 304 when the wait runs out with nothing new", async () => {
    const app = createApp({ store: new MemorySnapshotStore() });
    await put(app, "test", SNAPSHOT_INPUT, {});
    const etag = (await get(app, "/v1/clusters/test/desired")).headers.get("etag")!;
    const started = Date.now();
    const res = await get(app, "/v1/clusters/test/desired?wait=0.3", { "If-None-Match": etag });
    expect(res.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("carries allocations over from the stored desired state when a PUT has no previous", async () => {
    const puts: ClusterSnapshot[] = [];
    const memory = new MemorySnapshotStore();
    const store = withPut(memory, (c, s, t) => (puts.push(s), memory.put(c, s, t)));
    const app = createApp({ store });
    await put(app, "test", SNAPSHOT_INPUT, {});
    expect(puts[0]!.previous).toEqual({});
    await put(app, "test", SNAPSHOT_INPUT, {});
    // Taken from the stored desired state (previousFromDocument of it), not left empty.
    const stored = DesiredState.parse(await (await get(app, "/v1/clusters/test/desired")).json());
    const carried = previousFromDocument(stored, "stored");
    expect(Object.keys(carried).length).toBeGreaterThan(0);
    expect(puts[1]!.previous).toEqual(carried);
    const explicit = { l4lb: { namedVips: [] } };
    await put(app, "test", { ...SNAPSHOT_INPUT, previous: explicit }, {});
    expect(puts[2]!.previous).toEqual(explicit);
  });

  it("answers 503 and keeps the stored snapshot when the store cannot write", async () => {
    const memory = new MemorySnapshotStore();
    let fail = false;
    const store = withPut(memory, (c, s, t) => (fail ? Promise.reject(new Error("ENOSPC")) : memory.put(c, s, t)));
    const app = createApp({ store });
    await put(app, "test", SNAPSHOT_INPUT, {});
    fail = true;
    const res = await put(app, "test", withTask("api.1"), {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe("could not store the snapshot (ENOSPC); the previous one keeps serving");
    expect(ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json()).tasks).toHaveLength(1);
  });

  it("describes the store routes in the OpenAPI document only when there is a store", async () => {
    const withStore = (await (await createApp({ store: new MemorySnapshotStore() }).request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(withStore.paths)).toEqual(expect.arrayContaining(["/v1/clusters/{cluster}/snapshot", "/v1/clusters/{cluster}/desired/nodes/{agentId}"]));
    const without = (await (await createApp().request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(without.paths).some((p) => p.startsWith("/v1/clusters"))).toBe(false);
  });
});
