import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemorySnapshotStore, isClusterName, type SnapshotStore } from "../../lib/store/snapshot-store.ts";
import { FileSnapshotStore } from "../../lib/store/file-store.ts";
import { DurableObjectSnapshotStore } from "../../lib/store/durable-object-store.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { FakeStorage } from "../support/fake-durable-storage.ts";

const snapshot = (tasks = 1) =>
  ClusterSnapshot.parse({
    ...SNAPSHOT_INPUT,
    tasks: Array.from({ length: tasks }, (_, i) => ({ ...SNAPSHOT_INPUT.tasks[0], id: `web.${i}` })),
  });

const NOW = "2026-01-01T00:00:00.000Z";

describe.each<[string, () => Promise<SnapshotStore>]>([
  ["memory", async () => new MemorySnapshotStore()],
  ["file", async () => (await FileSnapshotStore.open(await mkdtemp(join(tmpdir(), "wf-store-")))).store],
  ["durable object", async () => new DurableObjectSnapshotStore(new FakeStorage(), 1000)],
])("%s store", (_name, open) => {
  it("numbers generations per cluster and returns what was stored", async () => {
    const store = await open();
    expect(await store.get("prod")).toBeUndefined();
    expect((await store.put("prod", snapshot(1), NOW)).generation).toBe(1);
    expect((await store.put("prod", snapshot(2), NOW)).generation).toBe(2);
    const stored = await store.get("prod");
    expect(stored?.generation).toBe(2);
    expect(stored?.snapshot.tasks).toHaveLength(2);
    expect(await store.get("other")).toBeUndefined();
  });
});

describe("FileSnapshotStore", () => {
  it("loads what it stored after a restart, and skips a corrupt or misnamed file with a reason", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const { store } = await FileSnapshotStore.open(dir);
    await store.put("prod", snapshot(3), NOW);
    await store.put("prod", snapshot(4), NOW);
    await writeFile(join(dir, "broken.json"), '{"apiVersion":');
    await writeFile(join(dir, "wrong.json"), await readFile(join(dir, "prod.json"), "utf8"));
    await writeFile(join(dir, "bad.json"), JSON.stringify({ apiVersion: "wayfinder/v1", kind: "StoredSnapshot", cluster: "bad", generation: 1, storedAt: NOW, snapshot: { cluster: {} } }));
    const reopened = await FileSnapshotStore.open(dir);
    expect((await reopened.store.get("prod"))?.generation).toBe(2);
    expect((await reopened.store.get("prod"))?.snapshot.tasks).toHaveLength(4);
    expect(reopened.problems).toEqual([
      expect.stringMatching(/bad\.json: not a stored snapshot \(snapshot\.cluster\.name: .*\); skipped$/),
      expect.stringMatching(/broken\.json: not valid JSON/),
      expect.stringMatching(/wrong\.json: holds cluster 'prod', not 'wrong'; skipped/),
    ]);
    expect((await readdir(dir)).filter((f) => f.includes("tmp"))).toEqual([]);
  });
});

describe("DurableObjectSnapshotStore", () => {
  it("splits a large snapshot into chunks under the value limit and reassembles it", async () => {
    const storage = new FakeStorage();
    const store = new DurableObjectSnapshotStore(storage, 300);
    await store.put("prod", snapshot(40), NOW);
    const chunks = [...storage.data.keys()].filter((k) => k.startsWith("snapshot:1:"));
    expect(chunks.length).toBeGreaterThan(10);
    expect([...storage.data.values()].every((v) => typeof v !== "string" || v.length <= 300)).toBe(true);
    const fresh = new DurableObjectSnapshotStore(storage, 300);
    expect((await fresh.get("prod"))?.snapshot).toEqual(snapshot(40));
  });

  it("keeps serving the previous generation when a write fails before the head moves, and drops replaced chunks", async () => {
    const storage = new FakeStorage();
    await new DurableObjectSnapshotStore(storage, 300).put("prod", snapshot(5), NOW);
    storage.failPutsOf = (keys) => keys.includes("head");
    await expect(new DurableObjectSnapshotStore(storage, 300).put("prod", snapshot(9), NOW)).rejects.toThrow("storage unavailable");
    expect((await new DurableObjectSnapshotStore(storage, 300).get("prod"))?.snapshot.tasks).toHaveLength(5);
    storage.failPutsOf = undefined;
    await new DurableObjectSnapshotStore(storage, 300).put("prod", snapshot(6), NOW);
    expect([...storage.data.keys()].some((k) => k.startsWith("snapshot:1:"))).toBe(false);
    expect((await new DurableObjectSnapshotStore(storage, 300).get("prod"))?.generation).toBe(2);
  });
});

describe("DurableObjectSnapshotStore damage", () => {
  it("names the missing chunk instead of parsing half a snapshot", async () => {
    const storage = new FakeStorage();
    await new DurableObjectSnapshotStore(storage, 300).put("prod", snapshot(5), NOW);
    storage.data.delete("snapshot:1:1");
    await expect(new DurableObjectSnapshotStore(storage, 300).get("prod")).rejects.toThrow(/generation 1\) lacks 1 of its \d+ chunks \(snapshot:1:1, \.\.\.\)/);
  });
});

describe("isClusterName", () => {
  it.each([["prod", true], ["eu-west.1_a", true], ["../etc", false], ["", false], [".hidden", false], ["a".repeat(64), false]])("%j → %s", (name, ok) => {
    expect(isClusterName(name)).toBe(ok);
  });
});
