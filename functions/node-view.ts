/**
 * @module
 * What one node applies: the cluster-wide artifacts (DNS zones, VIPs, HAProxy groups) and only
 * its own overlay node entry. The view is itself a DesiredState (with its own hash, used as the
 * node's ETag), so every applier handles one shape.
 */
import type { DesiredState } from "../lib/desired/schema.ts";
import { withHash } from "./reconcile.ts";

/**
 * Projects `desired` onto one agent. Callers check the agent exists (the snapshot knows).
 * @example nodeView(desired, "S1").overlay.nodes // { S1: {...} } or {}
 */
export function nodeView(desired: DesiredState, agentId: string): DesiredState {
  const { hash: _hash, ...rest } = desired;
  const own = desired.overlay.nodes[agentId];
  return withHash({
    ...rest,
    node: agentId,
    overlay: { ...desired.overlay, nodes: own === undefined ? {} : { [agentId]: own } },
  });
}
