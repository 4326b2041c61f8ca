/**
 * @module
 * `explain name FQDN`: the records a local zone holds at a name, each with the owners that put
 * it in (tasks, agents, frameworks, VIPs, masters, the zone itself) and the DNS diagnostics
 * about them. The name is looked up as stored: renamed forms (`.dclb.`, `.thisdcos.global`,
 * the `mesos.thisdcos.directory` mirror) are the DNS server's business, and its caller maps
 * them to the stored name first.
 */
import type { DnsRecord, DnsZone } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { closestMatches } from "./closest.ts";
import { recordDataText } from "./record-text.ts";
import type { ExplainContext, NamedRecord } from "./context.ts";
import { ownerOf } from "./reasons.ts";
import type { ExplainedRecord, NameExplanation, NotFound } from "./schema.ts";

/**
 * @example explainName(context, "web.marathon.mesos.").records[0] // { type: "A", ttl: 60, data: "10.0.1.11", owners: [{ kind: "task", id: "web.1", ... }] }
 */
export function explainName(context: ExplainContext, query: string): NameExplanation | NotFound {
  const name = normalisedName(query);
  const zone = context.zoneOf(name);
  if (zone === undefined) {
    const origins = context.desired.dns.zones.map((z) => z.origin);
    return {
      kind: "not-found",
      subject: "name",
      query,
      message: `'${name}' is in none of the local zones (${origins.join(", ")}); the DNS server forwards it, if forwarding is configured`,
      closest: closestMatches(name, origins),
    };
  }
  const stored = recordsNamed(zone, name);
  const apex = name === zone.origin;
  if (stored.length === 0 && !apex) {
    return {
      kind: "not-found",
      subject: "name",
      query,
      message: `zone ${zone.origin} holds no record at '${name}'`,
      closest: closestMatches(name, distinctNames(zone)),
    };
  }
  // One pass over the owners' records: the name of a 10k-instance app holds 10k records.
  const owners = new Map<string, Set<string>>();
  for (const entry of context.recordsAt(name)) {
    const key = recordKey(entry.type, entry.data);
    const set = owners.get(key);
    if (set === undefined) owners.set(key, new Set([entry.owner]));
    else set.add(entry.owner);
  }
  const records: ExplainedRecord[] = stored.map((record) => ({
    type: record.type,
    ttl: record.ttl,
    data: record.data,
    owners: [...(owners.get(recordKey(record.type, record.data)) ?? [])].sort(compareStrings).map(ownerOf),
  }));
  if (apex) records.unshift({ type: "SOA", ttl: zone.ttl, data: zone.soa, owners: [ownerOf(`zone:${zone.origin}`)] });
  const subjects = [...new Set(records.flatMap((r) => r.owners.map((o) => o.subject)))].sort(compareStrings);
  const diagnostics = subjects.flatMap((s) => context.diagnosticsOf(s).filter((d) => d.code.startsWith("dns.") || d.code.startsWith("l4lb.")));
  return { kind: "name", name, zone: zone.origin, records, diagnostics };
}

/**
 * A name as zones store it: lowercase, without the trailing dot.
 * @example normalisedName("Web.Marathon.Mesos.") // "web.marathon.mesos"
 */
export function normalisedName(text: string): string {
  return text.trim().toLowerCase().replace(/\.+$/, "");
}

/**
 * The records at `name`. Zone records are sorted by name (the zone builder's order), so this
 * is a binary search, not a scan.
 */
function recordsNamed(zone: DnsZone, name: string): DnsRecord[] {
  const records = zone.records;
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compareStrings(records[mid]!.name, name) < 0) low = mid + 1;
    else high = mid;
  }
  const out: DnsRecord[] = [];
  for (let i = low; i < records.length && records[i]!.name === name; i++) out.push(records[i]!);
  return out;
}

function* distinctNames(zone: DnsZone): Iterable<string> {
  let last: string | undefined;
  for (const record of zone.records) {
    if (record.name !== last) yield record.name;
    last = record.name;
  }
}

/** A record's type and data as one key. */
function recordKey(type: string, data: NamedRecord["data"] | DnsRecord["data"]): string {
  return `${type} ${recordDataText(data)}`;
}
