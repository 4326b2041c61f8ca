/**
 * @module
 * A node's view projected from a whole DesiredState, for holders of nothing else (a desired
 * state read from a file): the cluster-wide artifacts (DNS zones, VIPs, HAProxy groups), VIP
 * backends on this node at their container address (`nodeServices`), only its own entry of
 * the HAProxy groups it runs (`haproxy.nodes`), and only its own overlay entry, completed with
 * its data plane (routes to every peer). Diagnostics and allocation bookkeeping are the
 * control plane's and are left out. The view is the same as the keyed
 * view of `keyed/assemble.ts` (`nodeViewOf`) but for its hash, which is a content hash here
 * (`withHash`): without the keyed objects the state hash cannot be known.
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
  if (desired.node === agentId) return desired;
  const own = desired.overlay.nodes[agentId];
  // A view of a view is the same view: its peers are gone, but its data plane is already there.
  const entry =
    own?.dataplane !== undefined
      ? own
      : own && { ...own, dataplane: dataplaneFor(own, Object.values(desired.overlay.nodes), desired.overlay.allocations) };
  const { namedVips: _namedVips, ...l4lb } = desired.l4lb;
  const { allocations: _allocations, nodes: haproxyNodes, ...haproxy } = desired.haproxy;
  const placed = haproxyNodes?.[agentId];
  return withHash({
    apiVersion: desired.apiVersion,
    node: agentId,
    dns: desired.dns,
    l4lb: { ...l4lb, services: nodeServices(desired.l4lb.services, agentId) },
    haproxy: { ...haproxy, ...(haproxyNodes === undefined ? {} : { nodes: placed === undefined ? {} : { [agentId]: placed } }) },
    overlay: { allocations: { ...desired.overlay.allocations, nodes: [] }, nodes: entry === undefined ? {} : { [agentId]: entry } },
    ...(desired.policy === undefined ? {} : { policy: policyNodeView(desired.policy, agentId) }),
    diagnostics: [],
  });
}
