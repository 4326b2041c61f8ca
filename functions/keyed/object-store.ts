/**
 * @module
 * The keyed desired state held in one compact copy: per key the value's canonical JSON and its
 * hash, and the state hash kept as sums (docs/delta-path.md §2): one for the cluster-scoped
 * objects, one per node for its `node/<id>/` objects, one for everything. Setting a key updates
 * the sums in O(1) and records the key as changed, so a batch of work ends with exactly the
 * keys whose values differ from before it (a key set and set back is no change).
 */
import { keyScope } from "../../lib/desired/object-keys.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { addTerm, EMPTY_SUM, entryTerm, objectHash, subtractTerm, sumHex } from "../../lib/net/multiset-hash.ts";

/** One key's value as stored: its canonical JSON and that JSON's sha256 (hex). */
export interface StoredObject {
  readonly json: string;
  readonly hash: string;
}

/** The keys a batch of work changed: upserted with their new values, or deleted. */
export interface ObjectChanges {
  upserts: Array<{ key: string; json: string; hash: string }>;
  deletes: string[];
  /** What each changed key held before the batch (absent: it did not exist). */
  before: ReadonlyMap<string, StoredObject | undefined>;
}

export interface KeyedObjectsOptions {
  /**
   * Also keep each value as the object it was set with, so a one-shot reconcile assembles its
   * DesiredState without parsing every value back (a long-lived store keeps only the JSON).
   */
  keepValues?: boolean;
}

/**
 * @example
 * const objects = new KeyedObjects();
 * objects.set("dns/aliases", []);
 * objects.takeChanges() // { upserts: [{ key: "dns/aliases", json: "[]", hash: "4f53cda1..." }], deletes: [] }
 */
export class KeyedObjects {
  readonly #objects = new Map<string, StoredObject>();
  readonly #values: Map<string, unknown> | undefined;
  #all = EMPTY_SUM;
  #cluster = EMPTY_SUM;
  readonly #nodes = new Map<string, bigint>();
  /** Each key changed since the last `takeChanges`, with what it held before. */
  #before = new Map<string, StoredObject | undefined>();

  constructor(options: KeyedObjectsOptions = {}) {
    this.#values = options.keepValues ? new Map() : undefined;
  }

  /** Sets `key` to `value`; `undefined` deletes it. */
  set(key: string, value: unknown): void {
    if (value === undefined) {
      this.delete(key);
      return;
    }
    const json = canonicalJson(value);
    const old = this.#objects.get(key);
    if (old?.json === json) {
      this.#values?.set(key, value);
      return;
    }
    const stored = { json, hash: objectHash(json) };
    this.#remember(key, old);
    if (old !== undefined) this.#count(key, old, -1);
    this.#objects.set(key, stored);
    this.#values?.set(key, value);
    this.#count(key, stored, 1);
  }

  /** Removes `key` (nothing when it is absent). */
  delete(key: string): void {
    const old = this.#objects.get(key);
    if (old === undefined) return;
    this.#remember(key, old);
    this.#count(key, old, -1);
    this.#objects.delete(key);
    this.#values?.delete(key);
  }

  get(key: string): StoredObject | undefined {
    return this.#objects.get(key);
  }

  has(key: string): boolean {
    return this.#objects.has(key);
  }

  /** The value of `key`, parsed back from its JSON unless values are kept. */
  value<T = unknown>(key: string): T | undefined {
    if (this.#values !== undefined) return this.#values.get(key) as T | undefined;
    const stored = this.#objects.get(key);
    return stored === undefined ? undefined : (JSON.parse(stored.json) as T);
  }

  /** Every key with its stored object, in no particular order. */
  entries(): IterableIterator<[string, StoredObject]> {
    return this.#objects.entries();
  }

  get size(): number {
    return this.#objects.size;
  }

  /** The state hash of every object (the whole DesiredState's hash). */
  hash(): string {
    return sumHex(this.#all);
  }

  /** The state hash of a node's view: the cluster-scoped objects and the node's own. */
  nodeHash(node: string): string {
    return sumHex(addTerm(this.#cluster, this.#nodes.get(node) ?? EMPTY_SUM));
  }

  /** The keys changed since the last call (values that ended where they started are left out). */
  takeChanges(): ObjectChanges {
    const upserts: ObjectChanges["upserts"] = [];
    const deletes: string[] = [];
    const changed = new Map<string, StoredObject | undefined>();
    for (const [key, before] of this.#before) {
      const now = this.#objects.get(key);
      if (now === undefined) {
        if (before === undefined) continue;
        deletes.push(key);
      } else if (before?.json !== now.json) {
        upserts.push({ key, json: now.json, hash: now.hash });
      } else continue;
      changed.set(key, before);
    }
    this.#before = new Map();
    return { upserts, deletes, before: changed };
  }

  #remember(key: string, old: StoredObject | undefined): void {
    if (!this.#before.has(key)) this.#before.set(key, old);
  }

  #count(key: string, stored: StoredObject, sign: 1 | -1): void {
    const term = entryTerm(key, stored.hash);
    const apply = sign === 1 ? addTerm : subtractTerm;
    this.#all = apply(this.#all, term);
    const scope = keyScope(key);
    if (scope.scope === "cluster") this.#cluster = apply(this.#cluster, term);
    else if (scope.scope === "node") this.#nodes.set(scope.node, apply(this.#nodes.get(scope.node) ?? EMPTY_SUM, term));
  }
}
