/**
 * @module
 * `mesos.thisdcos.directory`: dcos-dns's mirror of the Mesos-DNS zone (specs/dns.md §3.3).
 * dcos-dns polled mesos-dns's `/v1/axfr`; here the Mesos-DNS zone is computed from the same
 * snapshot and handed in, so both always agree. Every name and SRV target under the Mesos-DNS
 * domain is moved under the mirror origin; SRV records take dcos-dns's priority and weight (1, 1).
 */
import type { DnsZone } from "../../lib/desired/schema.ts";
import type { ZoneBuilder } from "./zone-builder.ts";

/** dcos-dns wrote every SRV record with these (mesos-dns used priority 0). */
const SRV_PRIORITY = 1;
const SRV_WEIGHT = 1;

/**
 * Adds the mirrored A, AAAA and SRV records of `mesosZone` to `zone`. The Mesos-DNS apex
 * records (its SOA and NS) are not mirrored: the mirror has its own.
 * @example
 * addMirrorRecords(zone, mesosZone); // zone.origin "mesos.thisdcos.directory", mesosZone.origin "mesos"
 * zone.has("_http._none-on-host._tcp.marathon.mesos.thisdcos.directory") // true
 */
export function addMirrorRecords(zone: ZoneBuilder, mesosZone: DnsZone): void {
  const suffix = `.${mesosZone.origin}`;
  const rename = (name: string) => (name.endsWith(suffix) ? `${name.slice(0, -suffix.length)}.${zone.origin}` : undefined);
  for (const record of mesosZone.records) {
    const name = rename(record.name);
    if (name === undefined) continue;
    switch (record.type) {
      case "A":
      case "AAAA":
        zone.add(name, record.type, record.data);
        break;
      case "SRV":
        zone.addSrv(name, {
          priority: SRV_PRIORITY,
          weight: SRV_WEIGHT,
          port: record.data.port,
          target: rename(record.data.target) ?? record.data.target,
        });
        break;
    }
  }
}
