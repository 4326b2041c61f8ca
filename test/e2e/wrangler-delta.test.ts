/**
 * The delta path on Workers at 10,000 tasks: `wrangler dev` runs the Durable Object that stores
 * the cluster by key; a snapshot is PUT, changes of the churn mix are PATCHed, a node watches
 * them (gzip) and ends on the hash of a full recompute. Prints the Durable Object's memory: the
 * isolate's V8 heap after a full GC, before the cluster and while it holds it (via the inspector).
 */
import { execFileSync } from "node:child_process";
import { request as httpRequest } from "node:http";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desiredStateOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import type { KeyedObjects } from "../../functions/keyed/object-store.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SnapshotChange } from "../../lib/snapshot/snapshot-change.ts";
import { KeyedSnapshot } from "../../lib/store/keyed-snapshot.ts";
import { syntheticSnapshot } from "../bench/synthetic-cluster.ts";
import { EventReader, FollowedView } from "../http/cluster-requests.ts";
import { E2E_REQUIRED, freePort, startProcess, stopProcess, toolAvailable, waitForReady, type ServerProcess } from "./server-process.ts";

const WRANGLER = resolve("node_modules/.bin/wrangler");
const available = toolAvailable(WRANGLER);
const TOKEN = "secret";
const auth = { Authorization: `Bearer ${TOKEN}` };

/**
 * A JSON request on a connection of its own: wrangler's dev proxy may close a kept-alive
 * connection just as a client reuses it, which fetch reports as "other side closed".
 */
function send(method: "PUT" | "PATCH", url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent: false, headers: { ...auth, "Content-Type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

/** The V8 heap the Worker's isolate (with its Durable Objects) uses after a full GC, in bytes. */
function isolateHeapBytes(inspectorPort: number): number {
  const out = execFileSync(process.execPath, ["--experimental-websocket", "--no-warnings", "test/e2e/support/isolate-heap.mjs", String(inspectorPort)], { encoding: "utf8", timeout: 120_000 });
  return Number(out.trim());
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The churn mix of issue 14, as changes to `snapshot`. */
function churn(snapshot: ClusterSnapshot): Array<{ name: string; change: unknown }> {
  const [t0, t1, t3] = [snapshot.tasks[0]!, snapshot.tasks[1]!, snapshot.tasks[3]!];
  const lost = snapshot.agents[7]!;
  return [
    { name: "task replaced", change: { delete: { tasks: [t0.id] }, upsert: { tasks: [{ ...t0, id: `${t0.id}-r` }] } } },
    { name: "app scaled by 10", change: { upsert: { tasks: Array.from({ length: 10 }, (_, i) => ({ ...t3, id: `${t3.id}-s${i}` })) } } },
    { name: "agent lost", change: { delete: { agents: [lost.id], tasks: snapshot.tasks.filter((t) => t.agentId === lost.id).map((t) => t.id) } } },
    {
      name: "VIP label added",
      change: { upsert: { tasks: [{ ...t1, discovery: { name: "vip-app", ports: [{ number: 31100, protocol: "tcp", name: "http", labels: [{ key: "VIP_0", value: "/vip-app:8080" }] }] } }] } },
    },
  ];
}

describe.skipIf(!available && !E2E_REQUIRED)("the delta path on Workers at 10,000 tasks", () => {
  let server: ServerProcess | undefined;
  let base = "";
  let inspector = 0;

  beforeAll(async () => {
    if (!available) throw new Error(`WAYFINDER_E2E=required but wrangler is not installed at ${WRANGLER} (run npm ci)`);
    const [port, inspectorPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    inspector = inspectorPort;
    // A storage of its own, so the cluster starts at generation 1 whatever ran before.
    const persist = await mkdtemp(join(tmpdir(), "wayfinder-wrangler-"));
    server = startProcess(
      WRANGLER,
      ["dev", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persist, "--var", `WAYFINDER_TOKEN:${TOKEN}`, "--show-interactive-dev-session=false"],
      { WRANGLER_SEND_METRICS: "false" },
    );
    await waitForReady(server, `${base}/healthz`);
  });

  afterAll(async () => {
    await stopProcess(server);
  });

  it("stores a 10,000-task cluster by key, streams each PATCH to a watching node, and ends on the hash of a full recompute", async () => {
    const snapshot = syntheticSnapshot({ tasks: 10_000, agents: 2_000, apps: 1_000 });
    const cluster = `${base}/v1/clusters/${snapshot.cluster.name}`;
    const node = snapshot.agents[0]!.id;
    const heapBefore = isolateHeapBytes(inspector);

    expect((await send("PUT", `${cluster}/snapshot`, snapshot)).status).toBe(200);
    const watch = await fetch(`${cluster}/desired/nodes/${node}?watch=true`, { headers: { ...auth, "Accept-Encoding": "gzip" } });
    expect(watch.headers.get("content-encoding")).toBe("gzip");
    const events = new EventReader(watch.body!);
    const view = new FollowedView();
    view.apply(await events.batch(60_000));
    expect(view.generation).toBe(1);

    // The same changes, recomputed in full here: each snapshot derived whole, its previous the allocations before.
    const keyed = KeyedSnapshot.from(snapshot);
    let expected: KeyedObjects = deriveObjects(snapshot);
    let generation = 1;
    let hash = "";
    for (const { name, change } of churn(snapshot)) {
      const started = Date.now();
      const res = await send("PATCH", `${cluster}/snapshot`, { baseGeneration: generation, now: snapshot.now, ...(change as object) });
      expect(res.status, name).toBe(200);
      ({ generation, hash } = res.json as { generation: number; hash: string });
      const batch = await events.batch(60_000);
      console.log(`${name}: generation ${generation}, ${batch.upserts.size} upserts and ${batch.deletes.size} deletes to node ${node.slice(-6)} in ${Date.now() - started} ms`);
      view.apply(batch);
      const previous = previousFromDocument(desiredStateOf(expected), "the previous derivation");
      keyed.apply(SnapshotChange.parse(change));
      expected = deriveObjects({ ...keyed.toSnapshot(), previous });
    }
    expect(generation).toBe(5);
    expect(hash).toBe(expected.hash());
    expect(view.hash).toBe(expected.nodeHash(node));

    // Measured while the watch keeps the object in memory (an idle one is evicted).
    const heapAfter = isolateHeapBytes(inspector);
    console.log(`isolate heap after a full GC: ${mib(heapBefore)} MiB before the cluster, ${mib(heapAfter)} MiB holding 10,000 tasks with their derivation, change log and one watcher (+${mib(heapAfter - heapBefore)} MiB of the 128 MiB an object may use)`);
    expect(heapAfter - heapBefore).toBeLessThan(80 * 1024 * 1024);
    await events.close();
    // Deriving 10,000 tasks here five times and in workerd twice takes a minute on a loaded machine.
  }, 300_000);
});
