/**
 * @module
 * The CNI `bridge` plugin as every overlay config uses it, the conflist's first plugin and the
 * delegate of DC/OS's single-plugin `.conf` alike. What DC/OS chose and this keeps:
 * `ipMasq: false` (masquerading every non-local destination would NAT traffic to the other
 * agents' slices, breaking IP-per-container), the bridge as the containers' gateway, hairpin
 * mode (a container reaching itself through a port mapping), and the overlay MTU. Each caller
 * adds its own `ipam`, whose shape differs between CNI versions.
 */
import type { Bridge } from "../../lib/desired/overlay-schema.ts";

/** @example { ...bridgePlugin({ name: "m-dcos" }, 1420), ipam } */
export function bridgePlugin(bridge: Pick<Bridge, "name">, mtu: number) {
  return { type: "bridge", bridge: bridge.name, isGateway: true, ipMasq: false, hairpinMode: true, mtu } as const;
}
