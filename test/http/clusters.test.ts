import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { MemorySnapshotStore, type SnapshotStore, type StoredChange } from "../../lib/store/snapshot-store.ts";
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
function withCommit(memory: MemorySnapshotStore, commit: SnapshotStore["commit"]): SnapshotStore {
  return {
    clusters: () => memory.clusters(),
    get: (c) => memory.get(c),
    commit,
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

  it("answers a PUT with as many diagnostics as the desired state it serves lists", async () => {
    const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
    const stray = { ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, { ...SNAPSHOT_INPUT.tasks[0], id: "stray.1", name: "stray", agentId: "S-gone" }] };
    const result = (await (await put(app, "test", stray)).json()) as { diagnostics: number };
    const desired = DesiredState.parse(await (await get(app, "/v1/clusters/test/desired")).json());
    expect(desired.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics).toBe(desired.diagnostics.length);
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

  it("stores the derived allocations with each generation, and a PUT without previous keeps them", async () => {
    const writes: StoredChange[] = [];
    const memory = new MemorySnapshotStore();
    const store = withCommit(memory, (c, w) => (writes.push(w), memory.commit(c, w)));
    const app = createApp({ store });
    await put(app, "test", SNAPSHOT_INPUT, {});
    const desired = DesiredState.parse(await (await get(app, "/v1/clusters/test/desired")).json());
    const carried = previousFromDocument(desired, "stored");
    expect(Object.keys(carried).length).toBeGreaterThan(0);
    expect(writes[0]!.allocations.upserts.length).toBeGreaterThan(0);
    const first = await (await get(app, "/v1/clusters/test/desired")).text();
    await put(app, "test", SNAPSHOT_INPUT, {});
    // Nothing moved: no allocation changed, and the desired state is the same.
    expect(writes[1]!.allocations).toEqual({ upserts: [], deletes: [] });
    expect(await (await get(app, "/v1/clusters/test/desired")).text()).toBe(first);
  });

  it("answers 503 and keeps the stored snapshot when the store cannot write", async () => {
    const memory = new MemorySnapshotStore();
    let fail = false;
    const store = withCommit(memory, (c, w) => (fail ? Promise.reject(new Error("ENOSPC")) : memory.commit(c, w)));
    const app = createApp({ store });
    await put(app, "test", SNAPSHOT_INPUT, {});
    fail = true;
    const res = await put(app, "test", withTask("api.1"), {});
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe("could not store the snapshot (ENOSPC); the previous one keeps serving");
    expect(ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json()).tasks).toHaveLength(1);
    fail = false;
    expect((await put(app, "test", withTask("api.1"), {})).status).toBe(200);
    expect(ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json()).tasks).toHaveLength(2);
  });

  it("never serves a change before it is stored: a read waits for the write, and sees the old state when the write fails", async () => {
    const memory = new MemorySnapshotStore();
    let release: ((ok: boolean) => void) | undefined;
    const store = withCommit(memory, async (c, w) => {
      if (w.generation === 1) return memory.commit(c, w);
      if (!(await new Promise<boolean>((r) => (release = r)))) throw new Error("EIO");
      return memory.commit(c, w);
    });
    const app = createApp({ store });
    await put(app, "test", SNAPSHOT_INPUT, {});
    const before = await (await get(app, "/v1/clusters/test/desired")).text();
    for (const ok of [false, true]) {
      const writing = put(app, "test", withTask("api.1"), {});
      while (release === undefined) await new Promise((r) => setTimeout(r, 5));
      let read: string | undefined;
      const reading = Promise.resolve(get(app, "/v1/clusters/test/desired")).then(async (r) => (read = await r.text()));
      await new Promise((r) => setTimeout(r, 50));
      expect(read).toBeUndefined();
      release(ok);
      release = undefined;
      expect((await writing).status).toBe(ok ? 200 : 503);
      await reading;
      expect(read === before).toBe(!ok);
    }
  });

  it("describes the store routes in the OpenAPI document only when there is a store", async () => {
    const withStore = (await (await createApp({ store: new MemorySnapshotStore() }).request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(withStore.paths)).toEqual(expect.arrayContaining(["/v1/clusters/{cluster}/snapshot", "/v1/clusters/{cluster}/desired/nodes/{agentId}"]));
    type Operation = { parameters: Array<{ $ref: string }>; requestBody: { content: Record<string, { schema: { $ref: string } }> }; responses: Record<string, unknown> };
    const paths = withStore.paths as Record<string, Record<string, Operation>>;
    const patch = paths["/v1/clusters/{cluster}/snapshot"]!.patch!;
    expect(patch.requestBody.content["application/json"]!.schema.$ref).toBe("#/components/schemas/SnapshotPatch");
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(["200", "400", "404", "409", "415", "503"]));
    const node = paths["/v1/clusters/{cluster}/desired/nodes/{agentId}"]!.get!;
    expect(node.parameters.map((p) => p.$ref)).toEqual(expect.arrayContaining(["#/components/parameters/Watch", "#/components/parameters/Since"]));
    expect(Object.keys(node.responses)).toContain("410");
    const schemas = ((withStore as unknown as { components: { schemas: Record<string, { properties?: Record<string, unknown>; oneOf?: unknown[] }> } }).components.schemas);
    expect(Object.keys(schemas.SnapshotPatch!.properties!)).toEqual(expect.arrayContaining(["baseGeneration", "upsert", "delete"]));
    expect(schemas.WatchLine!.oneOf ?? (schemas.WatchLine as { anyOf?: unknown[] }).anyOf).toHaveLength(5);
    const without = (await (await createApp().request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(without.paths).some((p) => p.startsWith("/v1/clusters"))).toBe(false);
  });
});
