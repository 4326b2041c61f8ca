/**
 * @module
 * What every node needs to route to one overlay node (its data plane towards it): the node's
 * underlay IP, its VTEP addresses and MAC, and its slices. Kept apart from the node's own
 * entry (CNI configs and all) so a node's view holds every peer but only its own entry.
 */
import type { OverlayPeer } from "../../lib/desired/object-values.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";

/**
 * @example overlayPeer(nodes["S1"]) // { ip: "10.0.0.11", vtep: { ip: "44.128.0.2/20", mac: "70:b3:d5:80:00:02" }, overlays: [{ name: "dcos", subnet: "9.0.1.0/24" }] }
 */
export function overlayPeer(node: OverlayNode): OverlayPeer {
  const { ip, ip6, mac } = node.vtep;
  return {
    ip: node.ip,
    vtep: { ip, ...(ip6 === undefined ? {} : { ip6 }), mac },
    overlays: node.overlays.map(({ name, subnet, subnet6 }) => ({ name, ...(subnet === undefined ? {} : { subnet }), ...(subnet6 === undefined ? {} : { subnet6 }) })),
  };
}
