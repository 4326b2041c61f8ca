/**
 * @module
 * One node's VXLAN data plane, as dcos-net programmed it (spec §3.2): per peer that shares an
 * overlay with the node, a permanent neighbour (peer VTEP IP → MAC), an FDB entry (peer MAC →
 * peer underlay IP), a route to each of the peer's slices through its VTEP and, in table 42,
 * a route to the peer's underlay IP through its VTEP; plus `from <overlay subnet> lookup 42`
 * per IPv4 overlay. Peers are the node entries of the desired state, so a node that left the
 * snapshot is simply absent and the applier deletes what pointed at it (dcos-net never did).
 * IPv4 and IPv6 share one code path: the family picks the slice key and the VTEP address.
 * It reads only the desired state, so the node view and the renderer of a whole cluster's
 * files derive it alike, from here.
 */
import type { Dataplane, OverlayAllocations, OverlayNode } from "./overlay-schema.ts";
import type { OverlayPeer } from "./object-values.ts";
import { parseIpValue } from "../net/cidr.ts";
import { MAIN_TABLE, OVERLAY_TABLE } from "./overlay-constants.ts";

const FAMILIES = [
  { slice: "subnet", vtep: "ip" },
  { slice: "subnet6", vtep: "ip6" },
] as const;

/**
 * @example dataplaneFor(nodes["S1"], Object.values(nodes), allocations).routes[0]
 * // { dst: "9.0.0.0/24", via: "44.128.0.1", table: 254 }
 */
export function dataplaneFor(node: OverlayNode, all: Iterable<OverlayPeer>, allocations: Pick<OverlayAllocations, "overlays">): Dataplane {
  const rules = node.overlays
    .filter((o) => o.subnet !== undefined)
    .flatMap((o) => {
      const from = allocations.overlays[o.name]?.subnet;
      return from === undefined ? [] : [{ from, table: OVERLAY_TABLE }];
    });
  const dataplane: Dataplane = { rules, neighbours: [], fdb: [], routes: [] };
  for (const peer of peersOf(node, all)) {
    let sharesOverlay = false;
    for (const family of FAMILIES) {
      const ownVtep = node.vtep[family.vtep];
      const peerVtep = peer.vtep[family.vtep];
      if (ownVtep === undefined || peerVtep === undefined) continue;
      const via = withoutLength(peerVtep);
      const routes = node.overlays.flatMap((own) => {
        if (own[family.slice] === undefined) return [];
        const dst = peer.overlays.find((o) => o.name === own.name)?.[family.slice];
        return dst === undefined ? [] : [{ dst, via, table: MAIN_TABLE }];
      });
      if (routes.length === 0) continue;
      sharesOverlay = true;
      dataplane.neighbours.push({ ip: via, mac: peer.vtep.mac });
      dataplane.routes.push(...routes);
      // The underlay is IPv4: overlay-sourced traffic to the peer's own address goes through its VTEP.
      if (family.vtep === "ip") dataplane.routes.push({ dst: `${peer.ip}/32`, via, table: OVERLAY_TABLE });
    }
    if (sharesOverlay) dataplane.fdb.push({ mac: peer.vtep.mac, dst: peer.ip });
  }
  return dataplane;
}

/** Every other node once (agents sharing an IP are one node), in underlay IP order. */
function peersOf(node: OverlayNode, all: Iterable<OverlayPeer>): OverlayPeer[] {
  const byIp = new Map<string, OverlayPeer>();
  for (const peer of all) if (peer.ip !== node.ip && !byIp.has(peer.ip)) byIp.set(peer.ip, peer);
  return [...byIp.values()]
    .map((peer) => ({ peer, value: parseIpValue(peer.ip)!.value }))
    .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .map((entry) => entry.peer);
}

function withoutLength(address: string): string {
  return address.slice(0, address.indexOf("/"));
}
