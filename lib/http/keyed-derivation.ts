/**
 * @module
 * The `Derivation` of a cluster on the pure core's incremental reconciler
 * (`functions/incremental/`): one compact copy of every object (canonical JSON and hash) with
 * the state hash sums, the snapshot by id and the indexes a change needs. A change costs what
 * it touches. A whole snapshot that changes cluster-level fields (config, masters) or brings its
 * own allocations is derived again whole, and the keys that differ are the change.
 */
import { IncrementalReconciler } from "../../functions/incremental/reconciler.ts";
import type { DesiredState } from "../desired/schema.ts";
import { KeyPrefix, keyScope } from "../desired/object-keys.ts";
import type { SnapshotChange } from "../snapshot/snapshot-change.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
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
  return new KeyedDerivation(IncrementalReconciler.fromSnapshot({ ...snapshot, previous }));
}

class KeyedDerivation implements Derivation {
  #reconciler: IncrementalReconciler;

  constructor(reconciler: IncrementalReconciler) {
    this.#reconciler = reconciler;
  }

  apply(change: SnapshotChange): ObjectChanges {
    const { upserts, deletes } = this.#reconciler.apply(change);
    return { upserts, deletes };
  }

  replace(snapshot: ClusterSnapshot): ObjectChanges {
    const carry = Object.keys(snapshot.previous).length === 0;
    const next = IncrementalReconciler.fromSnapshot(carry ? { ...snapshot, previous: this.#reconciler.allocations() } : snapshot);
    const before = this.#reconciler.objects;
    const after = next.objects;
    const changes: ObjectChanges = { upserts: [], deletes: [] };
    for (const [key, object] of after.entries()) if (before.get(key)?.hash !== object.hash) changes.upserts.push({ key, json: object.json, hash: object.hash });
    for (const [key] of before.entries()) if (!after.has(key)) changes.deletes.push(key);
    this.#reconciler = next;
    return changes;
  }

  hash(): string {
    return this.#reconciler.objects.hash();
  }

  nodeHash(node: string): string {
    return this.#reconciler.objects.nodeHash(node);
  }

  nodeObjects(node: string): Array<[string, StoredObject]> {
    const out: Array<[string, StoredObject]> = [];
    for (const entry of this.#reconciler.objects.entries()) {
      const scope = keyScope(entry[0]);
      if (scope.scope === "cluster" || (scope.scope === "node" && scope.node === node)) out.push(entry);
    }
    return out;
  }

  desired(): DesiredState {
    return this.#reconciler.desired();
  }

  diagnosticCount(): number {
    let count = 0;
    for (const [key, object] of this.#reconciler.objects.entries()) if (key.startsWith(KeyPrefix.diagnostics)) count += (JSON.parse(object.json) as unknown[]).length;
    return count;
  }

  nodeView(node: string): DesiredState {
    return this.#reconciler.nodeView(node);
  }

  isAllocationKey(key: string): boolean {
    return isAllocationKey(key);
  }

  allocationObjects(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [key, object] of this.#reconciler.objects.entries()) if (isAllocationKey(key)) out.push([key, object.json]);
    return out;
  }
}
