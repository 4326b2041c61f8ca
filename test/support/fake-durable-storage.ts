/**
 * @module
 * A stand-in for a Durable Object's key-value storage (the calls `DurableStorage` names) over a
 * Map: values are structured-cloned like the real one, `put` refuses more than 128 keys like the
 * real one, and `failPutsOf` makes chosen writes fail.
 */
import type { DurableStorage } from "../../lib/store/durable-object-store.ts";

export class FakeStorage implements DurableStorage {
  readonly data = new Map<string, unknown>();
  failPutsOf: ((keys: string[]) => boolean) | undefined;
  get<T>(key: string): Promise<T | undefined>;
  get<T>(keys: string[]): Promise<Map<string, T>>;
  async get<T>(key: string | string[]): Promise<T | undefined | Map<string, T>> {
    if (typeof key === "string") return structuredClone(this.data.get(key)) as T | undefined;
    return new Map(key.filter((k) => this.data.has(k)).map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }
  async put(entries: Record<string, unknown>): Promise<void> {
    if (Object.keys(entries).length > 128) throw new Error("too many keys in one put");
    if (this.failPutsOf?.(Object.keys(entries))) throw new Error("storage unavailable");
    for (const [k, v] of Object.entries(entries)) this.data.set(k, structuredClone(v));
  }
  async list<T>(options: { prefix: string }): Promise<Map<string, T>> {
    const keys = [...this.data.keys()].filter((k) => k.startsWith(options.prefix)).sort();
    return new Map(keys.map((k) => [k, structuredClone(this.data.get(k)) as T]));
  }
  async delete(keys: string[]): Promise<number> {
    return keys.filter((k) => this.data.delete(k)).length;
  }
}

