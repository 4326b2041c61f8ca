/**
 * @module
 * A stand-in for a Durable Object's key-value storage (the calls `DurableStorage` names) over a
 * Map: values are structured-cloned like the real one, `put` and `delete` refuse more than 128
 * keys like the real one, a `transaction` applies all of its writes or none, `list` pages in key
 * order, and `failPutsOf` makes chosen writes fail.
 */
import type { DurableStorage, DurableStorageOps } from "../../lib/store/durable-object-store.ts";

const MAX_KEYS = 128;

export class FakeStorage implements DurableStorage {
  readonly data = new Map<string, unknown>();
  failPutsOf: ((keys: string[]) => boolean) | undefined;
  /** Calls of `put` and `delete` made, each with its keys. */
  readonly writes: Array<{ op: "put" | "delete"; keys: string[] }> = [];

  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(key: string | string[]): Promise<T | undefined | Map<string, T>> {
    return read(this.data, key) as T | undefined | Map<string, T>;
  }

  async put(entries: Record<string, unknown>): Promise<void> {
    write(this, this.data, "put", entries);
  }

  async delete(keys: string[]): Promise<number> {
    return write(this, this.data, "delete", keys);
  }

  async list<T>(options: { prefix?: string; startAfter?: string; limit?: number }): Promise<Map<string, T>> {
    const keys = [...this.data.keys()]
      .filter((k) => k.startsWith(options.prefix ?? "") && (options.startAfter === undefined || k > options.startAfter))
      .sort()
      .slice(0, options.limit ?? Infinity);
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }

  async transaction<T>(closure: (txn: DurableStorageOps) => Promise<T>): Promise<T> {
    const staged = new Map(this.data);
    const txn = {
      get: async (key: string | string[]) => read(staged, key),
      put: async (entries: Record<string, unknown>) => void write(this, staged, "put", entries),
      delete: async (keys: string[]) => write(this, staged, "delete", keys),
      list: () => Promise.reject(new Error("list inside a transaction is not used")),
    } as unknown as DurableStorageOps;
    const result = await closure(txn);
    this.data.clear();
    for (const [k, v] of staged) this.data.set(k, v);
    return result;
  }
}

function read(data: Map<string, unknown>, key: string | string[]): unknown {
  if (typeof key === "string") return structuredClone(data.get(key));
  return new Map(key.filter((k) => data.has(k)).map((k) => [k, structuredClone(data.get(k))]));
}

function write(storage: FakeStorage, data: Map<string, unknown>, op: "put" | "delete", entries: Record<string, unknown> | string[]): number {
  const keys = Array.isArray(entries) ? entries : Object.keys(entries);
  if (keys.length > MAX_KEYS) throw new Error(`too many keys in one ${op}`);
  if (op === "put" && storage.failPutsOf?.(keys)) throw new Error("storage unavailable");
  storage.writes.push({ op, keys });
  if (Array.isArray(entries)) return entries.filter((k) => data.delete(k)).length;
  for (const [k, v] of Object.entries(entries)) data.set(k, structuredClone(v));
  return keys.length;
}
