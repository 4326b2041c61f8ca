/**
 * @module
 * The lookup structure the server answers from, updated in place: zones by id, and records by
 * owner (a task, an agent, a zone header, ...), so a change replaces one owner's records and
 * touches only the names they sit on. Names are interned (`index/name-table.ts`) and records
 * stored as integers (`index/record-slab.ts`), about 24 bytes a record; a record two owners
 * hold is stored once and counted. Every name whose answers may have changed is remembered
 * (`takeTouched`), so the compiled answers of exactly those names are dropped.
 *
 * Records that cannot go on the wire (a bad address, a name too long for DNS, data outside its
 * zone, a CNAME beside other data) are left out and reported, so one bad record never takes a
 * zone down. Lookups (`zoneFor`, `node`, `exists`) read by name key (`wire/names.ts`).
 */
import type { DnsRecord, DnsZone, SoaData } from "../desired/schema.ts";
import { TYPE } from "./wire/constants.ts";
import { nameKey, parentKey } from "./wire/names.ts";
import { dumpZone, materializeNode } from "./index/index-views.ts";
import { NameTable } from "./index/name-table.ts";
import { OwnerPool } from "./index/owner-pool.ts";
import type { RecordTuple } from "../desired/object-values.ts";
import { checkRecord, recordTuple, ttlProblem, type CheckedRecord } from "./index/record-input.ts";
import { RecordSlab, type RecordData } from "./index/record-slab.ts";

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

/** A zone as the index holds it; `slot` is what its records point at. */
export interface ZoneSlot extends IndexedZone {
  readonly id: string;
  readonly slot: number;
}

/** A zone's own part: what a `dns/zone/<id>` object holds (its records keep their own TTLs). */
export interface ZoneHeader {
  origin: string;
  ttl: number;
  soa: SoaData;
  records: readonly DnsRecord[];
}

/** What a change may have altered, for the answer cache. */
export interface Touched {
  /** Name keys whose records or existence changed, and `soaToken(zone key)` of zones whose SOA did. */
  names: Set<string>;
  /** Zones came or went, or a TTL changed: every answer may differ. */
  everything: boolean;
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

/**
 * The cache key standing for "the SOA of the zone at `zoneKey`": no name key starts with a
 * character above 0xff, so it never collides with one.
 * @example soaToken(nameKey("mesos")!) // "\u0100\x05mesos\x00"
 */
export function soaToken(zoneKey: string): string {
  return `\u0100${zoneKey}`;
}

const BUILT_IN = "builtin:";

/** A record an owner should hold, in its zone; `problem`: it was refused before it got here. */
interface Wanted {
  slot: ZoneSlot;
  record: RecordTuple;
  ttl: number | undefined;
  problem?: string;
}
const headerOwner = (id: string) => `\u0000zone:${id}`;

export class ZoneIndex {
  readonly names = new NameTable();
  readonly records = new RecordSlab();
  readonly #owners = new OwnerPool();
  readonly #slots: ZoneSlot[] = [];
  readonly #slotById = new Map<string, ZoneSlot>();
  /** Zones being served, by apex key: desired ones, and the built-ins none of them replaces. */
  readonly #served = new Map<string, ZoneSlot>();
  #touched = new Set<string>();
  #everything = false;
  #problems: string[] = [];

  constructor() {
    for (const zone of BUILT_IN_ZONES) this.#setZone(BUILT_IN + zone.origin, zone);
  }

  /**
   * A whole zone list at once (a DesiredState's `dns.zones`): each zone is one owner.
   * @example const { index, problems } = ZoneIndex.build(desired.dns.zones);
   */
  static build(zones: readonly DnsZone[]): { index: ZoneIndex; problems: string[] } {
    const index = new ZoneIndex();
    const seen = new Set<string>();
    for (const zone of zones) {
      const key = nameKey(zone.origin);
      if (key !== undefined && seen.has(key)) {
        index.#problems.push(`zone '${zone.origin}': listed twice; the second copy is skipped`);
        continue;
      }
      if (key !== undefined) seen.add(key);
      index.setZone(zone.origin, { ...zone, records: zone.records });
    }
    index.takeTouched();
    return { index, problems: index.takeProblems() };
  }

  /** Adds or replaces the zone `id` (its header records are its own owner's). */
  setZone(id: string, header: ZoneHeader): void {
    if (id.startsWith(BUILT_IN)) throw new Error(`zone id '${id}' is reserved`);
    this.#setZone(id, header);
  }

  deleteZone(id: string): void {
    const slot = this.#slotById.get(id);
    if (slot === undefined) return;
    this.#setRecords(headerOwner(id), slot, []);
    this.#unserve(slot);
    this.#slotById.delete(id);
  }

  /** Replaces the records `owner` holds: `byZone` maps a zone id to tuples that take that zone's TTL. */
  setOwner(owner: string, byZone: Readonly<Record<string, readonly RecordTuple[] | undefined>>): void {
    const wanted: Wanted[] = [];
    for (const [zoneId, tuples] of Object.entries(byZone)) {
      if (tuples === undefined) continue;
      const slot = this.#slotById.get(zoneId);
      if (slot === undefined) {
        if (tuples.length > 0) this.#problems.push(`${owner}: no zone '${zoneId}'; its ${tuples.length} records skipped`);
        continue;
      }
      for (const record of tuples) wanted.push({ slot, record, ttl: undefined });
    }
    this.#replace(owner, wanted);
  }

  deleteOwner(owner: string): void {
    this.#replace(owner, []);
  }

  /** The zone `key` belongs to: the served zone with the longest matching origin. */
  zoneFor(key: string): IndexedZone | undefined {
    for (let current: string | undefined = key; current !== undefined; current = parentKey(current)) {
      const zone = this.#served.get(current);
      if (zone !== undefined) return zone;
    }
    return undefined;
  }

  zone(key: string): IndexedZone | undefined {
    return this.#served.get(key);
  }

  /** The records of a name, built for one answer (answers are compiled once and cached). */
  node(key: string): NameNode | undefined {
    const id = this.names.id(key);
    if (id === undefined || this.names.head(id) < 0) return undefined;
    return materializeNode(this, id);
  }

  /** True when the name exists: it has records, or names below it (RFC 8020: then it is not NXDOMAIN). */
  exists(key: string): boolean {
    const id = this.names.id(key);
    return (id !== undefined && this.names.exists(id)) || this.#served.has(key);
  }

  /** The TTL record `id` is served with. */
  ttlOf(record: number): number {
    return this.records.ownTtl(record) ?? this.#slots[this.records.zone[record]!]!.ttl;
  }

  /** Zones being served, the built-in ones included. */
  get zoneCount(): number {
    return this.#served.size;
  }

  get recordCount(): number {
    return this.records.size;
  }

  /** The served zones with their records, sorted (for the HTTP endpoints; costs the whole index). */
  get zones(): DnsZone[] {
    const order = (zone: ZoneSlot) => (zone.id.startsWith(BUILT_IN) ? 256 : 0) + zone.slot;
    return [...this.#served.values()].sort((a, b) => order(a) - order(b)).map((zone) => dumpZone(this, zone));
  }

  /** What changed since the last call. */
  takeTouched(): Touched {
    const touched = { names: this.#touched, everything: this.#everything };
    this.#touched = new Set();
    this.#everything = false;
    return touched;
  }

  /** Records and zones left out since the last call, and why. */
  takeProblems(): string[] {
    const problems = this.#problems;
    this.#problems = [];
    return problems;
  }

  #setZone(id: string, header: ZoneHeader): void {
    const key = nameKey(header.origin);
    const soaProblem = [header.soa.mname, header.soa.rname].find((name) => nameKey(name) === undefined);
    const problem =
      key === undefined
        ? "the origin is not a valid domain name"
        : soaProblem !== undefined
          ? `SOA '${soaProblem}' is not a valid domain name`
          : ttlProblem(header.ttl);
    const clash = key === undefined ? undefined : this.#served.get(key);
    if (problem !== undefined || (clash !== undefined && clash.id !== id && !clash.id.startsWith(BUILT_IN))) {
      this.#problems.push(`zone '${header.origin}': ${problem ?? `listed twice (also zone '${clash!.id}')`}; zone skipped`);
      return;
    }
    let slot = this.#slotById.get(id);
    if (slot !== undefined && slot.key !== key) {
      // A new apex is a new slot: the records still on the old one keep the apex they hang from.
      this.#unserve(slot);
      slot = undefined;
    }
    if (slot === undefined) {
      slot = { id, slot: this.#slots.length, origin: header.origin, key: key!, ttl: header.ttl, soa: header.soa };
      if (slot.slot > 255) throw new Error("more than 256 zones");
      this.#slots.push(slot);
      this.#slotById.set(id, slot);
    } else {
      if (slot.ttl !== header.ttl) {
        slot.ttl = header.ttl;
        this.#everything = true;
      }
      if (!sameSoa(slot.soa, header.soa)) this.#touched.add(soaToken(slot.key));
      slot.soa = header.soa;
      slot.origin = header.origin;
    }
    this.#serve(slot);
    this.#setRecords(headerOwner(id), slot, header.records);
  }

  /** Starts serving a zone, in place of a built-in zone of the same apex. */
  #serve(slot: ZoneSlot): void {
    const current = this.#served.get(slot.key);
    if (current === slot) return;
    if (current !== undefined) this.#setRecords(headerOwner(current.id), current, []);
    this.#served.set(slot.key, slot);
    this.names.pin(this.names.intern(slot.key));
    this.#everything = true;
  }

  /** Stops serving a zone; a built-in zone of the same apex comes back. */
  #unserve(slot: ZoneSlot): void {
    if (this.#served.get(slot.key) !== slot) return;
    this.#served.delete(slot.key);
    this.names.unpin(this.names.id(slot.key)!);
    this.#everything = true;
    const builtIn = BUILT_IN_ZONES.find((zone) => nameKey(zone.origin) === slot.key);
    if (builtIn !== undefined && !slot.id.startsWith(BUILT_IN)) this.#setZone(BUILT_IN + builtIn.origin, builtIn);
  }

  #setRecords(owner: string, slot: ZoneSlot, records: readonly DnsRecord[]): void {
    const wanted: Wanted[] = [];
    for (const record of records) {
      const tuple = recordTuple(record);
      const problem = typeof tuple === "string" ? tuple : ttlProblem(record.ttl);
      if (problem !== undefined) wanted.push({ slot, record: [record.name, record.type as "A", ""], ttl: undefined, problem });
      else wanted.push({ slot, record: tuple as RecordTuple, ttl: record.ttl === slot.ttl ? undefined : record.ttl });
    }
    this.#replace(owner, wanted);
  }

  /**
   * Gives `owner` exactly `wanted`: the new records are added before the old are released, so
   * a record the owner keeps is never removed and re-added (its name is not touched). A CNAME
   * that clashed with the owner's own old data is tried again once that is gone.
   */
  #replace(owner: string, wanted: readonly Wanted[]): void {
    const old = this.#owners.get(owner);
    const ids: number[] = [];
    const retry: Wanted[] = [];
    for (const entry of wanted) {
      const added = entry.problem === undefined ? this.#add(entry.slot, entry.record, entry.ttl) : { problem: entry.problem, clash: false };
      if (typeof added === "number") ids.push(added);
      else if (added.clash) retry.push(entry);
      else this.#problems.push(`zone '${entry.slot.origin}': ${entry.record[0]} ${entry.record[1]}: ${added.problem}; record skipped`);
    }
    for (const id of old) this.#release(id);
    for (const entry of retry) {
      const added = this.#add(entry.slot, entry.record, entry.ttl);
      if (typeof added === "number") ids.push(added);
      else this.#problems.push(`zone '${entry.slot.origin}': ${entry.record[0]} ${entry.record[1]}: ${added.problem}; record skipped`);
    }
    this.#owners.set(owner, ids);
  }

  /** Adds one record for one owner: its id, or why not (`clash`: a CNAME rule against records now there). */
  #add(slot: ZoneSlot, record: RecordTuple, ttl: number | undefined): number | { problem: string; clash: boolean } {
    const checked = checkRecord(record, slot.key);
    if (typeof checked === "string") return { problem: checked, clash: false };
    const nameId = this.names.intern(checked.key);
    const targetId = checked.target === undefined ? undefined : this.names.intern(checked.target);
    const data = slabData(checked, targetId);
    const clash = this.#findOrClash(nameId, data);
    if (typeof clash === "number") {
      this.records.count[clash]!++;
      return clash;
    }
    if (clash !== undefined) {
      if (targetId !== undefined) this.names.releaseIfUnused(targetId);
      this.names.releaseIfUnused(nameId);
      return { problem: clash, clash: true };
    }
    const id = this.records.allocate(nameId, slot.slot, ttl, data);
    if (targetId !== undefined) this.names.pin(targetId);
    const head = this.names.head(nameId);
    this.records.next[id] = head;
    this.names.setHead(nameId, id);
    this.#touched.add(checked.key);
    if (head < 0 && this.names.children(nameId) === 0) this.#appeared(nameId, slot.key);
    return id;
  }

  /** The same record already on the name, or why a new one may not join it. */
  #findOrClash(nameId: number, data: RecordData): number | string | undefined {
    let hasCname = false;
    let hasOther = false;
    for (let id = this.names.head(nameId); id >= 0; id = this.records.next[id]!) {
      if (this.records.matches(id, data)) return id;
      if (this.records.type[id] === TYPE.CNAME) hasCname = true;
      else hasOther = true;
    }
    if (data.type === TYPE.CNAME) return hasCname ? "a name has at most one CNAME" : hasOther ? "a CNAME cannot share its name with other data" : undefined;
    return hasCname ? "the name already has a CNAME" : undefined;
  }

  /** One owner lets go of record `id`; the last one removes it. */
  #release(id: number): void {
    if (--this.records.count[id]! > 0) return;
    const nameId = this.records.name[id]!;
    const slot = this.#slots[this.records.zone[id]!]!;
    let previous = -1;
    for (let at = this.names.head(nameId); at !== id; at = this.records.next[at]!) previous = at;
    if (previous < 0) this.names.setHead(nameId, this.records.next[id]!);
    else this.records.next[previous] = this.records.next[id]!;
    const type = this.records.type[id]!;
    const target = type === TYPE.CNAME || type === TYPE.NS || type === TYPE.SRV ? this.records.value[id]! : -1;
    this.records.release(id);
    this.#touched.add(this.names.key(nameId));
    if (this.names.head(nameId) < 0 && this.names.children(nameId) === 0) this.#vanished(nameId, slot.key);
    // After the name's own bookkeeping: a record may point at its own name.
    if (target >= 0) this.names.unpin(target);
  }

  /** A name came to exist: its parents up to the apex exist through it (RFC 8020). */
  #appeared(nameId: number, zoneKey: string): void {
    for (let key = this.names.key(nameId); key !== zoneKey; ) {
      const parent = parentKey(key);
      if (parent === undefined || parent.length < zoneKey.length) return;
      const parentId = this.names.intern(parent);
      const existed = this.names.exists(parentId);
      this.names.addChildren(parentId, 1);
      if (existed) return;
      this.#touched.add(parent);
      key = parent;
    }
  }

  /** A name stopped existing: parents that existed only through it go too. */
  #vanished(nameId: number, zoneKey: string): void {
    let key = this.names.key(nameId);
    this.names.releaseIfUnused(nameId);
    while (key !== zoneKey) {
      const parent = parentKey(key);
      if (parent === undefined || parent.length < zoneKey.length) return;
      const parentId = this.names.id(parent)!;
      this.names.addChildren(parentId, -1);
      if (this.names.exists(parentId)) return;
      this.#touched.add(parent);
      this.names.releaseIfUnused(parentId);
      key = parent;
    }
  }
}

function slabData(checked: CheckedRecord, targetId: number | undefined): RecordData {
  return {
    type: checked.type,
    value: checked.address ?? targetId ?? 0,
    ...(checked.text === undefined ? {} : { text: checked.text }),
    ...(checked.type === TYPE.SRV ? { priority: checked.priority!, weight: checked.weight!, port: checked.port! } : {}),
  };
}

function sameSoa(a: SoaData, b: SoaData): boolean {
  return a.mname === b.mname && a.rname === b.rname && a.serial === b.serial && a.refresh === b.refresh && a.retry === b.retry && a.expire === b.expire && a.minimum === b.minimum;
}
