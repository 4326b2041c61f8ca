/**
 * The watch stream over a real socket, where buffering, compression and cut connections are real.
 */
import { request as httpRequest } from "node:http";
import { constants, createGunzip } from "node:zlib";
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { WatchLineReader } from "../../lib/desired/watch-batches.ts";
import { ClusterStates, type ClusterStatesOptions } from "../../lib/http/cluster-states.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { clusterRoutes } from "../../lib/http/routes/clusters.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { SNAPSHOT_INPUT } from "./helpers.ts";
import { EventReader, FollowedView } from "./cluster-requests.ts";

const servers: NodeServer[] = [];
const controllers: AbortController[] = [];
afterEach(async () => {
  for (const controller of controllers.splice(0)) controller.abort();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** fetch, aborted after the test. */
function watchFetch(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const controller = new AbortController();
  controllers.push(controller);
  return fetch(url, { headers, signal: controller.signal });
}

const task = (i: number, name = `web-${i % 50}`) => ({ ...SNAPSHOT_INPUT.tasks[0], id: `web.${i}`, name, labels: [{ key: "owner", value: `team-${i}` }] });

/** Every open watch response, cancelled after each test so the server can close at once. */
const open: Array<{ destroy(): void }> = [];
afterEach(() => {
  for (const stream of open.splice(0)) stream.destroy();
});

async function serve(tasks: number, options: ClusterStatesOptions & { name?: (i: number) => string } = {}) {
  const states = new ClusterStates(new MemorySnapshotStore(), options);
  const app = new Hono().route("/v1/clusters", clusterRoutes(states));
  const server = await listenNode(app, { host: "127.0.0.1", port: 0 });
  servers.push(server);
  const snapshot = { ...SNAPSHOT_INPUT, tasks: Array.from({ length: tasks }, (_, i) => task(i, options.name?.(i))) };
  const put = await fetch(`${server.url}/v1/clusters/test/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(snapshot) });
  expect(put.status).toBe(200);
  let generation = 1;
  const patch = async (change: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/v1/clusters/test/snapshot`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ baseGeneration: generation, ...change }) });
    expect(res.status).toBe(200);
    generation += 1;
  };
  return { states, url: `${server.url}/v1/clusters/test/desired/nodes/S1?watch=true`, patch };
}

/** Opens a watch with node:http (no automatic decompression) and hands over the raw socket stream. */
function rawWatch(url: string, headers: Record<string, string> = {}) {
  return new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      open.push(res);
      resolve(res);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("watch streams over HTTP", () => {
  it("gzips the stream when asked and flushes each commit, so every batch arrives while the stream stays open", async () => {
    const { url, patch } = await serve(200);
    const res = await watchFetch(url, { "Accept-Encoding": "gzip" });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const events = new EventReader(res.body!);
    const view = new FollowedView();
    view.apply(await events.batch());
    await patch({ delete: { tasks: ["web.7"] } });
    const change = await events.batch(3000);
    expect(change.generation).toBe(2);
    expect([...change.deletes]).toContain("dns/records/task/web.7");
    await events.close();
  });

  it("sends gzip bytes that decode to whole batches as they come, a fraction of the raw size", async () => {
    const { url, patch } = await serve(500);
    const raw = await rawWatch(url, { "Accept-Encoding": "gzip" });
    expect(raw.headers["content-encoding"]).toBe("gzip");
    const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH });
    const reader = new WatchLineReader();
    let compressed = 0;
    let decoded = 0;
    const batches: number[] = [];
    raw.on("data", (chunk: Buffer) => {
      compressed += chunk.length;
      gunzip.write(chunk);
    });
    gunzip.on("data", (chunk: Buffer) => {
      decoded += chunk.length;
      for (const event of reader.push(chunk.toString())) if (event.type === "batch") batches.push(event.batch.generation);
    });
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(check()).toBe(true);
    };
    await until(() => batches.length === 1);
    expect(compressed).toBeLessThan(decoded / 4);
    await patch({ delete: { tasks: ["web.3"] } });
    await until(() => batches.length === 2);
    expect(batches).toEqual([1, 2]);
    raw.destroy();
  });

  it("never hands a client a batch the connection was cut in the middle of, and forgets the watcher", async () => {
    const { url, states } = await serve(3000);
    const raw = await rawWatch(url);
    const first = await new Promise<Buffer>((resolve) => raw.once("data", resolve));
    raw.destroy();
    const reader = new WatchLineReader();
    expect(reader.push(first.toString())).toEqual([]);
    expect(reader.pendingLines).toBeGreaterThan(0);
    const state = (await states.current("test"))!;
    for (let i = 0; i < 100 && state.hub.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(state.hub.size).toBe(0);
    // Relisting again gets the whole view.
    const again = new EventReader((await watchFetch(url)).body!);
    expect((await again.batch()).reset).toBe(true);
    await again.close();
  });

  it("cuts a watch mid-relist when the server gives up on it: the client sees an error, never the relist's commit", async () => {
    // Long task names: a relist of several MB, more than the socket buffers hold for a client not reading.
    const { url, states } = await serve(4000, { name: (i) => `service-${i}-${"x".repeat(40)}` });
    const raw = await rawWatch(url);
    raw.pause();
    const state = (await states.current("test"))!;
    for (let i = 0; i < 100 && state.hub.size === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    state.hub.cutAll("the test gives up on it");
    const reader = new WatchLineReader();
    let batches = 0;
    const ended = await new Promise<string>((resolve) => {
      raw.on("data", (chunk: Buffer) => (batches += reader.push(chunk.toString()).filter((e) => e.type === "batch").length));
      raw.on("error", (error) => resolve(`error: ${error.message}`));
      raw.on("aborted", () => resolve("aborted"));
      raw.on("end", () => resolve("end"));
      raw.resume();
    });
    expect(ended).not.toBe("end");
    expect(batches).toBe(0);
    expect(reader.pendingLines).toBeGreaterThan(0);
    expect(state.hub.size).toBe(0);
  });
});
