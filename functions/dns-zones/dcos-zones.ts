/**
 * @module
 * The dcos-dns zones (specs/dns.md §3.2): `dcos.thisdcos.directory` (tasks, leader, masters),
 * `l4lb.thisdcos.directory` (named VIPs), `spartan` and `zk`. (dcos-dns's fifth,
 * `mesos.thisdcos.directory`, is an alias of the Mesos-DNS zone: see `index.ts`.) Each gets dcos-dns's apex SOA and NS. Where dcos-dns built these on the
 * leader and gossiped them, here every node computes the same zones from the same snapshot.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { L4LB_ZONE, type Diagnostic, type DnsZone, type L4Service, type SoaData } from "../../lib/desired/schema.ts";
import { parseIp } from "../../lib/net/ip-literal.ts";
import { ZoneBuilder } from "./zone-builder.ts";
import { masterIps } from "./master-ips.ts";
import { addDcosTaskRecords } from "./dcos-task-zone.ts";
import { addSpartanRecords, addZkRecords } from "./dcos-static-zones.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

export const DCOS_ZONE = "dcos.thisdcos.directory";
/** dcos-dns's mirror of the Mesos-DNS zone; served as an alias of it. */
export const MESOS_MIRROR_ZONE = "mesos.thisdcos.directory";
export const SPARTAN_ZONE = "spartan";
export const ZK_ZONE = "zk";

/** The SOA dcos-dns put at the apex of every zone it pushed. */
export const DCOS_SOA: SoaData = {
  mname: "ns.spartan",
  rname: "support.mesosphere.com",
  serial: 1,
  refresh: 60,
  retry: 180,
  expire: 86400,
  minimum: 1,
};

/** The apex NS of every dcos-dns zone, with its own longer TTL. */
export const DCOS_NS = "ns.spartan";
export const DCOS_NS_TTL = 3600;

export interface DcosZonesInput {
  l4lbServices: readonly L4Service[];
  /** Told which owner put each record in (`explain`). */
  provenance?: Provenance;
}

export interface DcosZonesResult {
  zones: DnsZone[];
  diagnostics: Diagnostic[];
}

/**
 * Builds the four dcos-dns zones, TTL `config.dns.dcosTtl`.
 * @example
 * dcosZones(snapshot, { l4lbServices: [] }).zones.map((z) => z.origin)
 * // ["dcos.thisdcos.directory", "l4lb.thisdcos.directory", "spartan", "zk"]
 */
export function dcosZones(snapshot: ClusterSnapshot, input: DcosZonesInput): DcosZonesResult {
  const ttl = snapshot.config.dns.dcosTtl;
  const masters = masterIps(snapshot);

  const { provenance } = input;
  const dcos = new ZoneBuilder(DCOS_ZONE, ttl);
  const taskDiagnostics = addDcosTaskRecords(dcos, snapshot, masters, provenance);

  const l4lb = new ZoneBuilder(L4LB_ZONE, ttl);
  const l4lbDiagnostics = addL4lbRecords(l4lb, input.l4lbServices, provenance);

  const spartan = new ZoneBuilder(SPARTAN_ZONE, ttl);
  addSpartanRecords(spartan, provenance);

  const zk = new ZoneBuilder(ZK_ZONE, ttl);
  addZkRecords(zk, masters.masters, provenance);

  const zones = [dcos, l4lb, spartan, zk];
  for (const zone of zones) provenance?.dnsRecord(`zone:${zone.origin}`, zone.origin, "NS", DCOS_NS);
  return {
    zones: zones.map(withApex),
    diagnostics: [...masters.diagnostics, ...taskDiagnostics, ...l4lbDiagnostics],
  };
}

function withApex(zone: ZoneBuilder): DnsZone {
  const built = zone.build(DCOS_SOA, [DCOS_NS]);
  const records = built.records.map((r) => (r.type === "NS" && r.name === zone.origin ? { ...r, ttl: DCOS_NS_TTL } : r));
  return { ...built, records };
}

/**
 * Named VIPs: `dnsName` → the VIP address (A or AAAA). A name given relative to the zone
 * (`app.marathon`) is completed; IP VIPs carry no `dnsName` and get no record.
 */
function addL4lbRecords(zone: ZoneBuilder, services: readonly L4Service[], provenance: Provenance | undefined): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const suffix = `.${zone.origin}`;
  for (const service of services) {
    if (service.dnsName === undefined) continue;
    const dnsName = service.dnsName.toLowerCase().replace(/\.$/, "");
    const name = dnsName.endsWith(suffix) ? dnsName : `${dnsName}${suffix}`;
    const ip = parseIp(service.vip.ip);
    if (ip === undefined) {
      diagnostics.push({
        level: "warning",
        code: "dns.l4lb.invalid-ip",
        subject: `vip:${service.name ?? service.dnsName}`,
        message: `VIP address '${service.vip.ip}' is not an IP literal, so '${name}' gets no record`,
      });
      continue;
    }
    const type = ip.family === 4 ? "A" : "AAAA";
    zone.add(name, type, ip.address);
    provenance?.dnsRecord(`vip:${service.name ?? service.dnsName}`, name, type, ip.address);
  }
  return diagnostics;
}
