/**
 * @module
 * A node's keyed view for the policy applier's delta-path tests: the control plane's objects of
 * a snapshot (`deriveObjects`), read as the agent's view reader reads its view, and the changes
 * between two such views as the keyed syncer hands them to an applier.
 */
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { nodeViewOf } from "../../../functions/keyed/assemble.ts";
import type { KeyedObjects } from "../../../functions/keyed/object-store.ts";
import type { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { ChangedKey, KeyChanges, ViewReader } from "../../../lib/executor/keyed-applier.ts";

/** The keys the policy applier takes on `node` (as the registry says). */
export const policyKey = (node: string) => (key: string) => key.startsWith("policy/") || key === `node/${node}/policy`;

/** The view of `node` over a snapshot's objects. */
export function keyedView(snapshot: ClusterSnapshot, node: string): ViewReader & { objects: KeyedObjects } {
  const objects = deriveObjects(snapshot);
  const value = <T>(key: string) => objects.get(key)?.json === undefined ? undefined : (JSON.parse(objects.get(key)!.json) as T);
  return {
    objects,
    node,
    generation: 1,
    hash: objects.nodeHash(node),
    dnsHash: "",
    value,
    *valuesUnder<T>(prefix: string): Generator<[string, T]> {
      for (const [key, stored] of objects.entries()) if (key.startsWith(prefix)) yield [key, JSON.parse(stored.json) as T];
    },
    desired: () => nodeViewOf(objects, node),
  };
}

/** What changed between two views, among the keys `takes` selects. */
export function viewChanges(before: { objects: KeyedObjects }, after: { objects: KeyedObjects }, takes: (key: string) => boolean): KeyChanges {
  const upserts = new Map<string, ChangedKey>();
  const deletes = new Set<string>();
  for (const [key, stored] of after.objects.entries()) {
    if (takes(key) && before.objects.get(key)?.hash !== stored.hash) upserts.set(key, { hash: stored.hash, json: stored.json, value: JSON.parse(stored.json) });
  }
  for (const [key] of before.objects.entries()) if (takes(key) && !after.objects.has(key)) deletes.add(key);
  return { upserts, deletes, complete: false };
}
