/**
 * @module
 * Accumulates the records of one zone as sets keyed by (name, type, value), as mesos-dns and
 * dcos-dns did (re-inserting is a no-op), and emits them in one fixed order so the same
 * snapshot always gives the same bytes.
 *
 * Built for 10^6 records (a 100k-task Mesos-DNS zone): an insert never hashes or searches its
 * value, because `build` sorts every value list anyway and drops duplicates there.
 */
import type { DnsRecord, DnsZone, SoaData, SrvData } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";

export type ValueType = "A" | "AAAA" | "CNAME" | "NS";

/**
 * Where record builders put what they make: a whole zone (`ZoneBuilder`), or the records of
 * one owner (`OwnerRecords`) in the keyed desired state.
 */
export interface RecordSink {
  /** Adds an address, alias or name-server record. */
  add(name: string, type: ValueType, data: string): void;
  /** Adds an SRV record. */
  addSrv(name: string, data: SrvData): void;
}

/**
 * The values of one (name, type), duplicates allowed until `build`. Almost every name holds one
 * value, so it is stored bare; an array only appears with the second value. One Set per name
 * made the garbage collector the main cost of a million-record zone.
 */
type Values = string | string[];
type SrvValues = SrvData | SrvData[];

/** The records of one name. */
class ZoneName {
  // One fixed shape for every entry keeps property access monomorphic.
  A: Values | undefined = undefined;
  AAAA: Values | undefined = undefined;
  CNAME: Values | undefined = undefined;
  NS: Values | undefined = undefined;
  SRV: SrvValues | undefined = undefined;

  constructor(readonly name: string) {}

  /** Adds an address, alias or name-server record; duplicates are ignored. */
  add(type: ValueType, data: string): void {
    this[type] = withValue(this[type], data);
  }

  /** Adds an SRV record; duplicates (same target, port, priority and weight) are ignored. */
  addSrv(data: SrvData): void {
    const values = this.SRV;
    if (values === undefined) this.SRV = data;
    else if (!Array.isArray(values)) this.SRV = sameSrv(values, data) ? values : [values, data];
    else if (!sameSrv(values[values.length - 1]!, data)) values.push(data);
  }
}

const VALUE_TYPES = ["NS", "CNAME", "A", "AAAA"] as const;

/**
 * @example
 * const zone = new ZoneBuilder("mesos", 60);
 * zone.add("leader.mesos", "A", "10.0.0.1");
 * zone.build(soa).records; // [{ name: "leader.mesos", type: "A", ttl: 60, data: "10.0.0.1" }]
 */
export class ZoneBuilder implements RecordSink {
  readonly #names = new Map<string, ZoneName>();
  /** Every entry, in creation order. */
  readonly #entries: ZoneName[] = [];

  constructor(
    readonly origin: string,
    readonly ttl: number,
  ) {}

  /** Adds an address, alias or name-server record; duplicates are ignored. */
  add(name: string, type: ValueType, data: string): void {
    this.#name(name).add(type, data);
  }

  /** Adds an SRV record; duplicates (same target, port, priority and weight) are ignored. */
  addSrv(name: string, data: SrvData): void {
    this.#name(name).addSrv(data);
  }

  #name(name: string): ZoneName {
    let entry = this.#names.get(name);
    if (entry === undefined) {
      entry = new ZoneName(name);
      this.#names.set(name, entry);
      this.#entries.push(entry);
    }
    return entry;
  }

  /** The zone, records sorted by name, then type (SOA, NS, CNAME, A, AAAA, SRV), then value. */
  build(soa: SoaData, apexNs: readonly string[] = []): DnsZone {
    for (const ns of apexNs) this.add(this.origin, "NS", ns);
    // Sorting the entries themselves beats sorting the names and looking each one up again:
    // the lookups in name order wander over the whole heap.
    const entries = this.#entries.slice().sort(compareEntries);
    const records: DnsRecord[] = [];
    const ttl = this.ttl;
    for (const entry of entries) {
      const name = entry.name;
      for (const type of VALUE_TYPES) {
        const values = entry[type];
        if (values === undefined) continue;
        if (typeof values === "string") {
          records.push({ name, type, ttl, data: values });
          continue;
        }
        values.sort();
        for (let j = 0; j < values.length; j++) {
          if (j === 0 || values[j] !== values[j - 1]) records.push({ name, type, ttl, data: values[j]! });
        }
      }
      const srv = entry.SRV;
      if (srv === undefined) continue;
      if (!Array.isArray(srv)) {
        records.push({ name, type: "SRV", ttl, data: srv });
        continue;
      }
      srv.sort(compareSrv);
      for (let j = 0; j < srv.length; j++) {
        if (j === 0 || !sameSrv(srv[j]!, srv[j - 1]!)) records.push({ name, type: "SRV", ttl, data: srv[j]! });
      }
    }
    return { origin: this.origin, ttl, soa, records };
  }
}

function withValue(values: Values | undefined, data: string): Values {
  if (values === undefined) return data;
  if (typeof values === "string") return values === data ? values : [values, data];
  if (values[values.length - 1] !== data) values.push(data);
  return values;
}

function sameSrv(a: SrvData, b: SrvData): boolean {
  return a === b || (a.port === b.port && a.target === b.target && a.priority === b.priority && a.weight === b.weight);
}

function compareEntries(a: ZoneName, b: ZoneName): number {
  return compareStrings(a.name, b.name);
}

function compareSrv(a: SrvData, b: SrvData): number {
  return compareStrings(a.target, b.target) || a.port - b.port || a.priority - b.priority || a.weight - b.weight;
}
