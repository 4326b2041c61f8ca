/**
 * @module
 * Every record of a zone index in one struct of typed arrays, a record being an integer id:
 * its name and target as name ids, an IPv4 address as 32 bits, SRV fields packed, how many
 * owners hold it (the same record from two tasks is stored once) and the next record of the
 * same name (one list per name, across types: almost every name holds one type). About 24
 * bytes a record, against ~150 for an object per record and its data; at 100k tasks the index
 * holds ~1.7M records. AAAA addresses, rare, live in a side map.
 */
import { grown, grownCapacity } from "./name-table.ts";

const INITIAL_CAPACITY = 4096;

/** What a record holds besides its name: the fields `matches` compares. */
export interface RecordData {
  /** `TYPE.A`, `TYPE.AAAA`, `TYPE.CNAME`, `TYPE.NS` or `TYPE.SRV`. */
  type: number;
  /** A: the address as an int32; CNAME, NS, SRV: the target's name id; AAAA: unused. */
  value: number;
  /** AAAA: the address text. */
  text?: string;
  priority?: number;
  weight?: number;
  port?: number;
}

/**
 * @example
 * const slab = new RecordSlab();
 * const id = slab.allocate(nameId, zoneSlot, -1, { type: TYPE.A, value: ipv4Int("10.0.0.1") });
 * slab.count[id] // 1
 */
export class RecordSlab {
  name = new Int32Array(INITIAL_CAPACITY);
  type = new Uint8Array(INITIAL_CAPACITY);
  /** The zone slot the record was added under (its TTL, the apex its name hangs from). */
  zone = new Uint8Array(INITIAL_CAPACITY);
  value = new Int32Array(INITIAL_CAPACITY);
  /** SRV: priority << 16 | weight. */
  srv = new Uint32Array(INITIAL_CAPACITY);
  port = new Uint16Array(INITIAL_CAPACITY);
  /** Owners holding the record; 0 marks a free slot. */
  count = new Uint32Array(INITIAL_CAPACITY);
  next = new Int32Array(INITIAL_CAPACITY).fill(-1);
  readonly #aaaa = new Map<number, string>();
  /** Records with a TTL of their own (a zone header's); the others take their zone's. */
  readonly #ttl = new Map<number, number>();
  readonly #free: number[] = [];
  #end = 0;
  #live = 0;

  /** A new record held by one owner, not yet linked to its name's list. */
  allocate(nameId: number, zoneSlot: number, ttl: number | undefined, data: RecordData): number {
    const id = this.#free.pop() ?? this.#end++;
    if (id >= this.count.length) this.#grow();
    this.name[id] = nameId;
    this.type[id] = data.type;
    this.zone[id] = zoneSlot;
    this.value[id] = data.value;
    this.srv[id] = ((data.priority ?? 0) << 16) | (data.weight ?? 0);
    this.port[id] = data.port ?? 0;
    this.count[id] = 1;
    this.next[id] = -1;
    if (data.text !== undefined) this.#aaaa.set(id, data.text);
    if (ttl !== undefined) this.#ttl.set(id, ttl);
    this.#live++;
    return id;
  }

  release(id: number): void {
    this.count[id] = 0;
    this.#aaaa.delete(id);
    this.#ttl.delete(id);
    this.#free.push(id);
    this.#live--;
  }

  /** True when record `id` holds `data` (its name is the caller's to compare). */
  matches(id: number, data: RecordData): boolean {
    if (this.type[id] !== data.type || this.value[id] !== data.value) return false;
    if (data.text !== undefined) return this.#aaaa.get(id) === data.text;
    return this.srv[id] === ((((data.priority ?? 0) << 16) | (data.weight ?? 0)) >>> 0) && this.port[id] === (data.port ?? 0);
  }

  /** The AAAA address of record `id`. */
  text(id: number): string {
    return this.#aaaa.get(id) ?? "";
  }

  /** The record's own TTL, when it has one. */
  ownTtl(id: number): number | undefined {
    return this.#ttl.get(id);
  }

  get size(): number {
    return this.#live;
  }

  #grow(): void {
    const capacity = grownCapacity(this.count.length);
    this.name = grown(this.name, capacity, 0);
    this.type = grown(this.type, capacity, 0);
    this.zone = grown(this.zone, capacity, 0);
    this.value = grown(this.value, capacity, 0);
    this.srv = grown(this.srv, capacity, 0);
    this.port = grown(this.port, capacity, 0);
    this.count = grown(this.count, capacity, 0);
    this.next = grown(this.next, capacity, -1);
  }
}

/**
 * An IPv4 address as an int32 (what `RecordSlab` stores), and back.
 * @example ipv4Int("10.0.0.1") // 167772161
 */
export function ipv4Int(address: string): number {
  const [a, b, c, d] = address.split(".").map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) | 0;
}

/** @example ipv4Text(167772161) // "10.0.0.1" */
export function ipv4Text(value: number): string {
  return `${(value >>> 24) & 255}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
