import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { DesiredState } from "../../lib/desired/schema.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";
import { SNAPSHOT_INPUT, HASH } from "./helpers.ts";
import { AUTH, TOKEN, get, send } from "./cluster-requests.ts";

const task = (id: string, extra: Record<string, unknown> = {}) => ({ ...SNAPSHOT_INPUT.tasks[0], id, name: id.split(".")[0]!, ...extra });

async function storedApp() {
  const app = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
  expect((await send(app, "PUT", "test", SNAPSHOT_INPUT)).status).toBe(200);
  return app;
}

const issuePaths = async (res: Response) => ((await res.json()) as { issues: { path: string; message: string }[] }).issues;

describe("PATCH /v1/clusters/:cluster/snapshot", () => {
  it("applies a change as the next generation and answers its generation and hash (the desired state's ETag)", async () => {
    const app = await storedApp();
    const res = await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("api.1")] } });
    expect(res.status).toBe(200);
    const result = (await res.json()) as { generation: number; hash: string; cluster: string };
    expect(result).toMatchObject({ cluster: "test", generation: 2 });
    expect(result.hash).toMatch(HASH);
    const desired = await get(app, "/v1/clusters/test/desired");
    expect(desired.headers.get("etag")).toBe(`"${result.hash}"`);
    const stored = ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json());
    expect(stored.tasks.map((t) => t.id)).toEqual(["api.1", "web.1"]);

    const removed = await send(app, "PATCH", "test", { baseGeneration: 2, delete: { tasks: ["web.1"] }, upsert: { agents: [{ id: "S3", hostname: "agent-3", ips: ["10.0.1.3"] }] } });
    expect(((await removed.json()) as { generation: number }).generation).toBe(3);
    const after = ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json());
    expect(after.tasks.map((t) => t.id)).toEqual(["api.1"]);
    expect(after.agents.map((a) => a.id)).toEqual(["S1", "S2", "S3"]);
  });

  it("ends on the hash of a full recompute after a sequence of changes", async () => {
    const app = await storedApp();
    const changes = [
      { upsert: { tasks: [task("api.1"), task("api.2", { agentId: "S2" })] } },
      { upsert: { tasks: [task("api.2", { state: "TASK_KILLED" })], apps: [{ id: "/api", labels: { HAPROXY_GROUP: "external" } }] } },
      { delete: { tasks: ["web.1"], agents: ["S1"] } },
      { upsert: { frameworks: [{ id: "F2", name: "metronome" }] }, delete: { apps: ["/api"] } },
    ];
    let generation = 1;
    let hash = "";
    for (const change of changes) {
      const res = await send(app, "PATCH", "test", { baseGeneration: generation, now: "2026-01-01T00:00:00Z", ...change });
      expect(res.status).toBe(200);
      ({ generation, hash } = (await res.json()) as { generation: number; hash: string });
    }
    // Allocations are sticky (agent S1's overlay subnet stays until released), so the recompute
    // starts from the allocations the changes ended with.
    const final = (await (await get(app, "/v1/clusters/test/snapshot")).json()) as Record<string, unknown>;
    const previous = previousFromDocument(await (await get(app, "/v1/clusters/test/desired")).json(), "desired");
    expect(previous.overlay?.nodes?.map((n) => n.ip)).toContain("10.0.1.1");
    const fresh = createApp({ token: TOKEN, store: new MemorySnapshotStore() });
    const recomputed = (await (await send(fresh, "PUT", "test", { ...final, previous })).json()) as { hash: string };
    expect(recomputed.hash).toBe(hash);
  });

  it("makes every accepted change a generation, even one that changes no derived object", async () => {
    const app = await storedApp();
    const res = await send(app, "PATCH", "test", { baseGeneration: 1, now: SNAPSHOT_INPUT.now });
    expect(res.status).toBe(200);
    const { generation, hash } = (await res.json()) as { generation: number; hash: string };
    expect(generation).toBe(2);
    expect(DesiredState.parse(await (await get(app, "/v1/clusters/test/desired")).json()).hash).toBe(hash);
  });

  it("answers 409 with the current generation to a change computed against another one, and applies nothing", async () => {
    const app = await storedApp();
    await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("api.1")] } });
    const stale = await send(app, "PATCH", "test", { baseGeneration: 1, delete: { tasks: ["api.1"] } });
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as { error: string; generation: number };
    expect(body.generation).toBe(2);
    expect(body.error).toMatch(/computed against generation 1, but the cluster is at generation 2/);
    expect((await get(app, "/v1/clusters/test/snapshot")).headers.get("x-wayfinder-generation")).toBe("2");
    expect((await send(app, "PATCH", "test", { baseGeneration: 7 })).status).toBe(409);
  });

  it.each<[string, unknown, string[]]>([
    ["an object that fails its schema", { baseGeneration: 1, upsert: { tasks: [task("a.1"), task("a.2"), task("a.3"), { ...task("a.4"), agentId: 7 }] } }, ["upsert.tasks[3].agentId"]],
    ["an unknown key in the change", { baseGeneration: 1, upserts: { tasks: [] } }, [""]],
    ["an unknown kind of object", { baseGeneration: 1, upsert: { pods: [] } }, ["upsert"]],
    ["an unknown key under delete", { baseGeneration: 1, delete: { task: ["web.1"] } }, ["delete"]],
    ["baseGeneration of the wrong type", { baseGeneration: "1" }, ["baseGeneration"]],
    ["baseGeneration missing", { upsert: { tasks: [] } }, ["baseGeneration"]],
    ["a negative baseGeneration", { baseGeneration: -1 }, ["baseGeneration"]],
    ["an id to delete that is not a string", { baseGeneration: 1, delete: { tasks: [3] } }, ["delete.tasks[0]"]],
    ["a list that is not a list", { baseGeneration: 1, upsert: { agents: { id: "S3" } } }, ["upsert.agents"]],
    ["a now that is no time", { baseGeneration: 1, now: "yesterday" }, ["now"]],
    ["a body that is not an object", [1, 2], [""]],
  ])("answers 400 with issue paths to %s, and applies nothing", async (_what, body, paths) => {
    const app = await storedApp();
    const before = await (await get(app, "/v1/clusters/test/desired")).text();
    const res = await send(app, "PATCH", "test", body);
    expect(res.status).toBe(400);
    expect((await issuePaths(res)).map((i) => i.path)).toEqual(paths);
    expect(await (await get(app, "/v1/clusters/test/desired")).text()).toBe(before);
    expect((await get(app, "/v1/clusters/test/snapshot")).headers.get("x-wayfinder-generation")).toBe("1");
  });

  it("answers 400 naming an unknown id to delete, an id both upserted and deleted, or upserted twice, and applies none of the change", async () => {
    const app = await storedApp();
    const unknown = await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("api.1")] }, delete: { tasks: ["web.1", "gone.7"], agents: ["S9"] } });
    expect(unknown.status).toBe(400);
    const body = (await unknown.json()) as { error: string; issues: { path: string; message: string }[] };
    expect(body.error).toBe("the change cannot apply to generation 1: delete.tasks[1]: no task 'gone.7' is stored, so it cannot be deleted");
    expect(body.issues).toEqual([
      { path: "delete.tasks[1]", message: "no task 'gone.7' is stored, so it cannot be deleted" },
      { path: "delete.agents[0]", message: "no agent 'S9' is stored, so it cannot be deleted" },
    ]);
    expect(ClusterSnapshot.parse(await (await get(app, "/v1/clusters/test/snapshot")).json()).tasks.map((t) => t.id)).toEqual(["web.1"]);

    const both = await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("web.1")] }, delete: { tasks: ["web.1"] } });
    expect(await issuePaths(both)).toEqual([{ path: "delete.tasks[0]", message: "'web.1' is both upserted (upsert.tasks[0]) and deleted" }]);
    const twice = await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { apps: [{ id: "/a" }, { id: "/a" }] } });
    expect(await issuePaths(twice)).toEqual([{ path: "upsert.apps[1].id", message: "'/a' is upserted twice (also at upsert.apps[0])" }]);
    expect((await get(app, "/v1/clusters/test/snapshot")).headers.get("x-wayfinder-generation")).toBe("1");
  });

  it("answers 400 to a body that is not JSON, 415 to one that is not sent as JSON, 404 to a cluster with no snapshot, 401 without the token", async () => {
    const app = await storedApp();
    const broken = await send(app, "PATCH", "test", '{"baseGeneration": 1,');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/^the request body is not valid JSON/);
    const text = await app.request("/v1/clusters/test/snapshot", { method: "PATCH", headers: { ...AUTH, "Content-Type": "text/plain" }, body: "{}" });
    expect(text.status).toBe(415);
    const none = await send(app, "PATCH", "other", { baseGeneration: 0 });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: string }).error).toContain("PUT /v1/clusters/other/snapshot first");
    expect((await send(app, "PATCH", "test", { baseGeneration: 1 }, {})).status).toBe(401);
  });

  it("answers 400 to a PUT listing one id twice with different contents, and takes a repeated identical one as one", async () => {
    const app = await storedApp();
    const differ = await send(app, "PUT", "test", { ...SNAPSHOT_INPUT, tasks: [task("web.1"), task("web.1", { state: "TASK_KILLED" })] });
    expect(differ.status).toBe(400);
    expect(await issuePaths(differ)).toEqual([{ path: "tasks[1].id", message: "'web.1' is at tasks[0] too, with other contents" }]);
    expect((await send(app, "PUT", "test", { ...SNAPSHOT_INPUT, tasks: [task("web.1"), task("web.1")] })).status).toBe(200);
  });
});
