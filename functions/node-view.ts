/**
 * @module
 * What one node applies: the cluster-wide artifacts (DNS zones, VIPs, HAProxy groups), VIP
 * backends on this node at their container address (`nodeServices`), and only its own overlay
 * node entry, completed with its data plane (routes to every peer, derived here from the other
 * entries rather than stored for every node). The view is itself a DesiredState (with its own
 * hash, used as the node's ETag), so every applier handles one shape.
 */
import type { DesiredState } from "../lib/desired/schema.ts";
import { withHash } from "./reconcile.ts";
import { nodeServices } from "./l4lb/node-services.ts";
import { dataplaneFor } from "../lib/desired/dataplane.ts";
import { policyNodeView } from "../lib/desired/policy-node-view.ts";

/**
 * Projects `desired` onto one agent. Callers check the agent exists (the snapshot knows).
 * @example nodeView(desired, "S1").overlay.nodes // { S1: { ..., dataplane: { routes: [...], ... } } } or {}
 */
export function nodeView(desired: DesiredState, agentId: string): DesiredState {
  const { hash: _hash, ...rest } = desired;
  const own = desired.overlay.nodes[agentId];
  // A view of a view is the same view: its peers are gone, but its data plane is already there.
  const entry =
    own?.dataplane !== undefined
      ? own
      : own && { ...own, dataplane: dataplaneFor(own, Object.values(desired.overlay.nodes), desired.overlay.allocations) };
  return withHash({
    ...rest,
    node: agentId,
    l4lb: { ...desired.l4lb, services: nodeServices(desired.l4lb.services, agentId) },
    overlay: { ...desired.overlay, nodes: entry === undefined ? {} : { [agentId]: entry } },
    ...(desired.policy === undefined ? {} : { policy: policyNodeView(desired.policy, agentId) }),
  });
}
