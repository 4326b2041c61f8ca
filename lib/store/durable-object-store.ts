/**
 * @module
 * Snapshots in a Durable Object's storage (Workers), one object per cluster. A value is
 * limited in size (2 MB in SQLite-backed objects) and a snapshot can be tens of MB, so the JSON
 * is cut into chunks stored under keys of their generation (`snapshot:<gen>:<i>`), and the
 * `head` key naming the generation is written last: a reader sees the old generation or the
 * new one whole, even if a write dies halfway. Chunks of replaced generations are deleted
 * after the head moves. Node reports are one key each (`node:<cluster>/<agentId>`).
 */
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { type SnapshotStore, type StoredSnapshot } from "./snapshot-store.ts";
import { StoredNodeStatus } from "./node-status.ts";

/** The part of `DurableObjectStorage` this store uses (declared here so Node code typechecks without Workers types). */
export interface DurableStorage {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options: { prefix: string }): Promise<Map<string, T>>;
}

interface Head {
  cluster: string;
  generation: number;
  storedAt: string;
  chunks: number;
}

/** Characters per chunk: at most 1.5 MB of UTF-8 even if every character took three bytes. */
export const CHUNK_CHARS = 512 * 1024;
/** Keys per `put` call (the storage API's limit). */
const KEYS_PER_PUT = 128;
const HEAD = "head";

/**
 * @example const store = new DurableObjectSnapshotStore(ctx.storage);
 */
export class DurableObjectSnapshotStore implements SnapshotStore {
  readonly #storage: DurableStorage;
  /** The last record read or written: one object is the only writer of its storage. */
  #cached: StoredSnapshot | undefined;
  /** Node reports by cluster, listed from storage once and then written through. */
  readonly #statuses = new Map<string, Map<string, StoredNodeStatus>>();

  constructor(storage: DurableStorage, private readonly chunkChars = CHUNK_CHARS) {
    this.#storage = storage;
  }

  async clusters(): Promise<string[]> {
    const head = await this.#storage.get<Head>(HEAD);
    return head === undefined ? [] : [head.cluster];
  }

  async nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    let nodes = this.#statuses.get(cluster);
    if (nodes === undefined) {
      nodes = new Map();
      for (const value of (await this.#storage.list<unknown>({ prefix: nodeKeyPrefix(cluster) })).values()) {
        // Written by this store after validation; a value that no longer parses is left out.
        const parsed = StoredNodeStatus.safeParse(value);
        if (parsed.success) nodes.set(parsed.data.agentId, parsed.data);
      }
      this.#statuses.set(cluster, nodes);
    }
    return nodes;
  }

  /** One storage key per node, so a report never rewrites the others. */
  async putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    const nodes = await this.nodeStatuses(cluster);
    await this.#storage.put({ [`${nodeKeyPrefix(cluster)}${status.agentId}`]: status });
    (nodes as Map<string, StoredNodeStatus>).set(status.agentId, status);
  }

  async get(cluster: string): Promise<StoredSnapshot | undefined> {
    if (this.#cached?.cluster === cluster) return this.#cached;
    const head = await this.#storage.get<Head>(HEAD);
    if (head === undefined || head.cluster !== cluster) return undefined;
    const keys = chunkKeys(head.generation, head.chunks);
    const chunks = await this.#storage.get<string>(keys);
    const missing = keys.filter((key) => typeof chunks.get(key) !== "string");
    if (missing.length > 0) throw new Error(`the stored snapshot of '${cluster}' (generation ${head.generation}) lacks ${missing.length} of its ${keys.length} chunks (${missing[0]}, ...)`);
    const text = keys.map((key) => chunks.get(key)).join("");
    // Stored snapshots were validated on the way in; parsing again guards against a
    // storage format written by another version.
    const snapshot = ClusterSnapshot.parse(JSON.parse(text));
    this.#cached = { cluster, generation: head.generation, storedAt: head.storedAt, snapshot };
    return this.#cached;
  }

  async put(cluster: string, snapshot: ClusterSnapshot, storedAt: string): Promise<StoredSnapshot> {
    const previous = await this.#storage.get<Head>(HEAD);
    const generation = (previous?.cluster === cluster ? previous.generation : 0) + 1;
    const record: StoredSnapshot = { cluster, generation, storedAt, snapshot };
    const text = JSON.stringify(snapshot);
    const count = Math.max(1, Math.ceil(text.length / this.chunkChars));
    const keys = chunkKeys(record.generation, count);
    for (let start = 0; start < keys.length; start += KEYS_PER_PUT) {
      const batch: Record<string, unknown> = {};
      for (const [i, key] of keys.slice(start, start + KEYS_PER_PUT).entries()) {
        const index = start + i;
        batch[key] = text.slice(index * this.chunkChars, (index + 1) * this.chunkChars);
      }
      await this.#storage.put(batch);
    }
    await this.#storage.put({ [HEAD]: { cluster, generation: record.generation, storedAt, chunks: count } satisfies Head });
    this.#cached = record;
    if (previous !== undefined) await this.#storage.delete(chunkKeys(previous.generation, previous.chunks)).catch(() => 0);
    return record;
  }
}

/** Cluster names hold no `/`, so the prefix of one cluster is never another's. */
function nodeKeyPrefix(cluster: string): string {
  return `node:${cluster}/`;
}

function chunkKeys(generation: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `snapshot:${generation}:${i}`);
}
