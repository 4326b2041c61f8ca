/**
 * @module
 * Where the control plane keeps each cluster's latest ClusterSnapshot: a source or a client
 * PUTs it, executors read the desired state derived from it, and each node's latest status
 * report (`node-status.ts`). One narrow interface, three
 * homes: memory (tests, `wayfinder serve` without a directory), a directory of files (Node,
 * survives restarts) and a Durable Object's storage (Workers). A store only ever holds
 * snapshots that passed validation; a failed write leaves the previous one in place.
 */
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import { compareStrings } from "../net/compare.ts";
import { MemoryNodeStatuses, type NodeStatusStore, type StoredNodeStatus } from "./node-status.ts";

/** A cluster's stored snapshot and its bookkeeping. */
export interface StoredSnapshot {
  cluster: string;
  /** 1 for the first snapshot, +1 for each one after. */
  generation: number;
  /** When it was stored (ISO 8601). */
  storedAt: string;
  snapshot: ClusterSnapshot;
}

/** A store also keeps each node's latest status report (`node-status.ts`). */
export interface SnapshotStore extends NodeStatusStore {
  /** The clusters with a stored snapshot. */
  clusters(): Promise<string[]>;
  /** The stored snapshot of `cluster`, if any. */
  get(cluster: string): Promise<StoredSnapshot | undefined>;
  /**
   * Stores `snapshot` as the cluster's newest (generation one above the previous). Resolves
   * once it is durable in this store; rejects otherwise, with the previous one still stored.
   */
  put(cluster: string, snapshot: ClusterSnapshot, storedAt: string): Promise<StoredSnapshot>;
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
 * The next record for `cluster` after `previous`.
 * @example nextRecord(undefined, "prod", snapshot, now).generation // 1
 */
export function nextRecord(previous: StoredSnapshot | undefined, cluster: string, snapshot: ClusterSnapshot, storedAt: string): StoredSnapshot {
  return { cluster, generation: (previous?.generation ?? 0) + 1, storedAt, snapshot };
}

/**
 * Keeps snapshots in memory only: gone on restart.
 * @example const store = new MemorySnapshotStore(); await store.put("prod", snapshot, new Date().toISOString());
 */
export class MemorySnapshotStore implements SnapshotStore {
  readonly #records = new Map<string, StoredSnapshot>();
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

  async get(cluster: string): Promise<StoredSnapshot | undefined> {
    return this.#records.get(cluster);
  }

  async put(cluster: string, snapshot: ClusterSnapshot, storedAt: string): Promise<StoredSnapshot> {
    const record = nextRecord(this.#records.get(cluster), cluster, snapshot, storedAt);
    this.#records.set(cluster, record);
    return record;
  }
}
