/**
 * A control plane restarted on its store derives exactly what it served before: the objects
 * come back by key, and the sticky allocations (named-VIP addresses kept through their grace
 * period, overlay subnets of agents that left, HAProxy server slots) come back from the
 * allocation objects stored with every generation, so the next change lands the same way too.
 */
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClusterStates } from "../../lib/http/cluster-states.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { SnapshotPatch } from "../../lib/store/snapshot-patch.ts";
import { DurableObjectSnapshotStore } from "../../lib/store/durable-object-store.ts";
import { FileSnapshotStore } from "../../lib/store/file-store.ts";
import type { SnapshotStore } from "../../lib/store/snapshot-store.ts";
import { FakeStorage } from "../support/fake-durable-storage.ts";

const DEMO = ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8")));
const task = (prefix: string) => DEMO.tasks.find((t) => t.id.startsWith(prefix))!;
const [S0, S1, S2] = DEMO.agents.map((a) => a.id);

/** Changes that move every kind of allocation, an hour apart so grace periods run. */
const CHANGES = [
  { now: "2026-01-01T01:00:00Z", delete: { tasks: [task("cache.").id] } },
  { now: "2026-01-01T02:00:00Z", upsert: { tasks: [{ ...task("web.0"), id: "web.new", discovery: { ...task("web.0").discovery!, ports: [{ number: 80, protocol: "tcp", name: "http", labels: [{ key: "VIP_0", value: "/fresh:81" }] }] } }] } },
  { now: "2026-01-01T03:00:00Z", delete: { agents: [S2!], tasks: DEMO.tasks.filter((t) => t.agentId === S2 && !t.id.startsWith("cache.")).map((t) => t.id) } },
  { now: "2026-01-01T04:00:00Z", delete: { tasks: [task("web.1").id] }, upsert: { apps: [{ ...DEMO.marathonApps.find((a) => a.id === "/web")!, instances: 1 }] } },
];

const homes: Array<[string, () => Promise<{ store: SnapshotStore; reopen: () => Promise<SnapshotStore> }>]> = [
  [
    "file",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "wf-restart-"));
      const { store } = await FileSnapshotStore.open(dir, { compactMinBytes: 4096 });
      return { store, reopen: async () => (await FileSnapshotStore.open(dir)).store };
    },
  ],
  [
    "durable object",
    async () => {
      const storage = new FakeStorage();
      return { store: new DurableObjectSnapshotStore(storage), reopen: async () => new DurableObjectSnapshotStore(storage) };
    },
  ],
];

describe.each(homes)("a control plane restarted on its %s store", (_name, open) => {
  it("serves the same hashes, and takes the next change to the same hashes as the one that never stopped", async () => {
    const { store, reopen } = await open();
    const before = new ClusterStates(store);
    expect(await before.put("demo", DEMO)).toHaveProperty("state");
    let generation = 1;
    for (const change of CHANGES) {
      const result = await before.patch("demo", SnapshotPatch.parse({ baseGeneration: generation, ...change }));
      expect(result, JSON.stringify(result).slice(0, 400)).toHaveProperty("state");
      generation += 1;
    }
    const served = (await before.current("demo"))!;
    // Two named VIPs lost their last task and are kept through their grace period.
    expect(served.desired().l4lb.namedVips?.filter((v) => v.lastSeen !== undefined).map((v) => v.name)).toEqual(["host-vip.hello-world", "metrics.marathon"]);

    // The first one stays up beside it only to take the same next change.
    const restartedStore = await reopen();
    const after = new ClusterStates(restartedStore);
    const restarted = (await after.current("demo"))!;
    expect(restarted.generation).toBe(generation);
    expect(restarted.derivation.hash()).toBe(served.derivation.hash());
    for (const node of [S0!, S1!]) expect(restarted.derivation.nodeHash(node)).toBe(served.derivation.nodeHash(node));
    expect(restarted.desired()).toEqual(served.desired());

    const next = SnapshotPatch.parse({ baseGeneration: generation, now: "2026-01-02T00:00:00Z", upsert: { tasks: [{ ...task("db."), id: "db.second", agentId: S0! }] } });
    const [a, b] = [await before.patch("demo", next), await after.patch("demo", next)];
    expect("hash" in a && "hash" in b && a.hash === b.hash).toBe(true);
    for (const s of [store, restartedStore]) await (s as { close?: () => Promise<void> }).close?.();
  });
});
