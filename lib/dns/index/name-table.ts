/**
 * @module
 * The names a zone index knows, each interned once under a small integer id, with the three
 * counts that decide when a name may go: the head of its record list, how many names below it
 * exist (an empty non-terminal exists through them, RFC 8020), and how many pins hold it (a
 * record pointing at it as a target, a zone apex). Counts live in typed arrays and the lookup
 * table holds ids only (`key-table.ts`), so a name costs its key string and about 24 bytes: at
 * 100k tasks the index holds ~530k names.
 */
import { KeyTable, keyHash } from "./key-table.ts";

const INITIAL_CAPACITY = 1024;

/**
 * @example
 * const names = new NameTable();
 * const id = names.intern(nameKey("web.mesos")!);
 * names.key(id) // "\x03web\x05mesos\x00"
 */
export class NameTable {
  #keys: string[] = [];
  #hashes = new Int32Array(INITIAL_CAPACITY);
  readonly #ids = new KeyTable(
    (id) => this.#keys[id]!,
    (id) => this.#hashes[id]!,
  );
  /** First record of the name (`RecordSlab` ids), -1 when it has none. */
  #head = new Int32Array(INITIAL_CAPACITY).fill(-1);
  #children = new Int32Array(INITIAL_CAPACITY);
  #pins = new Int32Array(INITIAL_CAPACITY);
  readonly #free: number[] = [];

  /** The id of a known name. */
  id(key: string): number | undefined {
    return this.#ids.find(key, keyHash(key));
  }

  /** The id of `key`, added when new. */
  intern(key: string): number {
    const hash = keyHash(key);
    const known = this.#ids.find(key, hash);
    if (known !== undefined) return known;
    const id = this.#free.pop() ?? this.#keys.length;
    if (id >= this.#head.length) this.#grow();
    this.#keys[id] = key;
    this.#hashes[id] = hash;
    this.#ids.insert(id, hash);
    return id;
  }

  key(id: number): string {
    return this.#keys[id]!;
  }

  head(id: number): number {
    return this.#head[id]!;
  }

  setHead(id: number, record: number): void {
    this.#head[id] = record;
  }

  /** Names directly below this one that exist. */
  children(id: number): number {
    return this.#children[id]!;
  }

  addChildren(id: number, delta: 1 | -1): number {
    return (this.#children[id]! += delta);
  }

  /** Holds the name while something refers to it by id. */
  pin(id: number): void {
    this.#pins[id]!++;
  }

  unpin(id: number): void {
    this.#pins[id]!--;
    this.releaseIfUnused(id);
  }

  /** True when the name has records or names below it. */
  exists(id: number): boolean {
    return this.#head[id]! >= 0 || this.#children[id]! > 0;
  }

  /** Forgets the name when nothing holds it any more; its id is reused. */
  releaseIfUnused(id: number): void {
    if (this.#head[id]! >= 0 || this.#children[id]! > 0 || this.#pins[id]! > 0) return;
    this.#ids.remove(id, this.#hashes[id]!);
    this.#keys[id] = "";
    this.#free.push(id);
  }

  /** Every live name id (for dumps, not for queries). */
  *liveIds(): Generator<number> {
    for (let id = 0; id < this.#keys.length; id++) if (this.#keys[id] !== "") yield id;
  }

  get size(): number {
    return this.#ids.size;
  }

  #grow(): void {
    const capacity = grownCapacity(this.#head.length);
    this.#head = grown(this.#head, capacity, -1);
    this.#children = grown(this.#children, capacity, 0);
    this.#pins = grown(this.#pins, capacity, 0);
    this.#hashes = grown(this.#hashes, capacity, 0);
  }
}

/**
 * The next capacity of a table that is full: half as large again, not twice, since at 100k
 * tasks an index holds millions of records and doubling would leave up to half of it unused.
 * @example grownCapacity(1024) // 1536
 */
export function grownCapacity(capacity: number): number {
  return Math.ceil(capacity * 1.5);
}

/**
 * A copy of `array` with room for `capacity` entries, the new ones set to `fill`.
 * @example grown(new Int32Array([1]), 4, -1) // Int32Array [1, -1, -1, -1]
 */
export function grown<T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(array: T, capacity: number, fill: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}
