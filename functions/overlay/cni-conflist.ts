/**
 * @module
 * An overlay's CNI network configuration list for one agent: `bridge` with `host-local` over
 * the agent's Mesos-bridge half of its slice, then the configured chained plugins. DC/OS wrote
 * a single-plugin config whose `mesos-cni-port-mapper` wrapped the bridge (spec §3.1); a
 * conflist (CNI 1.0.0) chains `portmap` instead, and `bandwidth`/`firewall` the same way.
 *
 * The bridge is set up as DC/OS set it (`bridge-plugin.ts`). What this adds: IPv6. DC/OS gave
 * Mesos containers no IPv6 (`dcos6` had no CNI file); here an overlay's IPv6 half is a second
 * host-local range, so a dual-stack overlay is one network.
 */
import type { Bridge, Conflist } from "../../lib/desired/overlay-schema.ts";
import type { CniConfig } from "../../lib/snapshot/overlay-config.ts";
import { bridgePlugin } from "./bridge-plugin.ts";
import { CNI_VERSION } from "../../lib/desired/overlay-constants.ts";

/** The default route each family's range gets inside the container. */
const DEFAULT_ROUTE = { subnet: "0.0.0.0/0", subnet6: "::/0" } as const;

/**
 * @example
 * cniConflist("dcos", { name: "m-dcos", subnet: "9.0.1.0/25" }, config.overlay.cni, 1420).plugins.map((p) => p.type)
 * // ["bridge", "portmap"]
 */
export function cniConflist(network: string, bridge: Bridge, cni: CniConfig, mtu: number): Conflist {
  const families = (["subnet", "subnet6"] as const).filter((key) => bridge[key] !== undefined);
  const plugins: Conflist["plugins"] = [
    {
      ...bridgePlugin(bridge, mtu),
      ipam: {
        type: "host-local",
        dataDir: cni.dataDir,
        ranges: families.map((key) => [{ subnet: bridge[key]! }]),
        routes: families.map((key) => ({ dst: DEFAULT_ROUTE[key] })),
      },
    },
  ];
  if (cni.portmap) plugins.push({ type: "portmap", capabilities: { portMappings: true } });
  if (cni.firewall !== false) plugins.push({ type: "firewall", ...(cni.firewall === true ? {} : cni.firewall) });
  if (cni.bandwidth !== false) {
    plugins.push({ type: "bandwidth", capabilities: { bandwidth: true }, ...(cni.bandwidth === true ? {} : cni.bandwidth) });
  }
  return { cniVersion: CNI_VERSION, name: network, plugins };
}
