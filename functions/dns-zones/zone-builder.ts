/**
 * @module
 * Accumulates the records of one zone as sets keyed by (name, type, value), as mesos-dns and
 * dcos-dns did (re-inserting is a no-op), and emits them in one fixed order so the same
 * snapshot always gives the same bytes.
 *
 * Built for 10^6 records (a 100k-task Mesos-DNS zone): an insert never hashes or searches its
 * value, because `build` sorts every value list anyway and drops duplicates there; callers that
 * add many records to one name hold its `ZoneName` instead of looking the name up each time;
 * and names that are almost surely new (per-task names) can skip the index entirely
 * (`newName`), equal names being merged after the final sort.
 */
import type { DnsRecord, DnsZone, SoaData, SrvData } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";

type ValueType = "A" | "AAAA" | "CNAME" | "NS";

/**
 * The values of one (name, type), duplicates allowed until `build`. Almost every name holds one
 * value, so it is stored bare; an array only appears with the second value. One Set per name
 * made the garbage collector the main cost of a million-record zone.
 */
type Values = string | string[];
type SrvValues = SrvData | SrvData[];

/**
 * The records of one name.
 * @example const web = zone.name("web.marathon.mesos"); web.add("A", "10.0.0.1"); web.add("A", "10.0.0.2");
 */
export class ZoneName {
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

  /** True when at least one record was added. */
  hasRecords(): boolean {
    return this.A !== undefined || this.AAAA !== undefined || this.CNAME !== undefined || this.NS !== undefined || this.SRV !== undefined;
  }

  /** Moves the records of an entry with the same name into this one. */
  absorb(other: ZoneName): void {
    for (const type of VALUE_TYPES) {
      const values = other[type];
      if (values === undefined) continue;
      if (typeof values === "string") this.add(type, values);
      else for (const v of values) this.add(type, v);
    }
    const srv = other.SRV;
    if (srv === undefined) return;
    if (Array.isArray(srv)) for (const v of srv) this.addSrv(v);
    else this.addSrv(srv);
  }
}

const VALUE_TYPES = ["NS", "CNAME", "A", "AAAA"] as const;

/**
 * @example
 * const zone = new ZoneBuilder("mesos", 60);
 * zone.add("leader.mesos", "A", "10.0.0.1");
 * zone.build(soa).records; // [{ name: "leader.mesos", type: "A", ttl: 60, data: "10.0.0.1" }]
 */
export class ZoneBuilder {
  readonly #names = new Map<string, ZoneName>();
  /** Every entry, indexed or not, in creation order. */
  readonly #entries: ZoneName[] = [];

  constructor(
    readonly origin: string,
    readonly ttl: number,
  ) {}

  /** Adds an address, alias or name-server record; duplicates are ignored. */
  add(name: string, type: ValueType, data: string): void {
    this.name(name).add(type, data);
  }

  /** Adds an SRV record; duplicates (same target, port, priority and weight) are ignored. */
  addSrv(name: string, data: SrvData): void {
    this.name(name).addSrv(data);
  }

  /**
   * The records of `name`, created empty if needed (a name without records is not emitted).
   * @example const web = zone.name("web.marathon.mesos"); web.add("A", "10.0.0.1");
   */
  name(name: string): ZoneName {
    let entry = this.#names.get(name);
    if (entry === undefined) {
      entry = new ZoneName(name);
      this.#names.set(name, entry);
      this.#entries.push(entry);
    }
    return entry;
  }

  /**
   * A fresh entry for a name that is almost surely new (one task's canonical name), without
   * the index lookup. Should the name exist after all, `build` merges the two. Records added
   * here are invisible to `has` and `values`.
   * @example zone.newName("web-4dfjd-0.marathon.mesos").add("A", "10.0.0.1");
   */
  newName(name: string): ZoneName {
    const entry = new ZoneName(name);
    this.#entries.push(entry);
    return entry;
  }

  /** True when the name holds at least one record (added through `add`, `addSrv` or `name`). */
  has(name: string): boolean {
    const entry = this.#names.get(name);
    return entry !== undefined && entry.hasRecords();
  }

  /** The values of one name and type, for lookups while building (e.g. SRV target addresses). */
  values(name: string, type: ValueType): ReadonlySet<string> {
    const values = this.#names.get(name)?.[type];
    if (values === undefined) return EMPTY;
    return new Set(typeof values === "string" ? [values] : values);
  }

  /** The number of entries created so far (a `newName` duplicate counts twice). */
  get size(): number {
    return this.#entries.length;
  }

  /** The zone, records sorted by name, then type (SOA, NS, CNAME, A, AAAA, SRV), then value. */
  build(soa: SoaData, apexNs: readonly string[] = []): DnsZone {
    for (const ns of apexNs) this.add(this.origin, "NS", ns);
    // Sorting the entries themselves beats sorting the names and looking each one up again:
    // the lookups in name order wander over the whole heap.
    const entries = this.#entries.slice().sort(compareEntries);
    const records: DnsRecord[] = [];
    const ttl = this.ttl;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      while (i + 1 < entries.length && entries[i + 1]!.name === entry.name) entry.absorb(entries[++i]!);
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

const EMPTY: ReadonlySet<string> = new Set();

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
