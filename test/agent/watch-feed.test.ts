/**
 * The watch client against a scripted server over a real socket: what it does with a stream
 * cut mid-batch, a commit whose hash does not match, a 410, a broken line, a server that does
 * not watch, and an applier that asks for every value again.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { NodeView } from "../../lib/agent/view/node-view.ts";
import type { ReceivedBatch } from "../../lib/agent/watch/batch-builder.ts";
import { WatchFeed } from "../../lib/agent/watch/watch-feed.ts";
import { collectGarbage } from "../../lib/runtime/collect-garbage.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { objectHash, stateHash } from "../../lib/net/multiset-hash.ts";
import { Backoff } from "../../lib/sources/backoff.ts";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

/** The hash of a view holding `values`. */
const hashOf = (values: Record<string, unknown>) => stateHash(Object.entries(values).map(([k, v]) => [k, objectHash(canonicalJson(v))] as const));
const upsert = (generation: number, key: string, value: unknown) => JSON.stringify({ type: "upsert", generation, key, value });
const commit = (generation: number, values: Record<string, unknown>) => JSON.stringify({ type: "commit", generation, hash: hashOf(values) });
const reset = (generation: number) => JSON.stringify({ type: "reset", generation });

type Script = (since: string | null, res: ServerResponse, req: IncomingMessage) => void;

/** A server playing `script` once per request, in order; the last entry repeats. */
async function scripted(scripts: Script[]) {
  const requests: Array<string | null> = [];
  const server = createServer((req, res) => {
    const since = new URL(req.url!, "http://x").searchParams.get("since");
    requests.push(since);
    scripts[Math.min(requests.length - 1, scripts.length - 1)]!(since, res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/v1/clusters/c/desired/nodes/S1`, requests };
}

const ndjson = (res: ServerResponse, lines: string[], end: boolean | "cut") => {
  res.writeHead(200, { "Content-Type": "application/x-ndjson" });
  // A cut comes once the bytes are out: the client has the lines, then the connection drops.
  const text = end === "cut" ? lines.join("\n") : lines.map((l) => `${l}\n`).join("");
  res.write(text, () => (end === "cut" ? setTimeout(() => res.socket?.destroy(), 50) : undefined));
  if (end === true) res.end();
};
const hold = (res: ServerResponse, lines: string[]) => ndjson(res, lines, false);

/** Follows `url` until `until` holds, collecting batches and errors. */
async function follow(url: string, until: (batches: ReceivedBatch[]) => boolean, prepare?: (feed: WatchFeed, view: NodeView) => void) {
  const view = new NodeView(() => true);
  const feed = new WatchFeed({ url, backoff: new Backoff({ initialMs: 5, maxMs: 20 }) });
  const batches: ReceivedBatch[] = [];
  const errors: string[] = [];
  const controller = new AbortController();
  prepare?.(feed, view);
  const done = new Promise<void>((resolve) => {
    const outcome = feed.follow(
      view,
      {
        batch: (batch) => {
          batches.push(batch);
          if (until(batches)) resolve();
        },
        error: (error, kind) => errors.push(`${kind}: ${error.message}`),
        note: () => {},
      },
      controller.signal,
    );
    void outcome.then((result) => (result === "unsupported" ? resolve() : undefined));
  });
  const outcome = await Promise.race([done.then(() => "done"), new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
  controller.abort();
  return { view, batches, errors, outcome };
}

describe("the watch client", () => {
  const g1 = { "dns/a": 1, "l4lb/x": { vip: 1 } };
  const g2 = { ...g1, "dns/b": 2 };

  it("applies nothing of a batch cut mid-stream and resumes from the last generation it applied", async () => {
    const server = await scripted([
      (_since, res) => ndjson(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1), upsert(2, "dns/b", 2), '{"type":"upsert","generation":2,"key":"dns/c","val'], "cut"),
      (_since, res) => hold(res, [upsert(2, "dns/b", 2), commit(2, g2)]),
    ]);
    const { view, batches } = await follow(server.url, (b) => b.length === 2);
    expect(server.requests).toEqual([null, "1"]);
    expect(batches.map((b) => [b.generation, [...b.upserts.keys()]])).toEqual([
      [1, ["dns/a", "l4lb/x"]],
      [2, ["dns/b"]],
    ]);
    expect(view.hash).toBe(hashOf(g2));
  });

  it("keeps no hold of a batch once handed over, while the stream waits for more (a relist holds every value)", async () => {
    const server = await scripted([(_since, res) => hold(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)])]);
    const view = new NodeView(() => true);
    const controller = new AbortController();
    const handed = new Promise<WeakRef<object>>((resolve) => {
      const handler = { batch: (batch: ReceivedBatch) => resolve(new WeakRef(batch.upserts)), error: () => {}, note: () => {} };
      void new WatchFeed({ url: server.url }).follow(view, handler, controller.signal);
    });
    const upserts = await handed;
    // A WeakRef holds its target until the job that made it ends: collect in a later one.
    await new Promise((r) => setTimeout(r, 50));
    collectGarbage();
    controller.abort();
    expect(view.hash).toBe(hashOf(g1));
    expect(upserts.deref()).toBeUndefined();
  });

  it("refuses a batch whose hash does not match the view, and relists", async () => {
    const server = await scripted([
      (_since, res) => hold(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1), upsert(2, "dns/b", 3), commit(2, g2)]),
      (_since, res) => hold(res, [reset(2), upsert(2, "dns/a", 1), upsert(2, "l4lb/x", { vip: 1 }), upsert(2, "dns/b", 2), commit(2, g2)]),
    ]);
    const { view, batches, errors } = await follow(server.url, (b) => b.length === 2);
    expect(server.requests).toEqual([null, null]);
    expect(errors).toEqual([expect.stringMatching(/^invalid: the view at generation 2 would hash to .*, the control plane's is .*: relisting$/)]);
    expect(batches.map((b) => [b.generation, b.reset, [...b.upserts.keys()]])).toEqual([
      [1, true, ["dns/a", "l4lb/x"]],
      // The relist of an almost unchanged view carries only what differs.
      [2, true, ["dns/b"]],
    ]);
    expect(view.value("dns/b")).toBe(2);
  });

  it("relists once on 410 Gone (the control plane restarted or dropped its log)", async () => {
    const server = await scripted([
      (_since, res) => ndjson(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)], true),
      (_since, res) => res.writeHead(410, { "Content-Type": "application/json" }).end('{"error":"gone"}'),
      (_since, res) => hold(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)]),
    ]);
    const { batches } = await follow(server.url, (b) => b.length === 2);
    expect(server.requests).toEqual([null, "1", null]);
    // Nothing differs: the relist is an empty batch, so no applier does anything.
    expect(batches[1]).toMatchObject({ reset: true, upserts: new Map(), deletes: new Set() });
  });

  it("removes the keys a relist no longer lists", async () => {
    const server = await scripted([
      (_since, res) => ndjson(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)], true),
      (_since, res) => res.writeHead(410).end(),
      (_since, res) => hold(res, [reset(3), upsert(3, "dns/a", 1), commit(3, { "dns/a": 1 })]),
    ]);
    const { view, batches } = await follow(server.url, (b) => b.length === 2);
    expect([...batches[1]!.deletes]).toEqual(["l4lb/x"]);
    expect([...view.keys()]).toEqual(["dns/a"]);
  });

  it("names a line that is not a watch line, and relists", async () => {
    const server = await scripted([
      (_since, res) => ndjson(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1), '{"type":"upsert","generation":2}'], false),
      (_since, res) => hold(res, [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)]),
    ]);
    const { errors } = await follow(server.url, (b) => b.length === 2);
    expect(server.requests).toEqual([null, null]);
    expect(errors[0]).toMatch(/^invalid: watch line 5 is not a watch line \(key: .*\)/);
  });

  it("reports a server that does not watch (a whole view in JSON), touching nothing", async () => {
    const server = await scripted([(_since, res) => res.writeHead(200, { "Content-Type": "application/json" }).end('{"apiVersion":"wayfinder/v1"}')]);
    const view = new NodeView(() => true);
    const feed = new WatchFeed({ url: server.url });
    expect(await feed.follow(view, { batch: () => expect.unreachable(), error: () => {}, note: () => {} }, new AbortController().signal)).toBe("unsupported");
    expect(view.size).toBe(0);
  });

  it("relists with every value of an applier's keys when the applier asks, unchanged ones included", async () => {
    const full = [reset(1), upsert(1, "dns/a", 1), upsert(1, "l4lb/x", { vip: 1 }), commit(1, g1)];
    const server = await scripted([(_since, res) => hold(res, full)]);
    let asked = false;
    const { batches } = await follow(server.url, (b) => {
      if (b.length === 1 && !asked) {
        asked = true;
        feedRef.relist("dns", (key) => key.startsWith("dns/"));
      }
      return b.length === 2;
    }, (feed) => (feedRef = feed));
    expect(server.requests).toEqual([null, null]);
    expect(batches[1]).toMatchObject({ reset: true, completeFor: ["dns"] });
    expect([...batches[1]!.upserts.keys()]).toEqual(["dns/a"]);
  });
});

let feedRef: WatchFeed;
