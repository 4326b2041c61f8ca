/**
 * @module
 * The DNS zones of a snapshot. (Being written: see issue 2 — mesos zone and dcos zones.)
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsZone, L4Service } from "../../lib/desired/schema.ts";

export interface DnsZonesInput {
  /** Named VIPs from the L4 reconciler: their names go into `l4lb.thisdcos.directory`. */
  l4lbServices: readonly L4Service[];
}

export interface DnsZonesResult {
  zones: DnsZone[];
  diagnostics: Diagnostic[];
}

export function dnsZones(_snapshot: ClusterSnapshot, _input: DnsZonesInput): DnsZonesResult {
  return { zones: [], diagnostics: [] };
}
