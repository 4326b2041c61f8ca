/**
 * @module
 * The Mesos-DNS compatible zone (domain `mesos` by default): every record kind mesos-dns made
 * from `/master/state` (specs/dns.md §1.4–1.7), plus the apex SOA and NS. Pure: the SOA serial
 * is the snapshot's `now`, not the clock. Where mesos-dns had a bug the zone does the sensible
 * thing instead and says so in a diagnostic; `docs/mesos-dns-differences.md` lists each case.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic, DnsZone, SoaData } from "../../lib/desired/schema.ts";
import { addAgentRecords } from "./mesos-agents.ts";
import { MesosDnsCode, MesosZoneContext } from "./mesos-context.ts";
import type { Addresses } from "./mesos-context.ts";
import { addFrameworkRecords } from "./mesos-frameworks.ts";
import { addMasterRecords } from "./mesos-masters.ts";
import { addTaskRecords } from "./mesos-tasks.ts";
import { ZoneBuilder } from "./zone-builder.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

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
export function mesosZone(snapshot: ClusterSnapshot, provenance?: Provenance): MesosZoneResult {
  const dns = snapshot.config.dns;
  const domain = dns.domain;
  const ctx = new MesosZoneContext(new ZoneBuilder(domain, dns.ttl), domain, dns.rfc952 ? "rfc952" : "rfc1123", dns.srvWeight, provenance);
  const masters = addMasterRecords(ctx, snapshot.leader, snapshot.masters);
  const agents = addAgentRecords(ctx, snapshot.agents);
  const frameworks = addFrameworkRecords(ctx, snapshot.frameworks);
  addTaskRecords(ctx, snapshot.tasks, agents, frameworks, dns.ipSources);
  const soa = soaOf(snapshot);
  addNameServerAddresses(ctx, soa.mname, dns.nsAddresses, masters);
  provenance?.dnsRecord(`zone:${domain}`, domain, "NS", soa.mname);
  return { zone: ctx.zone.build(soa, [soa.mname]), diagnostics: ctx.diagnostics };
}

/**
 * The zone's SOA (§1.6): `mname` defaults to `ns1.<domain>`, `rname` to `root.ns1.<domain>`
 * with `@` read as `.`; the serial is the snapshot time in unix seconds (u32), the minimum the TTL.
 * @example soaOf(snapshot) // { mname: "ns1.mesos", rname: "root.ns1.mesos", serial: 1700000000, refresh: 60, retry: 600, expire: 86400, minimum: 60 }
 */
export function soaOf(snapshot: ClusterSnapshot): SoaData {
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
  ctx.addAddresses(mname, addresses, `zone:${ctx.domain}`);
}
