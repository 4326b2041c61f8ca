/**
 * @module
 * The DNS zones of a snapshot: the Mesos-DNS compatible zone and the dcos-dns zones
 * (`*.thisdcos.directory`, `spartan`, `zk`). Each builder returns its zones and diagnostics;
 * this file only composes them and fixes the order (zones sorted by origin).
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsAlias, DnsZone, L4Service } from "../../lib/desired/schema.ts";
import { mesosZone } from "./mesos-zone.ts";
import { dcosZones, MESOS_MIRROR_ZONE } from "./dcos-zones.ts";
import { compareStrings } from "../../lib/net/compare.ts";

export interface DnsZonesInput {
  /** Named VIPs from the L4 reconciler: their names go into `l4lb.thisdcos.directory`. */
  l4lbServices: readonly L4Service[];
}

export interface DnsZonesResult {
  zones: DnsZone[];
  /** Suffixes answered from another zone (the DNS server writes names back as asked). */
  aliases: DnsAlias[];
  diagnostics: Diagnostic[];
}

/**
 * @example dnsZones(snapshot, { l4lbServices: [] }).zones.map((z) => z.origin)
 * // ["dcos.thisdcos.directory", "l4lb.thisdcos.directory", "mesos", "spartan", "zk"]
 */
export function dnsZones(snapshot: ClusterSnapshot, input: DnsZonesInput): DnsZonesResult {
  const mesos = mesosZone(snapshot);
  const dcos = dcosZones(snapshot, { l4lbServices: input.l4lbServices });
  const zones = [mesos.zone, ...dcos.zones].sort((a, b) => compareStrings(a.origin, b.origin));
  // dcos-dns copied the Mesos-DNS zone into `mesos.thisdcos.directory` every 30 s; an alias
  // answers the same names from the one zone, always current, without doubling the records.
  const aliases = mesos.zone.origin === MESOS_MIRROR_ZONE ? [] : [{ name: MESOS_MIRROR_ZONE, target: mesos.zone.origin }];
  return { zones, aliases, diagnostics: [...mesos.diagnostics, ...dcos.diagnostics] };
}
