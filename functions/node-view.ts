/**
 * @module
 * What one node applies: the cluster-wide artifacts (DNS zones, VIPs, HAProxy groups), its own
 * overlay node entry only, and VIP backends on this node at their container address (`nodeServices`). The view is itself a DesiredState (with its own hash, used as the
 * node's ETag), so every applier handles one shape.
 */
import type { DesiredState } from "../lib/desired/schema.ts";
import { withHash } from "./reconcile.ts";
import { nodeServices } from "./l4lb/node-services.ts";

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
    l4lb: { ...desired.l4lb, services: nodeServices(desired.l4lb.services, agentId) },
    overlay: { ...desired.overlay, nodes: own === undefined ? {} : { [agentId]: own } },
  });
}
