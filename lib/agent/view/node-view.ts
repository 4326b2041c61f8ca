/**
 * @module
 * The agent's keyed view of its node (docs/delta-path.md §7): every key with its object hash,
 * and values only for the keys an applier on this node reads from memory (DNS values go to the
 * DNS server's store and are not kept here). Hashes sit in one byte slab, 32 bytes a key, and
 * the view hash is kept as a multiset sum (§2), so a batch is checked and applied in
 * O(changed keys): the view never re-hashes itself. The DNS keys have a sum of their own, which
 * stamps the DNS store so the two can be compared after a restart.
 */
import { addTerm, EMPTY_SUM, entryTerm, subtractTerm, sumHex } from "../../net/multiset-hash.ts";

/** One key of a batch: its new object hash, and its value when the view keeps it. */
export interface ViewUpsert {
  key: string;
  hash: string;
  value?: unknown;
}

/** What one committed batch does to the view: the keys it sets (to a new hash) and removes. */
export interface ViewChanges {
  upserts: readonly ViewUpsert[];
  deletes: readonly string[];
}

const INITIAL_SLOTS = 1024;
const DNS_PREFIX = "dns/";

/**
 * @example
 * const view = new NodeView((key) => !key.startsWith("dns/"));
 * view.hashAfter({ upserts: [{ key, hash }], deletes: [] }) === commit.hash // then view.apply(...)
 */
export class NodeView {
  /** The generation the view holds (the last batch applied), undefined before any. */
  generation: number | undefined;
  readonly #slots = new Map<string, number>();
  #hashes = new Uint8Array(INITIAL_SLOTS * 32);
  readonly #free: number[] = [];
  #next = 0;
  readonly #values = new Map<string, unknown>();
  #sum = EMPTY_SUM;
  #dnsSum = EMPTY_SUM;

  constructor(
    /** Whether the view keeps a key's value (an applier reads it from the view). */
    readonly keeps: (key: string) => boolean,
  ) {}

  /** The view hash: what the control plane's commit line must say. */
  get hash(): string {
    return sumHex(this.#sum);
  }

  /** The state hash of the `dns/` keys alone: what the DNS store is stamped with. */
  get dnsHash(): string {
    return sumHex(this.#dnsSum);
  }

  get size(): number {
    return this.#slots.size;
  }

  has(key: string): boolean {
    return this.#slots.has(key);
  }

  /** The object hash of `key`, if the view holds it. */
  hashOf(key: string): string | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : Buffer.from(this.#hashes.buffer, this.#hashes.byteOffset + slot * 32, 32).toString("hex");
  }

  /** The value of a kept key. */
  value<T = unknown>(key: string): T | undefined {
    return this.#values.get(key) as T | undefined;
  }

  /** Every key. */
  keys(): IterableIterator<string> {
    return this.#slots.keys();
  }

  /** Every kept value whose key starts with `prefix`. */
  *valuesUnder<T = unknown>(prefix: string): Generator<[string, T]> {
    for (const [key, value] of this.#values) if (key.startsWith(prefix)) yield [key, value as T];
  }

  /** The view hash once `changes` are applied, the view untouched: a batch is checked before it counts. */
  hashAfter(changes: ViewChanges): string {
    let sum = this.#sum;
    for (const { key, hash } of changes.upserts) {
      const old = this.hashOf(key);
      if (old === hash) continue;
      if (old !== undefined) sum = subtractTerm(sum, entryTerm(key, old));
      sum = addTerm(sum, entryTerm(key, hash));
    }
    for (const key of changes.deletes) {
      const old = this.hashOf(key);
      if (old !== undefined) sum = subtractTerm(sum, entryTerm(key, old));
    }
    return sumHex(sum);
  }

  /** Applies a batch (checked first with `hashAfter`). */
  apply(changes: ViewChanges, generation: number): void {
    for (const upsert of changes.upserts) this.#set(upsert);
    for (const key of changes.deletes) this.#delete(key);
    this.generation = generation;
  }

  /** Forgets everything (a relist into an empty view, a state file that did not read). */
  clear(): void {
    this.#slots.clear();
    this.#values.clear();
    this.#free.length = 0;
    this.#next = 0;
    this.#sum = EMPTY_SUM;
    this.#dnsSum = EMPTY_SUM;
    this.generation = undefined;
  }

  #set({ key, hash, value }: ViewUpsert): void {
    let slot = this.#slots.get(key);
    if (slot !== undefined) {
      const old = this.hashOf(key)!;
      if (old !== hash) this.#count(key, old, -1);
      else {
        this.#keepValue(key, value);
        return;
      }
    } else {
      slot = this.#free.pop() ?? this.#next++;
      if ((slot + 1) * 32 > this.#hashes.length) {
        const grown = new Uint8Array(this.#hashes.length * 2);
        grown.set(this.#hashes);
        this.#hashes = grown;
      }
      this.#slots.set(key, slot);
    }
    this.#hashes.set(Buffer.from(hash, "hex"), slot * 32);
    this.#count(key, hash, 1);
    this.#keepValue(key, value);
  }

  #keepValue(key: string, value: unknown): void {
    if (value !== undefined && this.keeps(key)) this.#values.set(key, value);
    else this.#values.delete(key);
  }

  #delete(key: string): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#count(key, this.hashOf(key)!, -1);
    this.#slots.delete(key);
    this.#values.delete(key);
    this.#free.push(slot);
  }

  #count(key: string, hash: string, sign: 1 | -1): void {
    const term = entryTerm(key, hash);
    const apply = sign === 1 ? addTerm : subtractTerm;
    this.#sum = apply(this.#sum, term);
    if (key.startsWith(DNS_PREFIX)) this.#dnsSum = apply(this.#dnsSum, term);
  }
}
