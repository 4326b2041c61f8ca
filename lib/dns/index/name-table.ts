/**
 * @module
 * The names a zone index knows, each interned once under a small integer id, with the three
 * counts that decide when a name may go: the head of its record list, how many names below it
 * exist (an empty non-terminal exists through them, RFC 8020), and how many pins hold it (a
 * record pointing at it as a target, a zone apex). Counts live in typed arrays, so a name costs
 * its key string, one map entry and twelve bytes: at 100k tasks the index holds ~430k names.
 */

const INITIAL_CAPACITY = 1024;

/**
 * @example
 * const names = new NameTable();
 * const id = names.intern(nameKey("web.mesos")!);
 * names.key(id) // "\x03web\x05mesos\x00"
 */
export class NameTable {
  readonly #ids = new Map<string, number>();
  #keys: string[] = [];
  /** First record of the name (`RecordSlab` ids), -1 when it has none. */
  #head = new Int32Array(INITIAL_CAPACITY).fill(-1);
  #children = new Int32Array(INITIAL_CAPACITY);
  #pins = new Int32Array(INITIAL_CAPACITY);
  readonly #free: number[] = [];

  /** The id of a known name. */
  id(key: string): number | undefined {
    return this.#ids.get(key);
  }

  /** The id of `key`, added when new. */
  intern(key: string): number {
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const id = this.#free.pop() ?? this.#keys.length;
    if (id >= this.#head.length) this.#grow();
    this.#keys[id] = key;
    this.#ids.set(key, id);
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
    this.#ids.delete(this.#keys[id]!);
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
    const capacity = this.#head.length * 2;
    this.#head = grown(this.#head, capacity, -1);
    this.#children = grown(this.#children, capacity, 0);
    this.#pins = grown(this.#pins, capacity, 0);
  }
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
