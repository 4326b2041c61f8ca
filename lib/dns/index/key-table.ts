/**
 * @module
 * A string → id table in one Int32Array (open addressing, linear probing, deletion by backward
 * shift, so no tombstones pile up), for the half million names of a 100k-task index: a JS Map
 * of that size costs ~28 bytes an entry in its own tables, this one 4 to 8. The caller keeps
 * the strings (by id) and their hashes; the table holds only ids.
 */

const EMPTY = -1;

/**
 * FNV-1a over the string's code units, as a 32-bit integer.
 * @example keyHash("\x03web\x05mesos\x00") // a 32-bit integer, the same on every run
 */
export function keyHash(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash | 0;
}

/**
 * @example
 * const table = new KeyTable((id) => keys[id]!, (id) => hashes[id]!);
 * table.insert(0, keyHash(keys[0]!)); table.find(keys[0]!, keyHash(keys[0]!)) // 0
 */
export class KeyTable {
  #slots = new Int32Array(1024).fill(EMPTY);
  #size = 0;

  constructor(
    private readonly keyOf: (id: number) => string,
    private readonly hashOf: (id: number) => number,
  ) {}

  get size(): number {
    return this.#size;
  }

  /** The id stored under `key` (whose hash is `hash`), if any. */
  find(key: string, hash: number): number | undefined {
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.#slots[slot]!;
      if (id === EMPTY) return undefined;
      if (this.hashOf(id) === hash && this.keyOf(id) === key) return id;
    }
  }

  /** Stores `id` (its key not yet in the table). */
  insert(id: number, hash: number): void {
    if ((this.#size + 1) * 10 > this.#slots.length * 7) this.#resize(this.#slots.length * 2);
    this.#place(id, hash);
    this.#size++;
  }

  /** Removes `id`, closing the gap so later probes still find what follows it. */
  remove(id: number, hash: number): void {
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    while (this.#slots[slot] !== id) slot = (slot + 1) & mask;
    for (let next = (slot + 1) & mask; this.#slots[next] !== EMPTY; next = (next + 1) & mask) {
      const moving = this.#slots[next]!;
      const home = this.hashOf(moving) & mask;
      // Moves back only entries whose home is not between the gap and where they are.
      if ((next > slot && (home <= slot || home > next)) || (next < slot && home <= slot && home > next)) {
        this.#slots[slot] = moving;
        slot = next;
      }
    }
    this.#slots[slot] = EMPTY;
    this.#size--;
  }

  #place(id: number, hash: number): void {
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    while (this.#slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.#slots[slot] = id;
  }

  #resize(capacity: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(capacity).fill(EMPTY);
    for (const id of old) if (id !== EMPTY) this.#place(id, this.hashOf(id));
  }
}
