/**
 * @module
 * Zones from their headers (origin, TTL, SOA, the records the zone itself holds) and the
 * records of their owners. The one place where records of one name from several owners meet,
 * for the zone builders of a whole snapshot and for the keyed desired state alike.
 */
import type { DnsZone } from "../../lib/desired/schema.ts";
import type { DnsZoneHeader } from "../../lib/desired/object-values.ts";
import { ZoneBuilder, type RecordSink } from "./zone-builder.ts";

/**
 * Builds several zones in one pass over their owners: `fill` gets the sink of each zone id.
 * Zones come back in the order of `headers`.
 * @example zonesOf([["mesos", header]], (sinkOf) => addTuples(sinkOf("mesos"), records)).map((z) => z.origin) // ["mesos"]
 */
export function zonesOf<Id extends string>(headers: ReadonlyArray<readonly [Id, DnsZoneHeader]>, fill: (sinkOf: (id: Id) => RecordSink | undefined) => void): DnsZone[] {
  const builders = new Map<Id, ZoneBuilder>();
  for (const [id, header] of headers) {
    const zone = new ZoneBuilder(header.origin, header.ttl);
    for (const r of header.records) {
      if (r.type === "SRV") zone.addSrv(r.name, r.data);
      else if (r.type !== "SOA") zone.add(r.name, r.type, r.data);
    }
    builders.set(id, zone);
  }
  fill((id) => builders.get(id));
  return headers.map(([id, header]) => withHeaderTtls(builders.get(id)!.build(header.soa), header));
}

/**
 * One zone.
 * @example zoneOf(mesosZoneHeader(snapshot), (sink) => addTuples(sink, records)).records
 */
export function zoneOf(header: DnsZoneHeader, fill: (sink: RecordSink) => void): DnsZone {
  return zonesOf([["zone", header]], (sinkOf) => fill(sinkOf("zone")!))[0]!;
}

/** dcos-dns gave its apex NS a longer TTL than the zone's other records: header records keep theirs. */
function withHeaderTtls(zone: DnsZone, header: DnsZoneHeader): DnsZone {
  const ttls = new Map<string, number>();
  for (const r of header.records) if (r.ttl !== header.ttl) ttls.set(`${r.name} ${r.type}`, r.ttl);
  if (ttls.size === 0) return zone;
  const records = zone.records.map((r) => {
    const ttl = ttls.get(`${r.name} ${r.type}`);
    return ttl === undefined ? r : { ...r, ttl };
  });
  return { ...zone, records };
}
