/**
 * @module
 * What a local zone answers, as records (the wire encoding is `compiled-answer.ts`'s job).
 * Standard authoritative behaviour (RFC 1034 §4.3.2, RFC 2308, RFC 8020), which is where
 * wayfinder deliberately differs from mesos-dns:
 * - a name with no records of the asked type is NODATA (NOERROR, SOA in authority), also for
 *   empty non-terminals such as `marathon.slave.mesos` (mesos-dns said NXDOMAIN);
 * - SOA and NS at the apex are answers, not authority records;
 * - CNAMEs are followed inside the local zones (at most 8 links, loops stop the chain) and
 *   the rcode is the last name's (RFC 6604);
 * - ANY gets one RRset (RFC 8482), not everything;
 * - SRV targets' addresses go in the additional section, all of them (truncation drops them
 *   first), as do NS targets' addresses.
 */
import type { DnsRecord, SoaData } from "../desired/schema.ts";
import { writeBack, type Alias } from "./aliases.ts";
import { RCODE, TYPE } from "./wire/constants.ts";
import { nameKey } from "./wire/names.ts";
import type { IndexedZone, NameNode } from "./zone-index.ts";

/** What an answer reads from the zones (the zone index, or a recorder of what was read). */
export interface AnswerSource {
  zoneFor(key: string): IndexedZone | undefined;
  node(key: string): NameNode | undefined;
  exists(key: string): boolean;
}

/** Record data ready to encode; names are keys, already written back for renames. */
export type PlannedData =
  | { kind: "a"; address: string }
  | { kind: "aaaa"; address: string }
  | { kind: "name"; key: string }
  | { kind: "srv"; priority: number; weight: number; port: number; key: string }
  | { kind: "soa"; mname: string; rname: string; soa: SoaData };

export interface PlannedRecord {
  owner: string;
  type: number;
  ttl: number;
  data: PlannedData;
}

export interface AnswerPlan {
  rcode: number;
  /** CNAME links, in chain order: never rotated. */
  chain: PlannedRecord[];
  /** The final RRset: rotated on every answer. */
  rrset: PlannedRecord[];
  authority: PlannedRecord[];
  additional: PlannedRecord[];
}

/** RFC 1034 §3.6.2 leaves the chain length open; 8 is what resolvers commonly allow. */
const MAX_CHAIN = 8;

/** The type an ANY question is answered with: the first the name has (RFC 8482 §4.2). */
const ANY_ORDER = ["A", "AAAA", "SRV", "NS"] as const;

/**
 * Answers `key` (in canonical form; `alias` is how the client asked, if renamed) from `index`.
 * The caller has checked that `key` is in a local zone.
 * @example planAnswer(index, nameKey("web.marathon.mesos")!, TYPE.A, undefined).rrset.length // 2
 */
export function planAnswer(index: AnswerSource, key: string, qtype: number, alias: Alias | undefined): AnswerPlan {
  const back = (k: string) => writeBack(alias, k);
  const plan: AnswerPlan = { rcode: RCODE.NOERROR, chain: [], rrset: [], authority: [], additional: [] };
  const visited = new Set<string>();
  let current = key;
  let zone = index.zoneFor(current)!;

  for (;;) {
    visited.add(current);
    const node = index.node(current);
    const cname = node?.CNAME;
    if (cname !== undefined && qtype !== TYPE.CNAME) {
      const target = nameKey(cname.data)!;
      plan.chain.push(planned(back(current), cname, { kind: "name", key: back(target) }));
      const targetZone = index.zoneFor(target);
      // Out of the local zones, a loop, or too long: the client (or its resolver) takes over.
      if (targetZone === undefined || visited.has(target) || plan.chain.length >= MAX_CHAIN) return plan;
      current = target;
      zone = targetZone;
      continue;
    }
    const records = recordsOf(zone, current, node, qtype, back);
    if (records.length > 0) {
      plan.rrset = records;
      plan.additional = additionalFor(index, node, records, back);
      return plan;
    }
    if (!index.exists(current)) plan.rcode = RCODE.NXDOMAIN;
    plan.authority = [negativeSoa(zone, back)];
    return plan;
  }
}

function recordsOf(
  zone: IndexedZone,
  key: string,
  node: NameNode | undefined,
  qtype: number,
  back: (k: string) => string,
): PlannedRecord[] {
  const owner = back(key);
  const isApex = key === zone.key;
  const of = (type: (typeof ANY_ORDER)[number] | "CNAME"): PlannedRecord[] => {
    if (type === "CNAME") return node?.CNAME === undefined ? [] : [planned(owner, node.CNAME, { kind: "name", key: back(nameKey(node.CNAME.data)!) })];
    return (node?.[type] ?? []).map((record) => planned(owner, record, dataOf(record, back)));
  };
  switch (qtype) {
    case TYPE.A:
      return of("A");
    case TYPE.AAAA:
      return of("AAAA");
    case TYPE.SRV:
      return of("SRV");
    case TYPE.NS:
      return of("NS");
    case TYPE.CNAME:
      return of("CNAME");
    case TYPE.SOA:
      return isApex ? [soaRecord(zone, zone.ttl, back)] : [];
    case TYPE.ANY: {
      for (const type of ANY_ORDER) {
        const found = of(type);
        if (found.length > 0) return found;
      }
      if (node?.CNAME !== undefined) return of("CNAME");
      return isApex ? [soaRecord(zone, zone.ttl, back)] : [];
    }
    default:
      return [];
  }
}

/** Addresses of the SRV or NS targets of an answer that are in the local zones. */
function additionalFor(index: AnswerSource, node: NameNode | undefined, rrset: readonly PlannedRecord[], back: (k: string) => string): PlannedRecord[] {
  const type = rrset[0]?.type;
  const targets = new Set<string>();
  if (type === TYPE.SRV) for (const record of node?.SRV ?? []) targets.add(nameKey(record.data.target)!);
  else if (type === TYPE.NS) for (const record of node?.NS ?? []) targets.add(nameKey(record.data)!);
  const additional: PlannedRecord[] = [];
  for (const target of targets) {
    const found = index.node(target);
    for (const record of [...(found?.A ?? []), ...(found?.AAAA ?? [])]) additional.push(planned(back(target), record, dataOf(record, back)));
  }
  return additional;
}

/**
 * RFC 2308 §3: the SOA of a negative answer has TTL min(SOA TTL, SOA minimum), which is how
 * long resolvers may cache the absence.
 */
function negativeSoa(zone: IndexedZone, back: (k: string) => string): PlannedRecord {
  return soaRecord(zone, Math.min(zone.ttl, zone.soa.minimum), back);
}

function soaRecord(zone: IndexedZone, ttl: number, back: (k: string) => string): PlannedRecord {
  return {
    owner: back(zone.key),
    type: TYPE.SOA,
    ttl,
    data: { kind: "soa", mname: back(nameKey(zone.soa.mname)!), rname: back(nameKey(zone.soa.rname)!), soa: zone.soa },
  };
}

function dataOf(record: DnsRecord, back: (k: string) => string): PlannedData {
  switch (record.type) {
    case "A":
      return { kind: "a", address: record.data };
    case "AAAA":
      return { kind: "aaaa", address: record.data };
    case "CNAME":
    case "NS":
      return { kind: "name", key: back(nameKey(record.data)!) };
    case "SRV":
      return { kind: "srv", priority: record.data.priority, weight: record.data.weight, port: record.data.port, key: back(nameKey(record.data.target)!) };
    case "SOA":
      throw new Error("SOA records are not stored in the index");
  }
}

function planned(owner: string, record: DnsRecord, data: PlannedData): PlannedRecord {
  return { owner, type: TYPE[record.type], ttl: record.ttl, data };
}
