/**
 * @module
 * The dcos-dns zones. Being written for issue 2.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsZone, L4Service } from "../../lib/desired/schema.ts";

export interface DcosZonesInput {
  /** The Mesos-DNS zone, mirrored as `mesos.thisdcos.directory`. */
  mesosZone: DnsZone;
  l4lbServices: readonly L4Service[];
}

export interface DcosZonesResult {
  zones: DnsZone[];
  diagnostics: Diagnostic[];
}

export function dcosZones(_snapshot: ClusterSnapshot, _input: DcosZonesInput): DcosZonesResult {
  return { zones: [], diagnostics: [] };
}
