/**
 * @module
 * The Mesos-DNS compatible zone (domain `mesos` by default): every record kind mesos-dns made
 * from `/master/state` (specs/dns.md §1.4–1.7), plus the apex SOA and NS. Pure: the SOA serial
 * is the snapshot's `now`, not the clock. Where mesos-dns had a bug the zone does the sensible
 * thing instead and says so in a diagnostic; `docs/mesos-dns-differences.md` lists each case.
 */
import type { ClusterSnapshot, Framework } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsZone, SoaData } from "../../lib/desired/schema.ts";
import type { DnsZoneHeader } from "../../lib/desired/object-values.ts";
import { domainFragment } from "../../lib/net/dns-labels.ts";
import { addAgentRecords, type AgentInfo } from "./mesos-agents.ts";
import { MesosDnsCode, MesosZoneContext, type Addresses, type MesosSettings } from "./mesos-context.ts";
import { addFrameworkRecords, frameworkCollisions } from "./mesos-frameworks.ts";
import { addMasterRecords } from "./mesos-masters.ts";
import { addTaskRecords, type TaskFramework } from "./mesos-tasks.ts";
import { zoneOf } from "./zone-assembly.ts";

export interface MesosZoneResult {
  zone: DnsZone;
  diagnostics: Diagnostic[];
}

/**
 * Builds the Mesos-DNS zone of a snapshot.
 * @example
 * const { zone } = mesosZone(snapshot);
 * zone.records.filter((r) => r.name === "leader.mesos"); // [{ name: "leader.mesos", type: "A", ttl: 60, data: "10.0.0.1" }]
 */
export function mesosZone(snapshot: ClusterSnapshot): MesosZoneResult {
  const diagnostics: Diagnostic[] = [];
  const zone = zoneOf(mesosZoneHeader(snapshot), (sink) => {
    const ctx = new MesosZoneContext(sink, mesosSettings(snapshot));
    addMesosClusterRecords(ctx, snapshot);
    const agents = new Map<string, AgentInfo>();
    for (const agent of snapshot.agents) agents.set(agent.id, addAgentRecords(ctx, agent));
    const frameworks = new Map<string, TaskFramework>();
    for (const framework of snapshot.frameworks) frameworks.set(framework.id, addFrameworkRecords(ctx, framework) ?? "empty");
    ctx.diagnostics.push(...frameworkCollisionsOf(snapshot.frameworks, ctx));
    const sources = snapshot.config.dns.ipSources;
    for (const task of snapshot.tasks) addTaskRecords(ctx, task, agents.get(task.agentId), frameworks.get(task.frameworkId), sources);
    diagnostics.push(...ctx.diagnostics);
  });
  return { zone, diagnostics };
}

/**
 * The settings every Mesos-DNS record builder reads.
 * @example mesosSettings(snapshot) // { domain: "mesos", mode: "rfc1123", srvWeight: 1 }
 */
export function mesosSettings(snapshot: Pick<ClusterSnapshot, "config">): MesosSettings {
  const dns = snapshot.config.dns;
  return { domain: dns.domain, mode: dns.rfc952 ? "rfc952" : "rfc1123", srvWeight: dns.srvWeight };
}

/**
 * The zone itself: origin, TTL, SOA and the apex NS (the SOA primary).
 * @example mesosZoneHeader(snapshot).records // [{ name: "mesos", type: "NS", ttl: 60, data: "ns1.mesos" }]
 */
export function mesosZoneHeader(snapshot: Pick<ClusterSnapshot, "config" | "now">): DnsZoneHeader {
  const dns = snapshot.config.dns;
  const soa = soaOf(snapshot);
  return { origin: dns.domain, ttl: dns.ttl, soa, records: [{ name: dns.domain, type: "NS", ttl: dns.ttl, data: soa.mname }] };
}

/**
 * The records of the masters: leader, masters and the SOA primary's addresses.
 * @example addMesosClusterRecords(ctx, snapshot); // leader.mesos, master.mesos, master0.mesos, ns1.mesos, ...
 */
export function addMesosClusterRecords(ctx: MesosZoneContext, snapshot: ClusterSnapshot): void {
  const masters = addMasterRecords(ctx, snapshot.leader, snapshot.masters);
  addNameServerAddresses(ctx, soaOf(snapshot).mname, snapshot.config.dns.nsAddresses, masters);
}

/**
 * The collision reports of every fragment more than one framework becomes.
 * @example frameworkCollisionsOf(snapshot.frameworks, settings) // [] unless two names sanitise alike
 */
export function frameworkCollisionsOf(frameworks: readonly Framework[], settings: MesosSettings): Diagnostic[] {
  const byFragment = new Map<string, Framework[]>();
  for (const framework of frameworks) {
    const fragment = domainFragment(framework.name, settings.mode);
    if (fragment === "") continue;
    const list = byFragment.get(fragment);
    if (list === undefined) byFragment.set(fragment, [framework]);
    else list.push(framework);
  }
  return [...byFragment].flatMap(([fragment, list]) => frameworkCollisions(list, `${fragment}.${settings.domain}`));
}

/**
 * The zone's SOA (§1.6): `mname` defaults to `ns1.<domain>`, `rname` to `root.ns1.<domain>`
 * with `@` read as `.`; the serial is the snapshot time in unix seconds (u32), the minimum the TTL.
 * @example soaOf(snapshot) // { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1700000000, refresh: 60, retry: 600, expire: 86400, minimum: 60 }
 */
export function soaOf(snapshot: Pick<ClusterSnapshot, "config" | "now">): SoaData {
  const dns = snapshot.config.dns;
  return {
    mname: absoluteName(dns.soa.mname ?? `ns1.${dns.domain}`),
    rname: absoluteName((dns.soa.rname ?? `root.ns1.${dns.domain}`).replaceAll("@", ".")),
    serial: Math.floor(Date.parse(snapshot.now) / 1000) >>> 0,
    refresh: dns.soa.refresh,
    retry: dns.soa.retry,
    expire: dns.soa.expire,
    minimum: dns.ttl,
  };
}

/** Record names are lowercase without the trailing dot (DesiredState's convention). */
function absoluteName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, "");
}

/**
 * A/AAAA for the SOA primary. mesos-dns published its listener addresses; wayfinder serves
 * the zone where the masters are, so their addresses are the default.
 */
function addNameServerAddresses(ctx: MesosZoneContext, mname: string, configured: readonly string[] | undefined, masters: Addresses): void {
  const addresses = configured === undefined ? masters : ctx.addressesOf(configured, "cluster", "dns.nsAddresses entry");
  if (mname !== ctx.domain && !mname.endsWith(`.${ctx.domain}`)) {
    // An address record outside the zone would be out-of-zone data; the name's own zone owns it.
    if (addresses.a.length + addresses.aaaa.length > 0) {
      ctx.report("info", MesosDnsCode.mnameOutOfZone, "cluster", `SOA primary ${mname} is outside ${ctx.domain}; no address record for it`);
    }
    return;
  }
  ctx.addAddresses(mname, addresses);
}
