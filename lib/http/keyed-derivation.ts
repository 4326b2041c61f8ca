/**
 * @module
 * The `Derivation` of a cluster on the pure core's keyed objects (`functions/keyed/`): one
 * compact copy of every object (canonical JSON and hash, no parsed values) with the state
 * hash sums. A change is applied by deriving the changed snapshot again, its `previous` the
 * allocations of the derivation before, and keeping the keys whose values differ.
 * TODO(i14-core incremental): take the core's incremental reconciler here, whose work is what
 * the change touches; this whole re-derivation costs the cluster.
 */
import { desiredStateOf, nodeViewOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import type { KeyedObjects } from "../../functions/keyed/object-store.ts";
import type { DesiredState } from "../desired/schema.ts";
import { keyScope } from "../desired/object-keys.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import type { SnapshotChange } from "../store/interim-change.ts";
import { KeyedSnapshot } from "../store/keyed-snapshot.ts";
import type { StoredCluster } from "../store/snapshot-store.ts";
import { isAllocationKey, previousFromAllocations } from "./allocation-objects.ts";
import type { Derivation, ObjectChanges, StoredObject } from "./derivation.ts";

/**
 * Derives a stored cluster; its stored allocation objects, when there are any, are the `previous`.
 * @example const derivation = deriveCluster(stored); derivation.nodeHash("S1")
 */
export function deriveCluster(stored: Pick<StoredCluster, "snapshot" | "allocations">): Derivation {
  const snapshot = stored.snapshot.toSnapshot();
  const previous = stored.allocations.size === 0 ? snapshot.previous : previousFromAllocations(stored.allocations);
  return new KeyedDerivation(KeyedSnapshot.from(snapshot), { ...snapshot, previous });
}

class KeyedDerivation implements Derivation {
  readonly #snapshot: KeyedSnapshot;
  #objects: KeyedObjects;

  constructor(snapshot: KeyedSnapshot, input: ClusterSnapshot) {
    this.#snapshot = snapshot;
    this.#objects = deriveObjects(input);
  }

  apply(change: SnapshotChange): ObjectChanges {
    this.#snapshot.apply(change);
    return this.#rederive({ ...this.#snapshot.toSnapshot(), previous: this.#allocations() });
  }

  replace(snapshot: ClusterSnapshot): ObjectChanges {
    const { tasks, marathonApps, agents, frameworks, ...fields } = snapshot;
    this.#snapshot.fields = fields;
    const next = KeyedSnapshot.from({ ...fields, tasks, marathonApps, agents, frameworks });
    for (const kind of ["tasks", "apps", "agents", "frameworks"] as const) {
      const map = this.#snapshot.objects[kind] as Map<string, unknown>;
      map.clear();
      for (const [id, object] of next.objects[kind]) map.set(id, object);
    }
    const carry = Object.keys(snapshot.previous).length === 0;
    return this.#rederive(carry ? { ...snapshot, previous: this.#allocations() } : snapshot);
  }

  hash(): string {
    return this.#objects.hash();
  }

  nodeHash(node: string): string {
    return this.#objects.nodeHash(node);
  }

  nodeObjects(node: string): Array<[string, StoredObject]> {
    const out: Array<[string, StoredObject]> = [];
    for (const entry of this.#objects.entries()) {
      const scope = keyScope(entry[0]);
      if (scope.scope === "cluster" || (scope.scope === "node" && scope.node === node)) out.push(entry);
    }
    return out;
  }

  desired(): DesiredState {
    return desiredStateOf(this.#objects);
  }

  nodeView(node: string): DesiredState {
    return nodeViewOf(this.#objects, node);
  }

  isAllocationKey(key: string): boolean {
    return isAllocationKey(key);
  }

  #allocations(): ClusterSnapshot["previous"] {
    const allocations = new Map<string, string>();
    for (const [key, object] of this.#objects.entries()) if (isAllocationKey(key)) allocations.set(key, object.json);
    return previousFromAllocations(allocations);
  }

  #rederive(input: ClusterSnapshot): ObjectChanges {
    const next = deriveObjects(input);
    const changes: ObjectChanges = { upserts: [], deletes: [] };
    for (const [key, object] of next.entries()) if (this.#objects.get(key)?.hash !== object.hash) changes.upserts.push({ key, json: object.json, hash: object.hash });
    for (const [key] of this.#objects.entries()) if (!next.has(key)) changes.deletes.push(key);
    this.#objects = next;
    return changes;
  }
}
