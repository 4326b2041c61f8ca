/**
 * @module
 * What a node reports after each sync (`PUT /v1/clusters/:cluster/nodes/:agentId/status`):
 * the desired state it fully runs (hash and store generation), how each applier fared, how
 * long the sync took, and its counters. The store keeps the latest report per node, stamped
 * with when it arrived, so "which node runs what" survives a control-plane restart. Keyed by
 * node, and each report names the generation and hash it applied, so a store that keeps
 * generations of keyed state can tell how far behind a node is without a whole comparison.
 */
import { z } from "zod";

const Hash = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest (64 lowercase hex digits)");
const Count = z.number().int().min(0);

/** One applier's outcome in the reported sync. */
export const ApplierStatus = z.strictObject({
  name: z.string().min(1).max(64),
  result: z.enum(["unchanged", "applied", "failed", "held"]),
  /** The stage a failed applier failed at. */
  stage: z.enum(["observe", "plan", "apply", "verify"]).optional(),
  /** Why it failed or was held. */
  error: z.string().max(4096).optional(),
  adds: Count,
  changes: Count,
  deletes: Count,
  /** From its observe to the end of its verify; absent for an applier held back. */
  durationMs: z.number().min(0).max(86_400_000).optional(),
});
export type ApplierStatus = z.infer<typeof ApplierStatus>;

/** The body of a status report. */
export const NodeStatusReport = z.strictObject({
  /** The desired state every applier took; null before the first full apply. */
  appliedHash: Hash.nullable(),
  /** The store generation `appliedHash` came from, when the node knows it. */
  appliedGeneration: z.number().int().min(1).nullable(),
  /** The newest desired state the node accepted (it may still be applying it). */
  desiredHash: Hash.nullable(),
  /** The reported sync left every applier on the desired state. */
  ok: z.boolean(),
  /** When the sync ended, by the node's clock. */
  syncedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0).max(86_400_000),
  appliers: z.array(ApplierStatus).max(32),
  counters: z.strictObject({ syncs: Count, failures: Count, consecutiveFailures: Count }),
});
export type NodeStatusReport = z.infer<typeof NodeStatusReport>;

/** A report as stored: with the node it is about and when it arrived (the server's clock). */
export const StoredNodeStatus = NodeStatusReport.extend({ agentId: z.string().min(1), receivedAt: z.iso.datetime({ offset: true }) });
export type StoredNodeStatus = z.infer<typeof StoredNodeStatus>;

/** Where each cluster's latest node reports are kept; every snapshot store is one. */
export interface NodeStatusStore {
  /** The latest report of every node of `cluster` that reported, by agent id. */
  nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>>;
  /** Keeps `status` as its node's latest; resolves once it is stored. */
  putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void>;
}

/**
 * Node reports in memory: gone on restart.
 * @example const statuses = new MemoryNodeStatuses(); await statuses.putNodeStatus("prod", status);
 */
export class MemoryNodeStatuses implements NodeStatusStore {
  readonly #clusters = new Map<string, Map<string, StoredNodeStatus>>();

  async nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#clusters.get(cluster) ?? new Map();
  }

  async putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    let nodes = this.#clusters.get(cluster);
    if (nodes === undefined) this.#clusters.set(cluster, (nodes = new Map()));
    nodes.set(status.agentId, status);
  }
}
