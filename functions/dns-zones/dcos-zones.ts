/**
 * @module
 * The dcos-dns zones (specs/dns.md §3.2): `dcos.thisdcos.directory` (tasks, leader, masters),
 * `l4lb.thisdcos.directory` (named VIPs), `spartan` and `zk`. (dcos-dns's fifth,
 * `mesos.thisdcos.directory`, is an alias of the Mesos-DNS zone: see `index.ts`.) Each gets
 * dcos-dns's apex SOA and NS. Where dcos-dns built these on the leader and gossiped them, here
 * every node computes the same zones from the same snapshot.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { L4LB_ZONE, type Diagnostic, type DnsZone, type L4Service, type SoaData } from "../../lib/desired/schema.ts";
import type { DnsZoneHeader, ZoneId } from "../../lib/desired/object-values.ts";
import { parseIp } from "../../lib/net/ip-literal.ts";
import type { RecordSink } from "./zone-builder.ts";
import { zoneOf } from "./zone-assembly.ts";
import { masterIps, type MasterIps } from "./master-ips.ts";
import { addDcosMasterRecords, addDcosTaskRecords, agentWithoutIp, labelMemo } from "./dcos-task-zone.ts";
import { addZkRecords, spartanRecords } from "./dcos-static-zones.ts";

export const DCOS_ZONE = "dcos.thisdcos.directory";
/** dcos-dns's mirror of the Mesos-DNS zone; served as an alias of it. */
export const MESOS_MIRROR_ZONE = "mesos.thisdcos.directory";
export const SPARTAN_ZONE = "spartan";
export const ZK_ZONE = "zk";

/** The dcos-dns zones by id, in the order they are built. */
export const DCOS_ZONES: ReadonlyArray<readonly [Exclude<ZoneId, "mesos">, string]> = [
  ["dcos", DCOS_ZONE],
  ["l4lb", L4LB_ZONE],
  ["spartan", SPARTAN_ZONE],
  ["zk", ZK_ZONE],
];

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
  const masters = masterIps(snapshot);
  const diagnostics: Diagnostic[] = [...masters.diagnostics];
  const fill: Record<Exclude<ZoneId, "mesos">, (sink: RecordSink) => void> = {
    dcos: (sink) => {
      addDcosMasterRecords(sink, DCOS_ZONE, masters);
      const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
      const frameworks = new Map(snapshot.frameworks.map((f) => [f.id, f]));
      const wanted = new Set<string>();
      const label = labelMemo();
      for (const task of snapshot.tasks) {
        const agent = agents.get(task.agentId);
        const result = addDcosTaskRecords(sink, DCOS_ZONE, task, agent, frameworks.get(task.frameworkId), label);
        diagnostics.push(...result.diagnostics);
        if (result.wantsAgentIp && !wanted.has(task.agentId)) {
          wanted.add(task.agentId);
          const missing = agentWithoutIp(agent!);
          if (missing !== undefined) diagnostics.push(missing);
        }
      }
    },
    l4lb: (sink) => {
      for (const service of input.l4lbServices) diagnostics.push(...addL4lbServiceRecords(sink, service));
    },
    spartan: () => {},
    zk: (sink) => addZkRecords(sink, ZK_ZONE, masters.masters),
  };
  const headers = dcosZoneHeaders(snapshot);
  return { zones: DCOS_ZONES.map(([id]) => zoneOf(headers[id], fill[id])), diagnostics };
}

/**
 * The headers of the four zones: dcos-dns's SOA, the apex NS with its own TTL, and the fixed
 * `spartan` names.
 * @example dcosZoneHeaders(snapshot).spartan.records.map((r) => r.name) // ["spartan", "ready.spartan", "ns.spartan"]
 */
export function dcosZoneHeaders(snapshot: ClusterSnapshot): Record<Exclude<ZoneId, "mesos">, DnsZoneHeader> {
  const ttl = snapshot.config.dns.dcosTtl;
  const header = (origin: string): DnsZoneHeader => ({
    origin,
    ttl,
    soa: DCOS_SOA,
    records: [{ name: origin, type: "NS", ttl: DCOS_NS_TTL, data: DCOS_NS }, ...(origin === SPARTAN_ZONE ? spartanRecords(origin, ttl) : [])],
  });
  return { dcos: header(DCOS_ZONE), l4lb: header(L4LB_ZONE), spartan: header(SPARTAN_ZONE), zk: header(ZK_ZONE) };
}

/**
 * The masters' records in the dcos-dns zones: `leader` and `master` of `dcos.thisdcos.directory`
 * and the `zk` names.
 * @example addDcosClusterRecords((id) => sinks[id], masterIps(snapshot));
 */
export function addDcosClusterRecords(sinkOf: (zone: "dcos" | "zk") => RecordSink, masters: MasterIps): void {
  addDcosMasterRecords(sinkOf("dcos"), DCOS_ZONE, masters);
  addZkRecords(sinkOf("zk"), ZK_ZONE, masters.masters);
}

/**
 * A named VIP's service in `l4lb.thisdcos.directory`: `dnsName` → the VIP address (A or AAAA).
 * A name given relative to the zone (`app.marathon`) is completed; IP VIPs carry no `dnsName`
 * and get no record.
 * @example addL4lbServiceRecords(zone, service) // app.marathon.l4lb.thisdcos.directory A 11.171.172.79
 */
export function addL4lbServiceRecords(sink: RecordSink, service: L4Service): Diagnostic[] {
  if (service.dnsName === undefined) return [];
  const suffix = `.${L4LB_ZONE}`;
  const dnsName = service.dnsName.toLowerCase().replace(/\.$/, "");
  const name = dnsName.endsWith(suffix) ? dnsName : `${dnsName}${suffix}`;
  const ip = parseIp(service.vip.ip);
  if (ip === undefined) {
    return [
      {
        level: "warning",
        code: "dns.l4lb.invalid-ip",
        subject: `vip:${service.name ?? service.dnsName}`,
        message: `VIP address '${service.vip.ip}' is not an IP literal, so '${name}' gets no record`,
      },
    ];
  }
  sink.add(name, ip.family === 4 ? "A" : "AAAA", ip.address);
  return [];
}
