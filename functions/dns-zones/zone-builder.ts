/**
 * @module
 * Accumulates the records of one zone as sets keyed by (name, type, value), as mesos-dns and
 * dcos-dns did (re-inserting is a no-op), and emits them in one fixed order so the same
 * snapshot always gives the same bytes. Built for 10^6 records: one map lookup per insert and
 * one sort of the distinct names at the end.
 */
import type { DnsRecord, DnsZone, SoaData, SrvData } from "../../lib/desired/schema.ts";

type ValueType = "A" | "AAAA" | "CNAME" | "NS";

interface NameEntry {
  A?: Set<string>;
  AAAA?: Set<string>;
  CNAME?: Set<string>;
  NS?: Set<string>;
  SRV?: Map<string, SrvData>;
}

const TYPE_ORDER = ["SOA", "NS", "CNAME", "A", "AAAA", "SRV"] as const;

/**
 * @example
 * const zone = new ZoneBuilder("mesos", 60);
 * zone.add("leader.mesos", "A", "10.0.0.1");
 * zone.build(soa).records; // [{ name: "leader.mesos", type: "A", ttl: 60, data: "10.0.0.1" }]
 */
export class ZoneBuilder {
  readonly #names = new Map<string, NameEntry>();

  constructor(
    readonly origin: string,
    readonly ttl: number,
  ) {}

  /** Adds an address, alias or name-server record; duplicates are ignored. */
  add(name: string, type: ValueType, data: string): void {
    const entry = this.#entry(name);
    (entry[type] ??= new Set()).add(data);
  }

  /** Adds an SRV record; duplicates (same target, port, priority and weight) are ignored. */
  addSrv(name: string, data: SrvData): void {
    const entry = this.#entry(name);
    (entry.SRV ??= new Map()).set(`${data.target}:${data.port}:${data.priority}:${data.weight}`, data);
  }

  /** True when the name holds at least one record. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** The values of one name and type, for lookups while building (e.g. SRV target addresses). */
  values(name: string, type: ValueType): ReadonlySet<string> {
    return this.#names.get(name)?.[type] ?? EMPTY;
  }

  get size(): number {
    return this.#names.size;
  }

  /** The zone, records sorted by name, then type (SOA, NS, CNAME, A, AAAA, SRV), then value. */
  build(soa: SoaData, apexNs: readonly string[] = []): DnsZone {
    for (const ns of apexNs) this.add(this.origin, "NS", ns);
    const records: DnsRecord[] = [];
    const names = [...this.#names.keys()].sort(compareNames);
    const ttl = this.ttl;
    for (const name of names) {
      const entry = this.#names.get(name)!;
      for (const type of TYPE_ORDER) {
        if (type === "SOA") continue;
        if (type === "SRV") {
          if (entry.SRV === undefined) continue;
          for (const data of [...entry.SRV.values()].sort(compareSrv)) records.push({ name, type, ttl, data });
          continue;
        }
        const set = entry[type];
        if (set === undefined) continue;
        for (const data of [...set].sort(compareNames)) records.push({ name, type, ttl, data });
      }
    }
    return { origin: this.origin, ttl, soa, records };
  }

  #entry(name: string): NameEntry {
    let entry = this.#names.get(name);
    if (entry === undefined) {
      entry = {};
      this.#names.set(name, entry);
    }
    return entry;
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareSrv(a: SrvData, b: SrvData): number {
  return compareNames(a.target, b.target) || a.port - b.port || a.priority - b.priority || a.weight - b.weight;
}
