/**
 * @module
 * The one entry point of the pure core: ClusterSnapshot → DesiredState. The snapshot is
 * derived into keyed objects (`keyed/derive.ts`), each artifact's reconciler run owner by owner,
 * and the DesiredState is assembled from them (`keyed/assemble.ts`); its `hash` is the state
 * hash of those objects, the same a node following the changes computes (docs/delta-path.md §2).
 */
import type { ClusterSnapshot } from "../lib/snapshot/schema.ts";
import type { DesiredState, UnhashedDesiredState } from "../lib/desired/schema.ts";
import { canonicalJson } from "../lib/net/canonical-json.ts";
import { sha256Hex } from "../lib/net/digest.ts";
import { desiredStateOf } from "./keyed/assemble.ts";
import { deriveObjects } from "./keyed/derive.ts";
import type { Provenance } from "../lib/desired/provenance.ts";

export interface ReconcileOptions {
  /** Told where each piece came from while it is built (`explain`); the output is the same without. */
  provenance?: Provenance;
}

/**
 * Computes the desired state of the whole cluster.
 * @example
 * const desired = reconcile(ClusterSnapshot.parse(json));
 * desired.dns.zones.map((z) => z.origin); // ["dcos.thisdcos.directory", "l4lb.thisdcos.directory", "mesos", ...]
 */
export function reconcile(snapshot: ClusterSnapshot, options: ReconcileOptions = {}): DesiredState {
  return desiredStateOf(deriveObjects(snapshot, { keepValues: true, ...options }));
}

/**
 * Adds a content hash to a state made by hand or projected from a whole DesiredState (no keyed
 * objects at hand): sha256 of the canonical JSON of everything but the hash. Such a hash is
 * only ever compared with itself; states from `reconcile` and the keyed views carry the state
 * hash of their objects instead.
 * @example withHash(state).hash // "9f86d081..."
 */
export function withHash(state: UnhashedDesiredState): DesiredState {
  const { apiVersion, dns, l4lb, haproxy, overlay, diagnostics, ...rest } = state;
  const body = { apiVersion, dns, l4lb, haproxy, overlay, diagnostics, ...rest };
  return { apiVersion, hash: sha256Hex(canonicalJson(body)), dns, l4lb, haproxy, overlay, diagnostics, ...rest };
}
