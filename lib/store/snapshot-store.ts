/**
 * @module
 * Where the control plane keeps each cluster's snapshot, by key: tasks, apps, agents and
 * frameworks by id, the cluster-level fields, and the sticky allocations of the desired state
 * derived from it (so a restart derives the same VIP addresses and overlay subnets). Every
 * write is one generation: a change of some objects (a PATCH) or of everything that differs
 * (a PUT), stored at the cost of what it changes. One narrow interface, three homes: memory
 * (tests, `wayfinder serve` without a directory), a directory with a change log (Node,
 * `file-store.ts`) and a Durable Object's storage (Workers, `durable-object-store.ts`). A
 * store only ever holds changes that passed validation; a failed write leaves the previous
 * generation in place, in storage and in memory. Each home also keeps every node's latest
 * status report (`node-status.ts`).
 */
import type { SnapshotChange } from "../snapshot/snapshot-change.ts";
import { KeyedSnapshot, type ClusterFields } from "./keyed-snapshot.ts";
import { compareStrings } from "../net/compare.ts";
import { MemoryNodeStatuses, type NodeStatusStore, type StoredNodeStatus } from "./node-status.ts";

/** Allocation objects of the derived state that one generation set (canonical JSON) or removed, by key. */
export interface AllocationChanges {
  upserts: Array<[key: string, json: string]>;
  deletes: string[];
}

/** One generation as it is written. */
export interface StoredChange {
  /** One above the stored generation (1 for a new cluster). */
  generation: number;
  /** When it was stored (ISO 8601). */
  storedAt: string;
  /** The cluster-level fields, when they change (always for a new cluster). */
  fields?: ClusterFields;
  change: SnapshotChange;
  allocations: AllocationChanges;
}

/** A cluster as stored, at its newest generation. */
export interface StoredCluster {
  cluster: string;
  generation: number;
  storedAt: string;
  snapshot: KeyedSnapshot;
  /** The derived state's allocation objects at `generation` (canonical JSON by key). */
  allocations: Map<string, string>;
}

/** A store also keeps each node's latest status report (`node-status.ts`). */
export interface SnapshotStore extends NodeStatusStore {
  /** The clusters with a stored snapshot. */
  clusters(): Promise<string[]>;
  /** The cluster as stored, if any. The record is the store's own: callers read it, never change it. */
  get(cluster: string): Promise<StoredCluster | undefined>;
  /**
   * Stores one generation durably, then applies it to the record `get` returns. Rejects
   * (nothing applied) when storage fails or `write.generation` is not one above the stored one.
   */
  commit(cluster: string, write: StoredChange): Promise<StoredCluster>;
}

/**
 * Cluster names end up in file names, Durable Object names and URLs: letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit, at most 63 characters.
 */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * @example isClusterName("prod-eu") // true
 * @example isClusterName("../etc") // false
 */
export function isClusterName(name: string): boolean {
  return CLUSTER_NAME.test(name);
}

/**
 * Throws unless `write` can follow `record` (the next generation; fields for a new cluster).
 * @example checkNextGeneration("prod", undefined, write) // throws unless write.generation === 1
 */
export function checkNextGeneration(cluster: string, record: StoredCluster | undefined, write: StoredChange): void {
  const expected = (record?.generation ?? 0) + 1;
  if (write.generation !== expected) throw new Error(`cluster '${cluster}': generation ${write.generation} cannot follow ${record?.generation ?? "nothing"} (expected ${expected})`);
  if (record === undefined && write.fields === undefined) throw new Error(`cluster '${cluster}': its first generation must carry the cluster-level fields`);
}

/**
 * Applies a written generation to `record` (or starts one), in place: the memory side of
 * every store after its durable write.
 * @example record = applyStoredChange(record, "prod", write)
 */
export function applyStoredChange(record: StoredCluster | undefined, cluster: string, write: StoredChange): StoredCluster {
  const target =
    record ??
    ({ cluster, generation: 0, storedAt: write.storedAt, snapshot: KeyedSnapshot.from({ ...write.fields!, tasks: [], marathonApps: [], agents: [], frameworks: [] }), allocations: new Map() } satisfies StoredCluster);
  if (write.fields !== undefined) target.snapshot.fields = write.fields;
  target.snapshot.apply(write.change);
  for (const [key, json] of write.allocations.upserts) target.allocations.set(key, json);
  for (const key of write.allocations.deletes) target.allocations.delete(key);
  target.generation = write.generation;
  target.storedAt = write.storedAt;
  return target;
}

/**
 * Keeps clusters in memory only: gone on restart.
 * @example const store = new MemorySnapshotStore(); await store.commit("prod", firstWrite);
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #records = new Map<string, StoredCluster>();
  readonly #statuses = new MemoryNodeStatuses();

  async clusters(): Promise<string[]> {
    return [...this.#records.keys()].sort(compareStrings);
  }

  nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#statuses.nodeStatuses(cluster);
  }

  putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    return this.#statuses.putNodeStatus(cluster, status);
  }

  async get(cluster: string): Promise<StoredCluster | undefined> {
    return this.#records.get(cluster);
  }

  async commit(cluster: string, write: StoredChange): Promise<StoredCluster> {
    const record = this.#records.get(cluster);
    checkNextGeneration(cluster, record, write);
    const next = applyStoredChange(record, cluster, write);
    this.#records.set(cluster, next);
    return next;
  }
}
