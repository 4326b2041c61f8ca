import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemorySnapshotStore, type SnapshotStore } from "../../lib/store/snapshot-store.ts";
import { FileSnapshotStore } from "../../lib/store/file-store.ts";
import { fileName } from "../../lib/store/file-node-statuses.ts";
import { DurableObjectSnapshotStore } from "../../lib/store/durable-object-store.ts";
import type { StoredNodeStatus } from "../../lib/store/node-status.ts";
import { FakeStorage } from "../support/fake-durable-storage.ts";

const HASH = "a".repeat(64);

function status(agentId: string, syncs: number): StoredNodeStatus {
  return {
    agentId,
    receivedAt: "2026-01-01T00:00:00.000Z",
    appliedHash: HASH,
    appliedGeneration: 3,
    desiredHash: HASH,
    ok: true,
    syncedAt: "2026-01-01T00:00:00.000Z",
    durationMs: 12,
    appliers: [{ name: "dns", result: "applied", adds: 1, changes: 0, deletes: 0, durationMs: 3 }],
    counters: { syncs, failures: 0, consecutiveFailures: 0 },
  };
}

describe.each<[string, () => Promise<SnapshotStore>]>([
  ["memory", async () => new MemorySnapshotStore()],
  ["file", async () => (await FileSnapshotStore.open(await mkdtemp(join(tmpdir(), "wf-status-")))).store],
  ["durable object", async () => new DurableObjectSnapshotStore(new FakeStorage())],
])("%s store: node statuses", (_name, open) => {
  it("keeps the latest report per node, per cluster", async () => {
    const store = await open();
    expect((await store.nodeStatuses("prod")).size).toBe(0);
    await store.putNodeStatus("prod", status("S1", 1));
    await store.putNodeStatus("prod", status("S2", 1));
    await store.putNodeStatus("prod", status("S1", 2));
    const nodes = await store.nodeStatuses("prod");
    expect([...nodes.keys()].sort()).toEqual(["S1", "S2"]);
    expect(nodes.get("S1")?.counters.syncs).toBe(2);
    expect((await store.nodeStatuses("other")).size).toBe(0);
  });
});

describe("node statuses on disk and in a Durable Object", () => {
  it("file store: one file per node, loaded again after a restart, a corrupt one skipped with a reason", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-status-"));
    const { store } = await FileSnapshotStore.open(dir);
    // Concurrent reports of one node share no temporary file; the last one wins.
    await Promise.all([1, 2, 3].map((n) => store.putNodeStatus("prod", status("S1", n))));
    await store.putNodeStatus("prod", status("../evil.S2", 1));
    expect((await readdir(join(dir, "prod/nodes"))).sort()).toEqual(["%2E%2E%2Fevil%2ES2.json", "S1.json"]);
    await writeFile(join(dir, "prod/nodes", "broken.json"), "{");
    const reopened = await FileSnapshotStore.open(dir);
    const nodes = await reopened.store.nodeStatuses("prod");
    expect(nodes.get("S1")?.counters.syncs).toBe(3);
    expect(nodes.get("../evil.S2")?.agentId).toBe("../evil.S2");
    expect(reopened.problems).toEqual([expect.stringMatching(/prod\/nodes\/broken\.json: not valid JSON .*; skipped$/)]);
  });

  it("file names never leave the directory, and stay short", () => {
    expect(fileName("..")).toBe("%2E%2E.json");
    expect(fileName("a/b")).toBe("a%2Fb.json");
    expect(fileName("x".repeat(300))).toMatch(/^[0-9a-f]{64}\.json$/);
  });

  it("Durable Object: one storage key per node, never one value for all, read back by a new instance", async () => {
    const storage = new FakeStorage();
    const store = new DurableObjectSnapshotStore(storage);
    await store.putNodeStatus("prod", status("S1", 1));
    await store.putNodeStatus("prod", status("S2", 1));
    expect([...storage.data.keys()].sort()).toEqual(["node:prod/S1", "node:prod/S2"]);
    storage.failPutsOf = () => true;
    await expect(store.putNodeStatus("prod", status("S1", 9))).rejects.toThrow("storage unavailable");
    storage.failPutsOf = undefined;
    // A value that no longer parses (another version wrote it, say) is left out, not fatal.
    storage.data.set("node:prod/S9", { agentId: "S9", appliedHash: 42 });
    const fresh = new DurableObjectSnapshotStore(storage);
    const nodes = await fresh.nodeStatuses("prod");
    expect([...nodes.keys()].sort()).toEqual(["S1", "S2"]);
    expect(nodes.get("S1")?.counters.syncs).toBe(1);
  });
});
