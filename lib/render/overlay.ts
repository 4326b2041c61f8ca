/**
 * @module
 * The overlay files of a desired state, per node under `overlay/<node>/`: `cni/<net>.conflist`
 * and `cni/<net>.conf` (what the CNI applier installs), `dataplane.json` (the VTEP and every peer's neighbour, FDB
 * entry and routes: what the overlay applier programs) and `docker-networks.json` (the
 * `docker network create` argument arrays). A node view carries its data plane; for the whole
 * cluster it is derived here for every node, which is as large as the cluster squared.
 */
import type { DesiredState } from "../desired/schema.ts";
import type { Conflist, MesosCniConf } from "../desired/overlay-schema.ts";
import { canonicalJsonPretty } from "../net/canonical-json.ts";
import { dataplaneFor } from "../desired/dataplane.ts";

/**
 * The text of a CNI config file: canonical JSON, so one conflist always gives the same bytes.
 * @example renderConflist(node.cni.dcos) // '{\n  "cniVersion": "1.0.0",\n  "name": "dcos",\n ...'
 */
export function renderConflist(conflist: Conflist): string {
  return canonicalJsonPretty(conflist);
}

/**
 * DC/OS's `.conf` byte for byte: compact JSON in the agent module's key order, no trailing
 * newline (spec §3.1).
 * @example renderMesosCniConf(node.mesosCni.dcos) // '{"name":"dcos","type":"mesos-cni-port-mapper","excludeDevices":["m-dcos"],...}'
 */
export function renderMesosCniConf(conf: MesosCniConf): string {
  const { delegate } = conf;
  const { ipam } = delegate;
  return JSON.stringify({
    name: conf.name,
    type: conf.type,
    excludeDevices: conf.excludeDevices,
    chain: conf.chain,
    delegate: {
      type: delegate.type,
      bridge: delegate.bridge,
      isGateway: delegate.isGateway,
      ipMasq: delegate.ipMasq,
      hairpinMode: delegate.hairpinMode,
      mtu: delegate.mtu,
      ipam: { type: ipam.type, dataDir: ipam.dataDir, subnet: ipam.subnet, routes: ipam.routes },
    },
  });
}

/**
 * @example renderOverlayFiles(nodeView(desired, "S1")).keys() // "overlay/S1/cni/dcos.conflist", "overlay/S1/dataplane.json", ...
 */
export function renderOverlayFiles(desired: DesiredState): Map<string, string> {
  const files = new Map<string, string>();
  const all = Object.values(desired.overlay.nodes);
  for (const [key, node] of Object.entries(desired.overlay.nodes)) {
    for (const [network, conflist] of Object.entries(node.cni)) files.set(`overlay/${key}/cni/${network}.conflist`, renderConflist(conflist));
    for (const [network, conf] of Object.entries(node.mesosCni)) files.set(`overlay/${key}/cni/${network}.conf`, renderMesosCniConf(conf));
    const dataplane = node.dataplane ?? dataplaneFor(node, all, desired.overlay.allocations);
    files.set(`overlay/${key}/dataplane.json`, canonicalJsonPretty({ vtep: node.vtep, masquerade: node.masquerade, ...dataplane }));
    if (node.docker.length > 0) files.set(`overlay/${key}/docker-networks.json`, canonicalJsonPretty(node.docker));
  }
  return files;
}
