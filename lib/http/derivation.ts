/**
 * @module
 * What the control plane needs of the pure core's keyed desired state (docs/delta-path.md
 * §1, §2, §5), as one narrow interface: derive a cluster's keyed objects from its snapshot,
 * take one change and say which keys changed, and give the state and node-view hashes. The
 * store, the change log and the watch streams are written against this, not against the
 * core's internals.
 */
import type { ObjectChanges as KeyedChanges, StoredObject } from "../../functions/keyed/object-store.ts";
import type { DesiredState } from "../desired/schema.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import type { SnapshotChange } from "../snapshot/snapshot-change.ts";

export type { StoredObject };

/** The keys one step changed: upserted with their new values, or deleted. */
export type ObjectChanges = Pick<KeyedChanges, "upserts" | "deletes">;

export interface Derivation {
  /** Applies a change whose ids were checked against the snapshot; returns the keys it changed. */
  apply(change: SnapshotChange): ObjectChanges;
  /**
   * Derives again from a whole snapshot (a PUT); returns the keys that differ from before. A
   * snapshot with no previous allocations keeps the derivation's own.
   */
  replace(snapshot: ClusterSnapshot): ObjectChanges;
  /** The state hash of every object: the `hash` of `desired()`. */
  hash(): string;
  /** The state hash of one node's view (cluster-scope objects and its own): the `hash` of `nodeView(node)`. */
  nodeHash(node: string): string;
  /** The objects of one node's view, for a relist: cluster scope and its own, never `control/`. */
  nodeObjects(node: string): Array<[key: string, object: StoredObject]>;
  /** The whole DesiredState, assembled. */
  desired(): DesiredState;
  /** How many diagnostics `desired()` lists, without assembling it (a PUT answers the count). */
  diagnosticCount(): number;
  /** One node's DesiredState, assembled (the whole-view GET). */
  nodeView(node: string): DesiredState;
  /** Whether `key` holds a sticky allocation (kept by the store, so a restart derives the same). */
  isAllocationKey(key: string): boolean;
  /** Every allocation object, as canonical JSON by key (stored whole with a cluster's first generation). */
  allocationObjects(): Array<[key: string, json: string]>;
}

export { deriveCluster } from "./keyed-derivation.ts";
