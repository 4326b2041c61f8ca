/**
 * @module
 * DC/OS's own CNI config for an overlay (spec §3.1): a single-plugin `<name>.conf` whose
 * `mesos-cni-port-mapper` (shipped with Mesos) delegates to `bridge` + `host-local` and adds
 * the DNAT rules of Marathon port mappings. Mesos's CNI isolator parses only single-plugin
 * configs (its `NetworkConfig` requires `type`): it logs and skips a conflist, so Mesos
 * containers need this file beside the conflist. libcni-based runtimes prefer the `.conflist`
 * of the same network name. IPv4 only, as DC/OS: the config has no cniVersion, so plugins
 * answer with the 0.1.0 result Mesos reads, which holds one address per family.
 */
import type { Bridge, MesosCniConf } from "../../lib/desired/overlay-schema.ts";
import type { CniConfig } from "../../lib/snapshot/overlay-config.ts";
import { bridgePlugin } from "./bridge-plugin.ts";

/**
 * The config as data; `renderMesosCniConf` writes it in DC/OS's byte order.
 * @example mesosCniConf("dcos", { name: "m-dcos", subnet: "9.0.1.0/25" }, cni, 1420).chain // "M-DCOS"
 */
export function mesosCniConf(network: string, bridge: Bridge & { subnet: string }, cni: CniConfig, mtu: number): MesosCniConf {
  return {
    name: network,
    type: "mesos-cni-port-mapper",
    excludeDevices: [bridge.name],
    chain: bridge.name.toUpperCase(),
    delegate: {
      ...bridgePlugin(bridge, mtu),
      ipam: { type: "host-local", dataDir: cni.dataDir, subnet: bridge.subnet, routes: [{ dst: "0.0.0.0/0" }] },
    },
  };
}
