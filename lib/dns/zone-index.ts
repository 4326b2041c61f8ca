/**
 * @module
 * The lookup structure the server answers from, built once per desired state: every name of
 * every local zone keyed by its wire key (`wire/names.ts`), so a lookup is one map access
 * whatever the case of the question. Records are the DesiredState's own objects, not copies,
 * and are not de-duplicated again (the zone builder already emits sets).
 * Records that cannot go on the wire (a bad address, a name too long for DNS, data outside its
 * zone) are left out and reported, so one bad record never takes a zone down.
 */
import ipaddr from "ipaddr.js";
import type { DnsRecord, DnsZone, SoaData } from "../desired/schema.ts";
import { isDottedQuad } from "../net/ip-literal.ts";
import { isInZone, nameKey, parentKey } from "./wire/names.ts";

export type RecordOf<T extends DnsRecord["type"]> = Extract<DnsRecord, { type: T }>;

/** The records of one name, by type. A name holds a CNAME or other data, never both (RFC 1034 §3.6.2). */
export interface NameNode {
  A?: RecordOf<"A">[];
  AAAA?: RecordOf<"AAAA">[];
  CNAME?: RecordOf<"CNAME">;
  NS?: RecordOf<"NS">[];
  SRV?: RecordOf<"SRV">[];
}

/** A local zone: its apex and SOA. */
export interface IndexedZone {
  origin: string;
  key: string;
  ttl: number;
  soa: SoaData;
}

const BUILT_IN_SOA: SoaData = { mname: "ns.spartan", rname: "support.mesosphere.com", serial: 1, refresh: 60, retry: 180, expire: 86400, minimum: 1 };

/**
 * Zones every node serves whatever the desired state says (a desired zone of the same name
 * replaces one):
 * - `localhost`: loopback, answered by the resolver itself (RFC 6761 §6.3), as dcos-dns did;
 * - `thisdcos.directory` and `thisdcos.global`, empty: names under them that no local zone
 *   holds get NXDOMAIN here instead of being forwarded. `.directory` is a public TLD, and
 *   dcos-dns never let the cluster's internal names leak to the Internet's resolvers either.
 */
export const BUILT_IN_ZONES: readonly DnsZone[] = [
  {
    origin: "localhost",
    ttl: 5,
    soa: { ...BUILT_IN_SOA, mname: "localhost", rname: "root.localhost" },
    records: [
      { name: "localhost", type: "A", ttl: 5, data: "127.0.0.1" },
      { name: "localhost", type: "AAAA", ttl: 5, data: "::1" },
    ],
  },
  { origin: "thisdcos.directory", ttl: 5, soa: BUILT_IN_SOA, records: [] },
  { origin: "thisdcos.global", ttl: 5, soa: BUILT_IN_SOA, records: [] },
];

export class ZoneIndex {
  readonly #zones = new Map<string, IndexedZone>();
  readonly #nodes = new Map<string, NameNode>();
  /** Names with no records but with names below them (empty non-terminals, RFC 8020). */
  readonly #interior = new Set<string>();
  /** The zones as served (bad records left out), in input order, for the HTTP endpoints. */
  readonly zones: DnsZone[] = [];

  private constructor() {}

  /**
   * Builds the index; `problems` names every zone or record left out and why.
   * @example const { index, problems } = ZoneIndex.build(desired.dns.zones);
   */
  static build(zones: readonly DnsZone[]): { index: ZoneIndex; problems: string[] } {
    const index = new ZoneIndex();
    const problems: string[] = [];
    const given = new Set(zones.map((z) => z.origin.toLowerCase()));
    const all = [...zones, ...BUILT_IN_ZONES.filter((z) => !given.has(z.origin))];
    for (const zone of all) index.#addZone(zone, problems);
    return { index, problems };
  }

  /** The zone `key` belongs to: the local zone with the longest matching origin. */
  zoneFor(key: string): IndexedZone | undefined {
    for (let current: string | undefined = key; current !== undefined; current = parentKey(current)) {
      const zone = this.#zones.get(current);
      if (zone !== undefined) return zone;
    }
    return undefined;
  }

  zone(key: string): IndexedZone | undefined {
    return this.#zones.get(key);
  }

  node(key: string): NameNode | undefined {
    return this.#nodes.get(key);
  }

  /** True when the name exists: it has records, or names below it (RFC 8020: then it is not NXDOMAIN). */
  exists(key: string): boolean {
    return this.#nodes.has(key) || this.#interior.has(key) || this.#zones.has(key);
  }

  get recordCount(): number {
    return this.zones.reduce((n, z) => n + z.records.length, 0);
  }

  #addZone(zone: DnsZone, problems: string[]): void {
    const key = nameKey(zone.origin);
    if (key === undefined) {
      problems.push(`zone '${zone.origin}': the origin is not a valid domain name; zone skipped`);
      return;
    }
    if (this.#zones.has(key)) {
      problems.push(`zone '${zone.origin}': listed twice; the second copy is skipped`);
      return;
    }
    const soaProblem = nameProblem(zone.soa.mname) ?? nameProblem(zone.soa.rname);
    if (soaProblem !== undefined) {
      problems.push(`zone '${zone.origin}': SOA ${soaProblem}; zone skipped`);
      return;
    }
    this.#zones.set(key, { origin: zone.origin, key, ttl: zone.ttl, soa: zone.soa });
    const kept: DnsRecord[] = [];
    for (const record of zone.records) {
      const problem = this.#addRecord(record, key);
      if (problem === undefined) kept.push(record);
      else problems.push(`zone '${zone.origin}': ${record.name} ${record.type}: ${problem}; record skipped`);
    }
    this.zones.push(kept.length === zone.records.length ? zone : { ...zone, records: kept });
  }

  /** Adds one record; returns why it cannot be served, if so. */
  #addRecord(record: DnsRecord, zoneKey: string): string | undefined {
    const key = nameKey(record.name);
    if (key === undefined) return "the name is not a valid domain name";
    if (!isInZone(key, zoneKey)) return "the name is outside the zone";
    if (record.ttl < 0 || record.ttl > 0x7fffffff) return `TTL ${record.ttl} is out of range`;
    const problem = dataProblem(record);
    if (problem !== undefined) return problem;
    // The SOA is the zone's own; a second one in the record list would contradict it.
    if (record.type === "SOA") return "SOA records come from the zone's soa field";

    let node = this.#nodes.get(key);
    if (record.type === "CNAME") {
      if (node?.CNAME !== undefined) return "a name has at most one CNAME";
      if (node !== undefined && hasData(node)) return "a CNAME cannot share its name with other data";
    } else if (node?.CNAME !== undefined) {
      return "the name already has a CNAME";
    }
    if (node === undefined) {
      node = {};
      this.#nodes.set(key, node);
      this.#interior.delete(key);
      for (let parent = parentKey(key); parent !== undefined && parent.length >= zoneKey.length; parent = parentKey(parent)) {
        if (this.#nodes.has(parent) || this.#interior.has(parent)) break;
        this.#interior.add(parent);
      }
    }
    if (record.type === "CNAME") {
      node.CNAME = record;
      return undefined;
    }
    (node[record.type] ??= [] as never[]).push(record as never);
    return undefined;
  }
}

function hasData(node: NameNode): boolean {
  return node.A !== undefined || node.AAAA !== undefined || node.NS !== undefined || node.SRV !== undefined;
}

function nameProblem(name: string): string | undefined {
  return nameKey(name) === undefined ? `'${name}' is not a valid domain name` : undefined;
}

function dataProblem(record: DnsRecord): string | undefined {
  switch (record.type) {
    case "A":
      return isDottedQuad(record.data) ? undefined : `'${record.data}' is not an IPv4 address`;
    case "AAAA":
      return record.data.includes(":") && ipaddr.IPv6.isValid(record.data) && !record.data.includes("%")
        ? undefined
        : `'${record.data}' is not an IPv6 address`;
    case "CNAME":
    case "NS":
      return nameProblem(record.data);
    case "SRV": {
      const { priority, weight, port, target } = record.data;
      if (![priority, weight, port].every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) return "priority, weight and port must be 0–65535";
      return nameProblem(target);
    }
    case "SOA":
      return undefined;
  }
}
