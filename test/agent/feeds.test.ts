import { mkdtemp, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeViewUrl, RemoteFeed } from "../../lib/agent/feeds/remote.ts";
import { FileFeed } from "../../lib/agent/feeds/file.ts";
import type { FeedSink } from "../../lib/agent/feeds/feed.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { createApp } from "../../lib/http/app.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { Backoff } from "../../lib/sources/backoff.ts";
import { startServer } from "../support/fake-cluster.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function recordingSink() {
  const desired: DesiredState[] = [];
  const errors: { kind: string; message: string }[] = [];
  const sink: FeedSink = { desired: (d) => void desired.push(d), error: (e, kind) => void errors.push({ kind, message: e.message }) };
  return { sink, desired, errors };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const withTask = (id: string) => ({ ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, { ...SNAPSHOT_INPUT.tasks[0], id, name: id.split(".")[0]! }] });

async function storeServer(token?: string): Promise<NodeServer> {
  const server = await listenNode(createApp({ store: new MemorySnapshotStore(), token }), { host: "127.0.0.1", port: 0 });
  servers.push(server);
  return server;
}

async function putSnapshot(base: string, body: unknown, token?: string): Promise<void> {
  const res = await fetch(`${base}/v1/clusters/test/snapshot`, {
    method: "PUT",
    headers: { "Content-Type": "application/json", ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`PUT failed: ${res.status} ${await res.text()}`);
}

describe("nodeViewUrl", () => {
  it.each([
    ["http://cp:8080/v1/clusters/prod", "http://cp:8080/v1/clusters/prod/desired/nodes/S1"],
    ["http://cp:8080/v1/clusters/prod/", "http://cp:8080/v1/clusters/prod/desired/nodes/S1"],
    ["http://cp:8080/v1/desired", "http://cp:8080/v1/desired/nodes/S1"],
    ["https://cp/v1/clusters/prod/desired/nodes/S1", "https://cp/v1/clusters/prod/desired/nodes/S1"],
  ])("%s → %s", (source, url) => {
    expect(nodeViewUrl(source, "S1")).toBe(url);
  });

  it("refuses URLs that are not wayfinder's, and credentials", () => {
    expect(() => nodeViewUrl("http://cp:8080/", "S1")).toThrow(/is not a wayfinder URL/);
    expect(() => nodeViewUrl("http://u:p@cp:8080/v1/desired", "S1")).toThrow(/credentials/);
  });
});

describe("RemoteFeed", () => {
  it("long-polls the node view with the token and delivers each change once", async () => {
    const server = await storeServer("tok");
    await putSnapshot(server.url, SNAPSHOT_INPUT, "tok");
    const feed = new RemoteFeed({ url: nodeViewUrl(`${server.url}/v1/clusters/test`, "S1"), node: "S1", token: "tok", waitSeconds: 5 });
    const { desired: first } = await feed.fetch();
    const { sink, desired, errors } = recordingSink();
    const controller = new AbortController();
    const watching = feed.watch(sink, controller.signal, first.hash);
    await new Promise((r) => setTimeout(r, 200));
    expect(desired).toEqual([]);
    const started = Date.now();
    await putSnapshot(server.url, withTask("api.1"), "tok");
    await until(() => desired.length === 1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(desired[0]!.hash).not.toBe(first.hash);
    controller.abort();
    await watching;
    expect(errors).toEqual([]);
  });

  it("rejects a state it cannot fully read and waits for the next one instead of refetching it", async () => {
    const server = await storeServer();
    await putSnapshot(server.url, SNAPSHOT_INPUT);
    const good = await (await fetch(`${server.url}/v1/clusters/test/desired/nodes/S1`)).text();
    const tampered = canonicalJson({ ...(JSON.parse(good) as object), futureSection: {} });
    let requests = 0;
    const evil = await startServer((req, res) => {
      requests++;
      if (req.headers["if-none-match"] === '"bad"') return; // held, like a long poll
      res.writeHead(200, { "Content-Type": "application/json", ETag: '"bad"' }).end(tampered);
    });
    servers.push(evil);
    const feed = new RemoteFeed({ url: `${evil.url}/v1/desired/nodes/S1`, node: "S1", backoff: new Backoff({ initialMs: 10, maxMs: 20 }), waitSeconds: 5 });
    const { sink, desired, errors } = recordingSink();
    const controller = new AbortController();
    const watching = feed.watch(sink, controller.signal);
    await until(() => errors.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    controller.abort();
    await watching;
    expect(desired).toEqual([]);
    expect(errors[0]).toEqual({ kind: "invalid", message: expect.stringMatching(/'futureSection' is not a field this agent knows/) });
    expect(requests).toBe(2);
  });

  it("reports an unreachable control plane and keeps trying with backoff", async () => {
    const dead = await startServer(() => {});
    await dead.close();
    const feed = new RemoteFeed({ url: `${dead.url}/v1/desired/nodes/S1`, node: "S1", backoff: new Backoff({ initialMs: 10, maxMs: 20 }) });
    const { sink, errors } = recordingSink();
    const controller = new AbortController();
    const watching = feed.watch(sink, controller.signal);
    await until(() => errors.length >= 3);
    controller.abort();
    await watching;
    expect(errors.every((e) => e.kind === "fetch" && e.message.includes("ECONNREFUSED"))).toBe(true);
  });
});

describe("FileFeed", () => {
  it("computes the node's view from a snapshot file and follows replacements by rename", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-feed-"));
    const path = join(dir, "snapshot.json");
    await writeFile(path, JSON.stringify(SNAPSHOT_INPUT));
    const feed = new FileFeed({ path, node: "S1", pollIntervalMs: 50 });
    const { sink, desired, errors } = recordingSink();
    const controller = new AbortController();
    const watching = feed.watch(sink, controller.signal);
    await until(() => desired.length === 1);
    expect(desired[0]!.node).toBe("S1");
    await writeFile(join(dir, "next.json"), "{ half a file");
    await rename(join(dir, "next.json"), path);
    await until(() => errors.length === 1);
    await writeFile(join(dir, "next.json"), JSON.stringify(withTask("api.1")));
    await rename(join(dir, "next.json"), path);
    await until(() => desired.length === 2);
    controller.abort();
    await watching;
    expect(errors[0]).toEqual({ kind: "invalid", message: expect.stringContaining("snapshot.json: not valid JSON") });
  });

  it("refuses a node the snapshot does not list, and projects a cluster's desired state", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-feed-"));
    const path = join(dir, "snapshot.json");
    await writeFile(path, JSON.stringify(SNAPSHOT_INPUT));
    await expect(new FileFeed({ path, node: "S9" }).fetch()).rejects.toThrow("node 'S9' is not an agent of cluster 'test' (agents: S1, S2)");
    const server = await storeServer();
    await putSnapshot(server.url, SNAPSHOT_INPUT);
    await writeFile(path, await (await fetch(`${server.url}/v1/clusters/test/desired`)).text());
    expect((await new FileFeed({ path, node: "S2" }).fetch()).desired.node).toBe("S2");
  });
});
