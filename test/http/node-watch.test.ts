import { describe, expect, it } from "vitest";
import { createApp } from "../../lib/http/app.ts";
import { acceptsGzip, watchQuery } from "../../lib/http/routes/node-watch.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";
import { EventReader, FollowedView, TOKEN, get, send } from "./cluster-requests.ts";
import type { ClusterStatesOptions } from "../../lib/http/cluster-states.ts";

const task = (id: string, extra: Record<string, unknown> = {}) => ({ ...SNAPSHOT_INPUT.tasks[0], id, name: id.split(".")[0]!, ...extra });

async function storedApp(clusters: ClusterStatesOptions = {}) {
  const app = createApp({ token: TOKEN, store: new MemorySnapshotStore(), clusters });
  expect((await send(app, "PUT", "test", SNAPSHOT_INPUT)).status).toBe(200);
  return app;
}

async function watch(app: ReturnType<typeof createApp>, node: string, query = "") {
  const res = await get(app, `/v1/clusters/test/desired/nodes/${node}?watch=true${query}`);
  return { res, events: res.status === 200 ? new EventReader(res.body!) : undefined };
}

const etagOfView = async (app: ReturnType<typeof createApp>, node: string) => (await get(app, `/v1/clusters/test/desired/nodes/${node}`)).headers.get("etag")!.slice(1, -1);

describe("GET /v1/clusters/:cluster/desired/nodes/:agentId?watch=true", () => {
  it("relists the node's view, then streams each change as one batch whose commit hash is the view's ETag", async () => {
    const app = await storedApp();
    const { res, events } = await watch(app, "S1");
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(res.headers.get("x-wayfinder-generation")).toBe("1");
    const view = new FollowedView();
    const relist = await events!.batch();
    expect(relist).toMatchObject({ reset: true, generation: 1 });
    view.apply(relist);
    expect(view.hash).toBe(await etagOfView(app, "S1"));
    expect([...view.values.keys()]).toContain("node/S1/overlay");
    expect([...view.values.keys()].some((k) => k.startsWith("node/S2/") || k.startsWith("control/"))).toBe(false);

    await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("api.1")] } });
    const added = await events!.batch();
    expect(added).toMatchObject({ reset: false, generation: 2 });
    expect([...added.upserts.keys()]).toContain("dns/records/task/api.1");
    expect(added.upserts.size).toBeLessThan(view.values.size / 2);
    view.apply(added);
    expect(view.hash).toBe(await etagOfView(app, "S1"));

    await send(app, "PATCH", "test", { baseGeneration: 2, delete: { tasks: ["api.1"] } });
    const removed = await events!.batch();
    expect([...removed.deletes]).toContain("dns/records/task/api.1");
    view.apply(removed);

    // What the stream built is what a fresh relist holds.
    const again = await watch(app, "S1");
    const fresh = new FollowedView();
    fresh.apply(await again.events!.batch());
    expect(fresh.values).toEqual(view.values);
    expect(fresh.hash).toBe(view.hash);
    await events!.close();
    await again.events!.close();
  });

  it("sends a node only its own node-scoped keys, and a commit with no lines for a change that is not its", async () => {
    const app = await storedApp();
    const s2 = await watch(app, "S2");
    await s2.events!.batch();
    await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { agents: [{ id: "S1", hostname: "agent-1", ips: ["10.0.1.1"], attributes: { rack: "r1" } }] } });
    const batch = await s2.events!.batch();
    expect(batch.generation).toBe(2);
    expect([...batch.upserts.keys(), ...batch.deletes].filter((k) => k.startsWith("node/"))).toEqual([]);
    // A change that derives nothing new still commits its generation.
    await send(app, "PATCH", "test", { baseGeneration: 2, now: SNAPSHOT_INPUT.now });
    await send(app, "PATCH", "test", { baseGeneration: 3, now: SNAPSHOT_INPUT.now });
    const empty = await s2.events!.batch();
    expect(empty).toMatchObject({ generation: 3, reset: false });
    expect((await s2.events!.batch()).upserts.size).toBe(0);
    await s2.events!.close();
  });

  it("resumes from since: the generations after it in one batch, a bookmark when it is current", async () => {
    const app = await storedApp();
    await send(app, "PATCH", "test", { baseGeneration: 1, upsert: { tasks: [task("api.1")] } });
    await send(app, "PATCH", "test", { baseGeneration: 2, upsert: { tasks: [task("api.2")] } });
    const caughtUp = await watch(app, "S1", "&since=1");
    const batch = await caughtUp.events!.batch();
    expect(batch).toMatchObject({ generation: 3, reset: false });
    expect([...batch.upserts.keys()]).toEqual(expect.arrayContaining(["dns/records/task/api.1", "dns/records/task/api.2"]));
    expect(batch.hash).toBe(await etagOfView(app, "S1"));
    await caughtUp.events!.close();

    const current = await watch(app, "S1", "&since=3");
    expect(await current.events!.next()).toEqual({ type: "bookmark", generation: 3, hash: await etagOfView(app, "S1") });
    await current.events!.close();
  });

  it("answers 410 with the current generation to a since from the future or older than the change log holds", async () => {
    const app = await storedApp({ log: { generations: 2, bytes: 1 << 20 } });
    const future = await watch(app, "S1", "&since=9");
    expect(future.res.status).toBe(410);
    const body = (await future.res.json()) as { error: string; generation: number };
    expect(body).toEqual({ error: "generation 9 is newer than the cluster's generation 1 (the control plane restarted or lost its store); relist: watch again without since", generation: 1 });
    for (let g = 1; g <= 3; g++) await send(app, "PATCH", "test", { baseGeneration: g, upsert: { tasks: [task(`api.${g}`)] } });
    const old = await watch(app, "S1", "&since=1");
    expect(old.res.status).toBe(410);
    expect(((await old.res.json()) as { error: string }).error).toBe("generation 1 is older than the change log holds (it resumes from 2); relist: watch again without since");
    expect((await watch(app, "S1", "&since=2")).res.status).toBe(200);
  });

  it("sends a bookmark with the view's hash while nothing changes", async () => {
    const app = await storedApp({ watch: { bookmarkMs: 50 } });
    const { events } = await watch(app, "S1");
    await events!.batch();
    expect(await events!.next()).toEqual({ type: "bookmark", generation: 1, hash: await etagOfView(app, "S1") });
    await events!.close();
  });

  it("cuts a watcher that falls further behind than its bound, so the server never holds more for it", async () => {
    const app = await storedApp({ watch: { maxQueuedBytes: 4096 } });
    const { res } = await watch(app, "S1");
    const reader = res.body!.getReader();
    for (let g = 1; g <= 40; g++) await send(app, "PATCH", "test", { baseGeneration: g, upsert: { tasks: [task(`api.${g}`, { labels: [{ key: "pad", value: "x".repeat(200) }] })] } });
    let error: unknown;
    try {
      for (;;) if ((await reader.read()).done) break;
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toMatch(/watch stream cut: more than 4096 bytes waiting for a slow client/);
  });

  it.each([
    ["?watch=true&since=abc", "since must be a generation, a whole number from 0 (got 'abc')"],
    ["?watch=true&since=-1", "since must be a generation, a whole number from 0 (got '-1')"],
    ["?watch=true&since=1e3", "since must be a generation, a whole number from 0 (got '1e3')"],
    ["?watch=true&since=", "since must be a generation, a whole number from 0 (got '')"],
    ["?watch=yes", "watch must be 'true' (got 'yes')"],
    ["?since=3", "since is only for a watch (add watch=true)"],
    ["?watch=true&wait=10", "wait is for the whole-view long poll, not for a watch (drop one of them)"],
  ])("answers 400 to %s", async (query, error) => {
    const app = await storedApp();
    const res = await get(app, `/v1/clusters/test/desired/nodes/S1${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe(error);
  });

  it("answers 404 for an agent the snapshot does not list or a cluster with no snapshot, 401 without the token", async () => {
    const app = await storedApp();
    expect((await watch(app, "S9")).res.status).toBe(404);
    expect((await get(app, "/v1/clusters/none/desired/nodes/S1?watch=true")).status).toBe(404);
    expect((await app.request("/v1/clusters/test/desired/nodes/S1?watch=true")).status).toBe(401);
  });
});

describe("watch query parsing", () => {
  it("reads watch and since", () => {
    expect(watchQuery({})).toBeUndefined();
    expect(watchQuery({ watch: "true" })).toEqual({ since: undefined });
    expect(watchQuery({ watch: "true", since: "0" })).toEqual({ since: 0 });
    expect(watchQuery({ watch: "true", since: "9".repeat(16) })).toEqual({ error: `since must be a generation, a whole number from 0 (got '${"9".repeat(16)}')` });
  });

  it.each<[string | undefined, boolean]>([
    [undefined, false],
    ["gzip", true],
    ["br, gzip;q=0.5", true],
    ["gzip;q=0", false],
    ["GZIP", true],
    ["*", true],
    ["identity", false],
    ["br;q=1.0, deflate", false],
  ])("Accept-Encoding %j allows gzip: %s", (header, gzip) => {
    expect(acceptsGzip(header)).toBe(gzip);
  });
});
