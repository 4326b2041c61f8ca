import { appendFile, mkdtemp, readdir, stat, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NodeView } from "../../lib/agent/view/node-view.ts";
import { ViewStore, type PersistedChanges } from "../../lib/agent/view/view-store.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { objectHash, stateHash } from "../../lib/net/multiset-hash.ts";

const keeps = (key: string) => !key.startsWith("dns/");
const object = (value: unknown) => {
  const json = canonicalJson(value);
  return { hash: objectHash(json), json, value };
};

/** Applies `values` (undefined deletes) to `view` as one batch, and returns what the syncer would persist. */
function batch(view: NodeView, generation: number, values: Record<string, unknown>): PersistedChanges {
  const upserts = new Map<string, { hash: string; json: string }>();
  const deletes = new Set<string>();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) deletes.add(key);
    else upserts.set(key, object(value));
  }
  const changes = { upserts: [...upserts].map(([key, u]) => ({ key, hash: u.hash, value: values[key] })), deletes: [...deletes] };
  view.apply(changes, generation);
  return { generation, hash: view.hash, upserts, deletes };
}

describe("NodeView", () => {
  it("keeps its hash as the state hash of its objects, and the DNS keys' apart, batch after batch", () => {
    const view = new NodeView(keeps);
    batch(view, 1, { "dns/a": [1], "l4lb/x": { v: 1 }, "overlay/peer/p": { ip: "1" } });
    const changes = { upserts: [{ key: "dns/a", hash: object([2]).hash }], deletes: ["overlay/peer/p"] };
    const predicted = view.hashAfter(changes);
    view.apply(changes, 2);
    const expected = { "dns/a": [2], "l4lb/x": { v: 1 } };
    expect(view.hash).toBe(predicted);
    expect(view.hash).toBe(stateHash(Object.entries(expected).map(([k, v]) => [k, object(v).hash] as const)));
    expect(view.dnsHash).toBe(stateHash([["dns/a", object([2]).hash]]));
    expect(view.value("l4lb/x")).toEqual({ v: 1 });
    expect(view.value("dns/a")).toBeUndefined();
  });
});

describe("ViewStore", () => {
  it("persists each batch and loads the view back at its generation, values only where kept", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-view-"));
    const first = await ViewStore.open(dir, "S1", keeps);
    expect(first.view.generation).toBeUndefined();
    await first.store.append(batch(first.view, 4, { "dns/a": [1], "l4lb/x": { v: 1 } }), first.view);
    expect(await first.store.append(batch(first.view, 5, { "l4lb/x": { v: 2 }, "l4lb/y": { v: 3 } }), first.view)).toBeGreaterThan(0);
    await first.store.close();

    const again = await ViewStore.open(dir, "S1", keeps);
    expect(again.problems).toEqual([]);
    expect(again.view.generation).toBe(5);
    expect(again.view.hash).toBe(first.view.hash);
    expect(again.view.value("l4lb/y")).toEqual({ v: 3 });
    expect(again.view.hashOf("dns/a")).toBe(object([1]).hash);
    await again.store.close();
    expect((await ViewStore.open(dir, "S2", keeps)).view.generation).toBeUndefined();
  });

  it("resumes from the last whole batch of a journal cut short, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-view-"));
    const { store, view } = await ViewStore.open(dir, "S1", keeps);
    await store.append(batch(view, 1, { "l4lb/x": { v: 1 } }), view);
    await store.append(batch(view, 2, { "l4lb/x": { v: 2 } }), view);
    await store.close();
    const journal = join(dir, "agent", (await readdir(join(dir, "agent"))).find((f) => f.endsWith(".journal"))!);
    await appendFile(journal, '{"type":"upsert","key":"l4lb/z","hash":"ab');
    const again = await ViewStore.open(dir, "S1", keeps);
    expect(again.view.generation).toBe(2);
    expect(again.problems).toEqual([expect.stringContaining(`${journal}: ends with`)]);
    await again.store.close();
  });

  it("starts empty, naming the file, when its snapshot was truncated, and writes itself anew", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-view-"));
    const { store, view } = await ViewStore.open(dir, "S1", keeps);
    await store.append(batch(view, 1, { "l4lb/x": { v: 1 }, "l4lb/y": { v: 2 } }), view);
    await store.close();
    const snapshot = join(dir, "agent", (await readdir(join(dir, "agent"))).find((f) => f.endsWith(".snapshot"))!);
    await truncate(snapshot, (await stat(snapshot)).size - 20);
    const damaged = await ViewStore.open(dir, "S1", keeps);
    expect(damaged.view.generation).toBeUndefined();
    expect(damaged.problems.join("\n")).toContain(`${snapshot}: cut short`);
    await damaged.store.append(batch(damaged.view, 7, { "l4lb/x": { v: 9 } }), damaged.view);
    await damaged.store.close();
    const repaired = await ViewStore.open(dir, "S1", keeps);
    expect(repaired.problems).toEqual([]);
    expect(repaired.view.generation).toBe(7);
    expect(repaired.view.value("l4lb/x")).toEqual({ v: 9 });
    await repaired.store.close();
  });
});
