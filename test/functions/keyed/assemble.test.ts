import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { desiredStateOf, nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { keyScope, KeyPrefix, ObjectKeys } from "../../../lib/desired/object-keys.ts";
import * as Values from "../../../lib/desired/object-values.ts";
import { stateHash } from "../../../lib/net/multiset-hash.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { goldenFixtures, readSnapshot } from "../../golden/fixtures.ts";

const fixtures = goldenFixtures().map((f) => [f.name, readSnapshot(f.snapshotPath)] as const);

/** The schema of each key kind, by prefix (longest first). */
const SCHEMAS: Array<[string, z.ZodType]> = [
  [KeyPrefix.dnsForwardingAgent, Values.AgentNetworks],
  [ObjectKeys.dnsForwarding, Values.DnsForwardingObject],
  [ObjectKeys.dnsAliases, Values.DnsAliases],
  [KeyPrefix.dnsZone, Values.DnsZoneHeader],
  [KeyPrefix.dnsRecords, Values.DnsOwnerRecords],
  [KeyPrefix.l4Service, Values.L4ServiceObject],
  [KeyPrefix.haproxyGroup, Values.HaproxyGroupObject],
  [KeyPrefix.haproxyService, Values.HaproxyServiceObject],
  [KeyPrefix.haproxyServer, Values.HaproxyServerObject],
  [ObjectKeys.overlaySpaces, Values.OverlaySpaces],
  [KeyPrefix.overlayPeer, Values.OverlayPeer],
  [KeyPrefix.namedVipAllocation, Values.NamedVipAllocation],
  [KeyPrefix.overlayAllocation, Values.OverlayAllocationObject],
  [KeyPrefix.haproxySlots, Values.HaproxySlotsObject],
  [KeyPrefix.diagnostics, Values.Diagnostics],
];

/** The schema of each node-scoped key kind, by its last segment. */
const NODE_SCHEMAS: Array<[string, z.ZodType]> = [
  ["/overlay", Values.NodeOverlayObject],
  ["/haproxy", Values.HaproxyNodeObject],
];

const schemaOf = (key: string) => (key.startsWith("node/") ? NODE_SCHEMAS.find(([suffix]) => key.endsWith(suffix)) : SCHEMAS.find(([prefix]) => key.startsWith(prefix)))?.[1];

describe("the keyed desired state of the golden fixtures", () => {
  it.each(fixtures)("%s: reconcile's hash is the state hash of its objects", (_name, snapshot) => {
    const objects = deriveObjects(snapshot);
    const entries = [...objects.entries()].map(([key, stored]) => [key, stored.hash] as const);
    expect(reconcile(snapshot).hash).toBe(stateHash(entries));
    expect(desiredStateOf(objects)).toEqual(reconcile(snapshot));
  });

  it.each(fixtures)("%s: every object's value has its kind's shape", (_name, snapshot) => {
    const objects = deriveObjects(snapshot);
    const unknown: string[] = [];
    for (const [key] of objects.entries()) {
      const schema = schemaOf(key);
      if (schema === undefined) unknown.push(key);
      else expect(schema.safeParse(objects.value(key)).error, key).toBeUndefined();
    }
    expect(unknown).toEqual([]);
  });

  it.each(fixtures)("%s: a node view is the projection of the whole state, hashed over the node's objects", (_name, snapshot) => {
    const objects = deriveObjects(snapshot);
    const desired = reconcile(snapshot);
    for (const node of [...snapshot.agents.map((a) => a.id), ...Object.keys(desired.overlay.nodes), "not-a-node"]) {
      const { hash, ...view } = nodeViewOf(objects, node);
      const { hash: projectedHash, ...projected } = nodeView(desired, node);
      expect(view).toEqual(projected);
      expect(projectedHash).not.toBe(hash);
      const own = [...objects.entries()].filter(([key]) => {
        const scope = keyScope(key);
        return scope.scope === "cluster" || (scope.scope === "node" && scope.node === node);
      });
      expect(hash).toBe(stateHash(own.map(([key, stored]) => [key, stored.hash])));
      expect(view.diagnostics).toEqual([]);
      expect(view.l4lb.namedVips).toBeUndefined();
      expect(view.haproxy.allocations).toBeUndefined();
      expect(view.overlay.allocations.nodes).toEqual([]);
    }
  });
});

describe("keys are stable with their owner", () => {
  it("a change to the ports of a task without VIPs changes its DNS records and nothing else", () => {
    const [, demo] = fixtures.find(([name]) => name === "demo")!;
    const task = demo.tasks.find((t) => t.state === "TASK_RUNNING" && t.discovery === undefined && t.labels.length === 0)!;
    const moved = ClusterSnapshot.parse({ ...demo, tasks: demo.tasks.map((t) => (t.id === task.id ? { ...t, ports: [{ begin: 31999, end: 31999 }] } : t)) });
    const before = deriveObjects(demo);
    const after = deriveObjects(moved);
    const changed = [...after.entries()].filter(([key, stored]) => before.get(key)?.hash !== stored.hash).map(([key]) => key);
    expect(changed).toEqual([ObjectKeys.dnsRecords({ kind: "task", id: task.id })]);
    expect(before.size).toBe(after.size);
  });
});
