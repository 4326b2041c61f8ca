/**
 * @module
 * Where the agent keeps its view across restarts: a keyed store (`lib/journal/`) in
 * `<stateDir>/agent/`, one per node, whose journal takes each applied batch (the keys it
 * changed, their hashes, and the values the view keeps) in one write, so persisting costs what
 * the batch changed. A restart loads it and resumes the watch with `since` = its generation. A
 * damaged store (a truncated file) is named in the log and the agent starts empty: it relists.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readStore, type StoreSink } from "../../journal/store-reader.ts";
import { canonicalJson } from "../../net/canonical-json.ts";
import type { StoreBatch, StoreEntry } from "../../journal/store-format.ts";
import { KeyedStoreWriter, type WriteEntry } from "../../journal/store-writer.ts";
import { NodeView } from "./node-view.ts";

/** The keys one persisted batch changed: each with its hash, and its JSON where the view keeps the value. */
export interface PersistedChanges {
  generation: number;
  hash: string;
  upserts: ReadonlyMap<string, { hash: string; json: string }>;
  deletes: ReadonlySet<string>;
}

/** Fills a view from a store as it is read. */
class ViewSink implements StoreSink {
  constructor(readonly view: NodeView) {}

  entry(entry: StoreEntry): void {
    this.view.apply({ upserts: [entry], deletes: [] }, this.view.generation ?? 0);
  }

  batch(batch: StoreBatch): void {
    this.view.apply({ upserts: batch.upserts, deletes: batch.deletes }, batch.generation);
  }
}

/**
 * @example
 * const { store, view, problems } = await ViewStore.open("/var/lib/wayfinder", "S1", keeps);
 * await store.append(changes);
 */
export class ViewStore {
  /** The store does not hold the view's lineage (none yet, or damaged): the next write is the whole view. */
  #whole: boolean;

  private constructor(
    readonly path: string,
    readonly writer: KeyedStoreWriter,
    whole: boolean,
  ) {
    this.#whole = whole;
  }

  /**
   * Opens the node's store and loads its view (empty, with `generation` undefined, when there is
   * none or it is damaged: `problems` says which file and why).
   */
  static async open(stateDir: string, node: string, keeps: (key: string) => boolean): Promise<{ store: ViewStore; view: NodeView; problems: string[] }> {
    const dir = join(stateDir, "agent");
    await mkdir(dir, { recursive: true });
    const prefix = `view-${encodeURIComponent(node)}`;
    const problems: string[] = [];
    let view = new NodeView(keeps);
    try {
      const read = await readStore(dir, prefix, () => new ViewSink(new NodeView(keeps)));
      if (read !== undefined) {
        problems.push(...read.problems);
        view = read.sink.view;
        view.generation = read.version.generation;
        if (view.hash !== read.version.hash) {
          problems.push(`${join(dir, prefix)}: the view read back hashes to ${view.hash.slice(0, 12)}, not the ${read.version.hash.slice(0, 12)} it was saved with; starting empty`);
          view = new NodeView(keeps);
        }
      }
    } catch (error) {
      problems.push(`${(error as Error).message}; starting with an empty view (the agent relists)`);
      view = new NodeView(keeps);
    }
    const opened = await KeyedStoreWriter.open(dir, prefix);
    // The writer finds what the reader found (and cuts it off): report it once.
    problems.push(...opened.problems.filter((problem) => !problems.includes(problem)));
    const store = new ViewStore(join(dir, prefix), opened.writer, view.generation === undefined || opened.writer.version === undefined);
    return { store, view, problems };
  }

  /** Persists a batch applied to `view` (the whole view when the store holds nothing yet). */
  async append(changes: PersistedChanges, view: NodeView): Promise<number> {
    const version = { generation: changes.generation, hash: changes.hash };
    if (this.#whole) {
      await this.writer.replace(entriesOf(view), version);
      this.#whole = false;
      return 0;
    }
    const upserts: WriteEntry[] = [];
    for (const [key, { hash, json }] of changes.upserts) upserts.push({ key, hash, ...(view.keeps(key) ? { valueJson: json } : {}) });
    return this.writer.append({ version, upserts, deletes: [...changes.deletes] });
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

function* entriesOf(view: NodeView): Generator<WriteEntry> {
  for (const key of view.keys()) {
    const value = view.value(key);
    yield { key, hash: view.hashOf(key)!, ...(value === undefined ? {} : { valueJson: canonicalJson(value) }) };
  }
}
