/**
 * @module
 * The Mesos-DNS compatible zone (domain `mesos` by default). Being written for issue 2.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsZone } from "../../lib/desired/schema.ts";

export interface MesosZoneResult {
  zone: DnsZone;
  diagnostics: Diagnostic[];
}

export function mesosZone(snapshot: ClusterSnapshot): MesosZoneResult {
  const domain = snapshot.config.dns.domain;
  const soa = { mname: `ns1.${domain}`, rname: `root.ns1.${domain}`, serial: 0, refresh: 60, retry: 600, expire: 86400, minimum: 60 };
  return { zone: { origin: domain, ttl: snapshot.config.dns.ttl, soa, records: [] }, diagnostics: [] };
}
