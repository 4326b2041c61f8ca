import { mkdtemp, readFile, readdir, stat, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemorySnapshotStore, isClusterName, type SnapshotStore, type StoredChange } from "../../lib/store/snapshot-store.ts";
import { FileSnapshotStore } from "../../lib/store/file-store.ts";
import { DurableObjectSnapshotStore } from "../../lib/store/durable-object-store.ts";
import { SnapshotChange } from "../../lib/snapshot/snapshot-change.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { FakeStorage } from "../support/fake-durable-storage.ts";

const NOW = "2026-01-01T00:00:00.000Z";

/** Every file store a test opens, closed after it (their logs are open files). */
const opened: FileSnapshotStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

async function openFiles(dir: string, options: Parameters<typeof FileSnapshotStore.open>[1] = {}) {
  const result = await FileSnapshotStore.open(dir, options);
  opened.push(result.store);
  return result;
}
const task = (i: number, extra: Record<string, unknown> = {}) => ({ ...SNAPSHOT_INPUT.tasks[0], id: `web.${i}`, ...extra });
const { tasks: _t, agents: _a, frameworks: _f, ...fieldsInput } = SNAPSHOT_INPUT;
const FIELDS = (() => {
  const { tasks: _x, marathonApps: _m, agents: _g, frameworks: _r, ...fields } = ClusterSnapshot.parse(fieldsInput);
  return fields;
})();

function write(generation: number, change: unknown, options: { fields?: boolean; allocations?: StoredChange["allocations"] } = {}): StoredChange {
  return {
    generation,
    storedAt: NOW,
    ...(options.fields ? { fields: FIELDS } : {}),
    change: SnapshotChange.parse(change),
    allocations: options.allocations ?? { upserts: [], deletes: [] },
  };
}

const first = (tasks: number) => write(1, { upsert: { tasks: Array.from({ length: tasks }, (_, i) => task(i)), agents: SNAPSHOT_INPUT.agents, frameworks: SNAPSHOT_INPUT.frameworks } }, { fields: true, allocations: { upserts: [["control/a", '{"x":1}']], deletes: [] } });

const homes: Array<[string, () => Promise<{ store: SnapshotStore; reopen?: () => Promise<SnapshotStore> }>]> = [
  ["memory", async () => ({ store: new MemorySnapshotStore() })],
  [
    "file",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
      const first = (await openFiles(dir)).store;
      return { store: first, reopen: async () => (await openFiles(dir)).store };
    },
  ],
  [
    "durable object",
    async () => {
      const storage = new FakeStorage();
      return { store: new DurableObjectSnapshotStore(storage, 1000), reopen: async () => new DurableObjectSnapshotStore(storage, 1000) };
    },
  ],
];

describe.each(homes)("%s store", (_name, open) => {
  it("numbers generations per cluster, applies changes by id and keeps allocations", async () => {
    const { store, reopen } = await open();
    expect(await store.get("prod")).toBeUndefined();
    expect((await store.commit("prod", first(3))).generation).toBe(1);
    await store.commit("prod", write(2, { now: "2026-01-02T00:00:00Z", upsert: { tasks: [task(1, { state: "TASK_KILLING" }), task(7)] }, delete: { tasks: ["web.0"] } }, { allocations: { upserts: [["control/b", "2"]], deletes: ["control/a"] } }));
    for (const s of reopen === undefined ? [store] : [store, await reopen()]) {
      const stored = (await s.get("prod"))!;
      expect(stored.generation).toBe(2);
      expect([...stored.snapshot.objects.tasks.keys()].sort()).toEqual(["web.1", "web.2", "web.7"]);
      expect(stored.snapshot.objects.tasks.get("web.1")?.state).toBe("TASK_KILLING");
      expect(stored.snapshot.fields.now).toBe("2026-01-02T00:00:00.000Z".replace(".000", ""));
      expect([...stored.allocations]).toEqual([["control/b", "2"]]);
      expect(stored.snapshot.toSnapshot().agents.map((a) => a.id)).toEqual(["S1", "S2"]);
      expect(await s.get("other")).toBeUndefined();
    }
  });

  it("refuses a generation that does not follow, and a first one without the cluster fields", async () => {
    const { store } = await open();
    await expect(store.commit("prod", write(1, {}))).rejects.toThrow("its first generation must carry the cluster-level fields");
    await store.commit("prod", first(1));
    await expect(store.commit("prod", write(3, {}))).rejects.toThrow("generation 3 cannot follow 1 (expected 2)");
    expect((await store.get("prod"))?.generation).toBe(1);
  });
});

describe("FileSnapshotStore", () => {
  it("appends one log line per change, costing what it changes, and compacts once the log outgrows the snapshot", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const { store } = await openFiles(dir, { compactMinBytes: 1 });
    await store.commit("prod", first(200));
    const snapshotBytes = (await stat(join(dir, "prod", "snapshot.ndjson"))).size;
    await store.commit("prod", write(2, { upsert: { tasks: [task(1, { state: "TASK_KILLING" })] } }));
    const logBytes = (await stat(join(dir, "prod", "changes.ndjson"))).size;
    expect(logBytes).toBeGreaterThan(0);
    expect(logBytes).toBeLessThan(snapshotBytes / 50);
    // Enough one-task changes to outgrow the snapshot file: it is rewritten and the log starts again.
    const changes = Math.ceil((snapshotBytes * 1.5) / logBytes);
    for (let generation = 3; generation <= changes + 2; generation++) {
      await store.commit("prod", write(generation, { upsert: { tasks: [task(generation % 200, { state: `S${generation}` })] } }));
    }
    await store.close();
    const header = JSON.parse((await readFile(join(dir, "prod", "snapshot.ndjson"), "utf8")).split("\n")[0]!) as { generation: number };
    expect(header.generation).toBeGreaterThan(2);
    expect((await stat(join(dir, "prod", "changes.ndjson"))).size).toBeLessThan(snapshotBytes);
    const reopened = await openFiles(dir);
    expect((await reopened.store.get("prod"))?.generation).toBe(changes + 2);
    expect(reopened.problems).toEqual([]);
  });

  it("drops a log tail cut short by a crash, says so, and truncates the file there", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const { store } = await openFiles(dir);
    await store.commit("prod", first(2));
    await store.commit("prod", write(2, { upsert: { tasks: [task(5)] } }));
    await store.close();
    const log = join(dir, "prod", "changes.ndjson");
    const good = (await stat(log)).size;
    await appendFile(log, '0123 {"generation":3');
    const reopened = await openFiles(dir);
    expect(reopened.problems).toEqual([expect.stringMatching(/changes\.ndjson: from byte \d+, its last 20 bytes end without a newline .*the cluster resumes at generation 2$/)]);
    expect((await reopened.store.get("prod"))?.generation).toBe(2);
    expect((await stat(log)).size).toBe(good);
    // The store keeps appending after the cut, and reading again finds nothing wrong.
    await reopened.store.commit("prod", write(3, { delete: { tasks: ["web.5"] } }));
    await reopened.store.close();
    const again = await openFiles(dir);
    expect(again.problems).toEqual([]);
    expect((await again.store.get("prod"))?.snapshot.objects.tasks.has("web.5")).toBe(false);
  });

  it("drops a line that fails its checksum and everything after it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const { store } = await openFiles(dir);
    await store.commit("prod", first(2));
    await store.commit("prod", write(2, { upsert: { tasks: [task(5)] } }));
    await store.commit("prod", write(3, { upsert: { tasks: [task(6)] } }));
    await store.close();
    const log = join(dir, "prod", "changes.ndjson");
    const lines = (await readFile(log, "utf8")).split("\n");
    await writeFile(log, [lines[0], lines[1]!.replace("web.6", "web.9"), ""].join("\n"));
    const reopened = await openFiles(dir);
    expect(reopened.problems).toEqual([expect.stringMatching(/line 2 fails its checksum; dropped .*resumes at generation 2$/)]);
    expect([...(await reopened.store.get("prod"))!.snapshot.objects.tasks.keys()].sort()).toEqual(["web.0", "web.1", "web.5"]);
  });

  it("skips a cluster whose snapshot file is damaged, with the reason, and serves the others", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const { store } = await openFiles(dir);
    await store.commit("prod", first(2));
    await store.commit("qa", first(2));
    await store.close();
    const path = join(dir, "qa", "snapshot.ndjson");
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace('"state":"TASK_RUNNING"', '"state":7'));
    const reopened = await openFiles(dir);
    expect(reopened.problems).toEqual([expect.stringMatching(/qa\/snapshot\.ndjson: line \d+ is not a valid tasks object \(state: .*\); cluster 'qa' skipped$/)]);
    expect(await reopened.store.get("qa")).toBeUndefined();
    expect((await reopened.store.get("prod"))?.generation).toBe(1);
  });

  it("migrates a cluster stored in the earlier one-file layout, and skips a corrupt or misnamed one with a reason", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-store-"));
    const snapshot = ClusterSnapshot.parse(SNAPSHOT_INPUT);
    const legacy = (cluster: string) => JSON.stringify({ apiVersion: "wayfinder/v1", kind: "StoredSnapshot", cluster, generation: 4, storedAt: NOW, snapshot });
    await writeFile(join(dir, "prod.json"), legacy("prod"));
    await writeFile(join(dir, "broken.json"), '{"apiVersion":');
    await writeFile(join(dir, "wrong.json"), legacy("prod"));
    const { store, problems } = await openFiles(dir);
    expect(problems).toEqual([
      expect.stringMatching(/broken\.json: not valid JSON/),
      expect.stringMatching(/prod\.json: migrated to .*prod\/ \(generation 4\)$/),
      expect.stringMatching(/wrong\.json: holds cluster 'prod', not 'wrong'; skipped/),
    ]);
    const stored = (await store.get("prod"))!;
    expect(stored.generation).toBe(4);
    expect(stored.snapshot.toSnapshot()).toEqual(snapshot);
    expect((await readdir(dir)).sort()).toEqual(["broken.json", "prod", "wrong.json"]);
  });
});

describe("DurableObjectSnapshotStore", () => {
  it("stores one key per object and writes only the keys a change touches, in one transaction", async () => {
    const storage = new FakeStorage();
    const store = new DurableObjectSnapshotStore(storage);
    await store.commit("prod", first(300));
    expect([...storage.data.keys()].filter((k) => k.startsWith("obj/tasks/"))).toHaveLength(300);
    expect(storage.data.get("alloc/control/a")).toBe('{"x":1}');
    expect(storage.writes.every((w) => w.keys.length <= 128)).toBe(true);
    storage.writes.length = 0;
    await store.commit("prod", write(2, { upsert: { tasks: [task(1, { state: "TASK_KILLING" })] }, delete: { tasks: ["web.2"] } }));
    expect(storage.writes).toEqual([
      { op: "delete", keys: ["obj/tasks/web.2"] },
      { op: "put", keys: ["obj/tasks/web.1", "meta"] },
    ]);
    expect((await new DurableObjectSnapshotStore(storage).get("prod"))?.snapshot.objects.tasks.size).toBe(299);
  });

  it("splits an object larger than a value into parts, reads it back whole, and drops its parts with it", async () => {
    const storage = new FakeStorage();
    const store = new DurableObjectSnapshotStore(storage, 300);
    await store.commit("prod", first(1));
    const big = task(9, { labels: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: "v".repeat(20) })) });
    await store.commit("prod", write(2, { upsert: { tasks: [big] } }));
    const parts = [...storage.data.keys()].filter((k) => k.startsWith("part/tasks/web.9/"));
    expect(parts.length).toBeGreaterThan(3);
    expect([...storage.data.values()].every((v) => typeof v !== "string" || v.length <= 300)).toBe(true);
    expect((await new DurableObjectSnapshotStore(storage, 300).get("prod"))?.snapshot.objects.tasks.get("web.9")).toEqual(SnapshotChange.parse({ upsert: { tasks: [big] } }).upsert.tasks[0]);
    await store.commit("prod", write(3, { delete: { tasks: ["web.9"] } }));
    expect([...storage.data.keys()].filter((k) => k.includes("web.9"))).toEqual([]);
  });

  it("keeps the previous generation, in storage and in memory, when the transaction fails", async () => {
    const storage = new FakeStorage();
    const store = new DurableObjectSnapshotStore(storage);
    await store.commit("prod", first(5));
    storage.failPutsOf = (keys) => keys.includes("meta");
    await expect(store.commit("prod", write(2, { delete: { tasks: ["web.1"] } }))).rejects.toThrow("storage unavailable");
    expect((await store.get("prod"))?.generation).toBe(1);
    expect((await store.get("prod"))?.snapshot.objects.tasks.has("web.1")).toBe(true);
    expect(storage.data.has("obj/tasks/web.1")).toBe(true);
  });

  it("migrates the earlier chunked layout, and names a missing chunk instead of parsing half a snapshot", async () => {
    const snapshot = ClusterSnapshot.parse(SNAPSHOT_INPUT);
    const text = JSON.stringify(snapshot);
    const storage = new FakeStorage();
    storage.data.set("head", { cluster: "test", generation: 3, storedAt: NOW, chunks: 2 });
    storage.data.set("snapshot:3:0", text.slice(0, 100));
    storage.data.set("snapshot:3:1", text.slice(100));
    const stored = (await new DurableObjectSnapshotStore(storage).get("test"))!;
    expect(stored.generation).toBe(3);
    expect(stored.snapshot.toSnapshot()).toEqual(snapshot);
    expect([...storage.data.keys()].some((k) => k === "head" || k.startsWith("snapshot:"))).toBe(false);
    expect((await new DurableObjectSnapshotStore(storage).get("test"))?.generation).toBe(3);

    const damaged = new FakeStorage();
    damaged.data.set("head", { cluster: "test", generation: 3, storedAt: NOW, chunks: 2 });
    damaged.data.set("snapshot:3:0", text.slice(0, 100));
    await expect(new DurableObjectSnapshotStore(damaged).get("test")).rejects.toThrow(/generation 3\) lacks 1 of its 2 chunks \(snapshot:3:1, \.\.\.\)/);
  });
});

describe("isClusterName", () => {
  it.each([["prod", true], ["eu-west.1_a", true], ["../etc", false], ["", false], [".hidden", false], ["a".repeat(64), false]])("%j → %s", (name, ok) => {
    expect(isClusterName(name)).toBe(ok);
  });
});
