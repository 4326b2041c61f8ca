/**
 * @module
 * The DNS part of `explain`'s provenance, told from the keyed objects themselves: each owner's
 * records object is exactly what that owner put in, so a record's owner is the object it is
 * in. The masters share one object; each of their records is told as the master whose
 * address it holds (an SRV record as the master its target names).
 */
import type { DnsRecordType, SrvData } from "../../lib/desired/schema.ts";
import type { DnsOwnerRecords, DnsZoneHeader, RecordTuple } from "../../lib/desired/object-values.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/**
 * Tells `provenance` every record of one owner's object.
 * @example reportOwnerRecords(ledger, "task:web.1", { mesos: [["web.marathon.mesos", "A", "10.0.1.11"]] })
 */
export function reportOwnerRecords(provenance: Provenance, owner: string, value: DnsOwnerRecords | undefined): void {
  for (const records of Object.values(value ?? {})) for (const tuple of records) provenance.dnsRecord(owner, tuple[0], tuple[1], dataOf(tuple));
}

/**
 * Tells `provenance` the masters' records, each as `master:<address>`.
 * @example reportMasterRecords(ledger, { mesos: [["leader.mesos", "A", "10.0.0.1"]] }) // owner "master:10.0.0.1"
 */
export function reportMasterRecords(provenance: Provenance, value: DnsOwnerRecords | undefined): void {
  const all = Object.values(value ?? {}).flat();
  const addressOf = new Map<string, string>();
  for (const [name, type, data] of all) if ((type === "A" || type === "AAAA") && !addressOf.has(name)) addressOf.set(name, data as string);
  for (const tuple of all) {
    const data = dataOf(tuple);
    const address = typeof data === "string" ? data : (addressOf.get(data.target.replace(/\.$/, "")) ?? data.target);
    provenance.dnsRecord(`master:${address}`, tuple[0], tuple[1], data);
  }
}

/**
 * Tells `provenance` the records a zone holds itself (its apex NS, fixed names) as `zone:<origin>`.
 * @example reportZoneRecords(ledger, header) // owner "zone:spartan" for ready.spartan
 */
export function reportZoneRecords(provenance: Provenance, header: DnsZoneHeader): void {
  for (const record of header.records) provenance.dnsRecord(`zone:${header.origin}`, record.name, record.type as DnsRecordType, record.data as string | SrvData);
}

function dataOf(tuple: RecordTuple): string | SrvData {
  if (tuple[1] !== "SRV") return tuple[2];
  const [priority, weight, port, target] = tuple[2];
  return { priority, weight, port, target };
}
