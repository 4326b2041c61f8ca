/**
 * @module
 * Clusters in a Durable Object's storage (Workers), one object per cluster, stored by key:
 *
 * - `meta`: `{ cluster, generation, storedAt, fields }` (the cluster-level fields: name, `now`,
 *   masters, config, previous allocations);
 * - `obj/<kind>/<id>`: one task, app, agent or framework as JSON (`kind` is `tasks`, `apps`,
 *   `agents` or `frameworks`, as in the PATCH body);
 * - `alloc/<key>`: one allocation object of the derived state (canonical JSON);
 * - `part/<kind>/<id>/<i>`: the pieces of an object too large for one value, whose `obj/` key
 *   then holds `{ parts: n }`;
 * - `node:<cluster>/<agentId>`: each node's latest status report, one key per node so a
 *   report never rewrites the others.
 *
 * Limits of SQLite-backed objects (developers.cloudflare.com/durable-objects/platform/limits):
 * a key and its value together at most 2 MB, and at most 128 keys per `put` or `delete` call.
 * Values are cut at {@link VALUE_CHARS} characters (at most 1.5 MB of UTF-8 even if every
 * character took three bytes) and batches at 128 keys. One generation is written in one
 * `transaction()`, so storage holds the generation before or after it, never half of it; its
 * cost is the keys it changes. Reading back lists the keys in pages, so a restart never holds
 * the storage twice.
 */
import { MarathonApp } from "../snapshot/marathon.ts";
import { Agent, Framework, Task } from "../snapshot/schema.ts";
import { CHANGE_LISTS, type ChangeList } from "../snapshot/snapshot-change.ts";
import { KeyedSnapshot } from "./keyed-snapshot.ts";
import { applyStoredChange, checkNextGeneration, type SnapshotStore, type StoredChange, type StoredCluster } from "./snapshot-store.ts";
import { ClusterFieldsSchema } from "./stored-schemas.ts";
import { dropLegacy, legacySnapshot } from "./durable-object-legacy.ts";
import { StoredNodeStatus } from "./node-status.ts";

/** The part of `DurableObjectStorage` (and of its transactions) this store uses. */
export interface DurableStorageOps {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  list<T = unknown>(options: { prefix?: string; startAfter?: string; limit?: number }): Promise<Map<string, T>>;
}

/** `DurableObjectStorage` as this store uses it (declared here so Node code typechecks without Workers types). */
export interface DurableStorage extends DurableStorageOps {
  transaction<T>(closure: (txn: DurableStorageOps) => Promise<T>): Promise<T>;
}

/** Characters per value: at most 1.5 MB of UTF-8, under the 2 MB limit on a key and its value. */
export const VALUE_CHARS = 512 * 1024;
/** Keys per `put` or `delete` call (the storage API's limit). */
const KEYS_PER_CALL = 128;
/** Keys per `list` page when reading a cluster back. */
const LIST_PAGE = 1000;
const META = "meta";

interface Meta {
  cluster: string;
  generation: number;
  storedAt: string;
  fields: unknown;
}

const OBJECT_SCHEMAS = { tasks: Task, apps: MarathonApp, agents: Agent, frameworks: Framework } as const;

/**
 * @example const store = new DurableObjectSnapshotStore(ctx.storage);
 */
export class DurableObjectSnapshotStore implements SnapshotStore {
  readonly #storage: DurableStorage;
  readonly #valueChars: number;
  /** The cluster as last read or written: one object is the only writer of its storage. */
  #record: StoredCluster | undefined;
  /** Node reports by cluster, listed from storage once and then written through. */
  readonly #statuses = new Map<string, Map<string, StoredNodeStatus>>();

  constructor(storage: DurableStorage, valueChars = VALUE_CHARS) {
    this.#storage = storage;
    this.#valueChars = valueChars;
  }

  async clusters(): Promise<string[]> {
    if (this.#record === undefined) this.#record = await this.#load();
    return this.#record === undefined ? [] : [this.#record.cluster];
  }

  async nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    let nodes = this.#statuses.get(cluster);
    if (nodes === undefined) {
      nodes = new Map();
      for await (const [, value] of this.#list(nodeKeyPrefix(cluster))) {
        // Written by this store after validation; a value that no longer parses is left out.
        const parsed = StoredNodeStatus.safeParse(value);
        if (parsed.success) nodes.set(parsed.data.agentId, parsed.data);
      }
      this.#statuses.set(cluster, nodes);
    }
    return nodes;
  }

  async putNodeStatus(cluster: string, status: StoredNodeStatus): Promise<void> {
    const nodes = await this.nodeStatuses(cluster);
    await this.#storage.put({ [`${nodeKeyPrefix(cluster)}${status.agentId}`]: status });
    (nodes as Map<string, StoredNodeStatus>).set(status.agentId, status);
  }

  async get(cluster: string): Promise<StoredCluster | undefined> {
    if (this.#record === undefined) this.#record = await this.#load();
    return this.#record?.cluster === cluster ? this.#record : undefined;
  }

  async commit(cluster: string, write: StoredChange): Promise<StoredCluster> {
    const before = await this.get(cluster);
    checkNextGeneration(cluster, before, write);
    const puts: Record<string, unknown> = {};
    const deletes: string[] = [];
    for (const kind of CHANGE_LISTS) {
      for (const object of write.change.upsert[kind]) {
        const old = before?.snapshot.objects[kind].get(object.id);
        if (old !== undefined) deletes.push(...this.#partKeys(kind, object.id, old));
        Object.assign(puts, this.#entries(kind, object.id, object));
      }
      for (const id of write.change.delete[kind]) {
        deletes.push(objectKey(kind, id), ...this.#partKeys(kind, id, before?.snapshot.objects[kind].get(id)));
      }
    }
    for (const [key, json] of write.allocations.upserts) puts[`alloc/${key}`] = json;
    for (const key of write.allocations.deletes) deletes.push(`alloc/${key}`);
    const fields = write.fields ?? before?.snapshot.fields;
    puts[META] = { cluster, generation: write.generation, storedAt: write.storedAt, fields: write.change.now === undefined ? fields : { ...fields, now: write.change.now } } satisfies Meta;
    const stale = deletes.filter((key) => !(key in puts));
    await this.#storage.transaction(async (txn) => {
      for (const batch of chunk(stale, KEYS_PER_CALL)) await txn.delete(batch);
      for (const batch of chunk(Object.keys(puts), KEYS_PER_CALL)) await txn.put(Object.fromEntries(batch.map((key) => [key, puts[key]])));
    });
    this.#record = applyStoredChange(before, cluster, write);
    return this.#record;
  }

  /** The `obj/` (and `part/`) entries of one object. */
  #entries(kind: ChangeList, id: string, object: unknown): Record<string, unknown> {
    const json = JSON.stringify(object);
    if (json.length <= this.#valueChars) return { [objectKey(kind, id)]: json };
    const entries: Record<string, unknown> = { [objectKey(kind, id)]: { parts: Math.ceil(json.length / this.#valueChars) } };
    for (let i = 0; i * this.#valueChars < json.length; i++) entries[partKey(kind, id, i)] = json.slice(i * this.#valueChars, (i + 1) * this.#valueChars);
    return entries;
  }

  /** The `part/` keys an object stored now has (none when it fits one value). */
  #partKeys(kind: ChangeList, id: string, object: unknown): string[] {
    if (object === undefined) return [];
    const length = JSON.stringify(object).length;
    if (length <= this.#valueChars) return [];
    return Array.from({ length: Math.ceil(length / this.#valueChars) }, (_, i) => partKey(kind, id, i));
  }

  async #load(): Promise<StoredCluster | undefined> {
    const meta = await this.#storage.get<Meta>(META);
    if (meta === undefined) return this.#migrateLegacy();
    const fields = ClusterFieldsSchema.safeParse(meta.fields);
    if (!fields.success) throw new Error(`the stored cluster '${meta.cluster}' has unreadable fields (${fields.error.issues[0]?.message}); storage written by another version?`);
    const snapshot = KeyedSnapshot.from({ ...fields.data, tasks: [], marathonApps: [], agents: [], frameworks: [] });
    for await (const [key, value] of this.#list("obj/")) {
      const slash = key.indexOf("/", 4);
      const kind = key.slice(4, slash) as ChangeList;
      const id = key.slice(slash + 1);
      if (!CHANGE_LISTS.includes(kind)) throw new Error(`storage key '${key}' names no kind of object`);
      const json = typeof value === "string" ? value : await this.#joinParts(kind, id, (value as { parts: number }).parts);
      const parsed = OBJECT_SCHEMAS[kind].safeParse(JSON.parse(json));
      if (!parsed.success) throw new Error(`storage key '${key}' does not hold a valid ${kind} object (${parsed.error.issues[0]?.message})`);
      (snapshot.objects[kind] as Map<string, unknown>).set(id, parsed.data);
    }
    const allocations = new Map<string, string>();
    for await (const [key, value] of this.#list("alloc/")) allocations.set(key.slice("alloc/".length), value as string);
    return { cluster: meta.cluster, generation: meta.generation, storedAt: meta.storedAt, snapshot, allocations };
  }

  async #joinParts(kind: ChangeList, id: string, parts: number): Promise<string> {
    const keys = Array.from({ length: parts }, (_, i) => partKey(kind, id, i));
    const values = await this.#storage.get<string>(keys);
    const missing = keys.find((key) => typeof values.get(key) !== "string");
    if (missing !== undefined) throw new Error(`storage lacks '${missing}', a piece of ${kind} '${id}'`);
    return keys.map((key) => values.get(key)).join("");
  }

  async *#list(prefix: string): AsyncGenerator<[string, unknown]> {
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.#storage.list({ prefix, limit: LIST_PAGE, ...(startAfter === undefined ? {} : { startAfter }) });
      for (const entry of page) yield entry;
      if (page.size < LIST_PAGE) return;
      startAfter = [...page.keys()].at(-1);
    }
  }

  /** Storage of the earlier chunked layout: read it, write it by key as generation N, drop the chunks. */
  async #migrateLegacy(): Promise<StoredCluster | undefined> {
    const legacy = await legacySnapshot(this.#storage);
    if (legacy === undefined) return undefined;
    const { cluster, generation, storedAt, snapshot } = legacy;
    const { tasks: _t, marathonApps: _a, agents: _g, frameworks: _f, ...fields } = snapshot;
    const empty = KeyedSnapshot.from({ ...fields, tasks: [], marathonApps: [], agents: [], frameworks: [] });
    this.#record = { cluster, generation: generation - 1, storedAt, snapshot: empty, allocations: new Map() };
    await this.commit(cluster, { generation, storedAt, fields, change: empty.diff(snapshot).change, allocations: { upserts: [], deletes: [] } });
    await dropLegacy(this.#storage);
    return this.#record;
  }
}

/** Cluster names hold no `/`, so the prefix of one cluster is never another's. */
function nodeKeyPrefix(cluster: string): string {
  return `node:${cluster}/`;
}

function objectKey(kind: ChangeList, id: string): string {
  return `obj/${kind}/${id}`;
}

function partKey(kind: ChangeList, id: string, i: number): string {
  return `part/${kind}/${id}/${i}`;
}

function chunk<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
