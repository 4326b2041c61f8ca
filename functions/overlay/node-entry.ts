/**
 * @module
 * One present node's overlay entry: its VTEP, its overlays with the `m-`/`d-` bridge halves
 * (agents only: masters take a slice but run no containers, as DC/OS's `agent-master.json`
 * had no bridges), the CNI configs (a conflist, and DC/OS's `.conf` for Mesos's isolator) and
 * the Docker network arguments. The data plane, which
 * lists every peer, is not stored per node in the cluster's desired state (4,000 nodes would
 * make that 4,000² entries); `nodeView` derives it for the one node it projects.
 */
import type { NodeAllocation, NodeOverlay, OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { OverlayConfig } from "../../lib/snapshot/overlay-config.ts";
import { formatCidr, parseCidr, splitInHalves } from "../../lib/net/cidr.ts";
import { cniConflist } from "./cni-conflist.ts";
import { DOCKER_BRIDGE_PREFIX, MESOS_BRIDGE_PREFIX, VTEP_NAME, VTEP_PORT, VTEP_VNI } from "../../lib/desired/overlay-constants.ts";
import { dockerNetwork } from "./docker-network.ts";
import { mesosCniConf } from "./mesos-cni-conf.ts";
import type { Member } from "./members.ts";
import type { Spaces } from "./spaces.ts";

/**
 * @example overlayNodeEntry(member, allocation, spaces, config.overlay).vtep.ip // "44.128.0.2/20"
 */
export function overlayNodeEntry(member: Member, allocation: NodeAllocation, spaces: Spaces, config: OverlayConfig): OverlayNode {
  const agent = member.role === "agent";
  const overlays = spaces.overlays
    .filter((o) => o.enabled && allocation.overlays[o.name] !== undefined)
    .map((o): NodeOverlay => {
      const slice = allocation.overlays[o.name]!;
      const halves = (["subnet", "subnet6"] as const).map((key) => (slice[key] === undefined ? undefined : splitInHalves(parseCidr(slice[key])!)));
      const bridge = (prefix: string, half: 0 | 1) => ({
        name: `${prefix}${o.name}`,
        ...(halves[0] && { subnet: formatCidr(halves[0][half]) }),
        ...(halves[1] && { subnet6: formatCidr(halves[1][half]) }),
      });
      return { name: o.name, ...slice, ...(agent && { mesosBridge: bridge(MESOS_BRIDGE_PREFIX, 0), dockerBridge: bridge(DOCKER_BRIDGE_PREFIX, 1) }) };
    });
  const cni: OverlayNode["cni"] = {};
  const mesosCni: OverlayNode["mesosCni"] = {};
  for (const o of overlays) {
    if (o.mesosBridge === undefined) continue;
    cni[o.name] = cniConflist(o.name, o.mesosBridge, config.cni, config.mtu);
    const { subnet } = o.mesosBridge;
    if (config.cni.mesos && subnet !== undefined) mesosCni[o.name] = mesosCniConf(o.name, { ...o.mesosBridge, subnet }, config.cni, config.mtu);
  }
  return {
    ip: member.ip,
    role: member.role,
    vtep: {
      name: VTEP_NAME,
      vni: VTEP_VNI,
      port: VTEP_PORT,
      mac: allocation.vtep.mac,
      ip: `${allocation.vtep.ip}/${spaces.vtep4.length}`,
      ...(allocation.vtep.ip6 !== undefined && spaces.vtep6 && { ip6: `${allocation.vtep.ip6}/${spaces.vtep6.length}` }),
      ...(config.vtep_mtu !== undefined && { mtu: config.vtep_mtu }),
    },
    overlays,
    cniDir: config.cni.dir,
    cni,
    mesosCni,
    docker: overlays.flatMap((o) => (o.dockerBridge ? [dockerNetwork(o.name, o.dockerBridge, config.mtu)] : [])),
    // Only where containers run: DC/OS installed the rule only with a bridge enabled.
    masquerade:
      agent && config.masquerade
        ? spaces.overlays
            .filter((o) => overlays.some((own) => own.name === o.name))
            .flatMap((o) => [o.v4, o.v6].flatMap((space) => (space === undefined ? [] : [formatCidr(space.cidr)])))
        : [],
  };
}
