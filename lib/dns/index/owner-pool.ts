/**
 * @module
 * Which records each owner (a task, an agent, a zone header, ...) holds, so its next value
 * replaces exactly its old records. One Int32Array holds every owner's list back to back
 * (`[length, id, id, ...]`) and a map gives each owner's offset: four bytes a record instead
 * of an array object per owner. A replaced list is appended anew and the old block left as
 * garbage; once garbage outweighs the live lists, they are copied into a fresh pool, so the
 * cost stays proportional to the changes.
 */
import { grown, grownCapacity } from "./name-table.ts";

const EMPTY: readonly number[] = [];

/**
 * @example
 * const owners = new OwnerPool();
 * owners.set("dns/records/task/web.1", [3, 4]);
 * owners.get("dns/records/task/web.1") // [3, 4]
 */
export class OwnerPool {
  readonly #offsets = new Map<string, number>();
  #pool = new Int32Array(4096);
  #end = 0;
  #garbage = 0;

  /** The record ids of `owner` (empty when unknown). */
  get(owner: string): readonly number[] {
    const offset = this.#offsets.get(owner);
    if (offset === undefined) return EMPTY;
    const length = this.#pool[offset]!;
    return Array.from(this.#pool.subarray(offset + 1, offset + 1 + length));
  }

  /** Replaces the list of `owner`; an empty list forgets it. */
  set(owner: string, ids: readonly number[]): void {
    this.delete(owner);
    if (ids.length === 0) return;
    this.#reserve(ids.length + 1);
    const offset = this.#end;
    this.#pool[offset] = ids.length;
    this.#pool.set(ids, offset + 1);
    this.#end += ids.length + 1;
    this.#offsets.set(owner, offset);
  }

  delete(owner: string): void {
    const offset = this.#offsets.get(owner);
    if (offset === undefined) return;
    this.#garbage += this.#pool[offset]! + 1;
    this.#offsets.delete(owner);
  }

  has(owner: string): boolean {
    return this.#offsets.has(owner);
  }

  owners(): IterableIterator<string> {
    return this.#offsets.keys();
  }

  get size(): number {
    return this.#offsets.size;
  }

  #reserve(words: number): void {
    if (this.#end + words <= this.#pool.length) return;
    const live = this.#end - this.#garbage;
    if (this.#garbage > live) {
      this.#compact(Math.max(this.#pool.length, grownCapacity(live + words)));
      return;
    }
    this.#pool = grown(this.#pool, Math.max(grownCapacity(this.#pool.length), this.#end + words), 0);
  }

  #compact(capacity: number): void {
    const next = new Int32Array(capacity);
    let end = 0;
    for (const [owner, offset] of this.#offsets) {
      const words = this.#pool[offset]! + 1;
      next.set(this.#pool.subarray(offset, offset + words), end);
      this.#offsets.set(owner, end);
      end += words;
    }
    this.#pool = next;
    this.#end = end;
    this.#garbage = 0;
  }
}
