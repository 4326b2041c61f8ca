/**
 * @module
 * Follows the zones store the agent's DNS applier writes (`<dir>/zones.*`, a keyed store:
 * `lib/journal/store-format.ts`). At start the newest readable epoch is loaded (a truncated
 * snapshot falls back to the epoch before it, a batch a crash cut short is left out, both
 * logged naming the file), so a restarted server answers the last good zones at once. Then the
 * journal is tailed: each committed batch is applied to the index in place, between two
 * queries, and only the compiled answers it touched are dropped. When the writer compacts
 * into a new epoch, the old journal is read to its end first and the new one taken up at the
 * same generation, so nothing is reloaded; only a store written afresh (a relist) is loaded
 * whole, off to the side, and swapped in.
 */
import { watch, type FSWatcher } from "node:fs";
import { open, readFile, type FileHandle } from "node:fs/promises";
import { DNS_ZONES_STORE } from "../desired/dns-zones-file.ts";
import { fileLines } from "../journal/line-reader.ts";
import { CurrentFile, currentFile, parseLine, storeFiles, type StoreBatch, type StoreEntry, type StoreVersion } from "../journal/store-format.ts";
import { JournalFollower, readStore, type StoreSink } from "../journal/store-reader.ts";
import { KeyedZones } from "./keyed-zones.ts";
import { effectiveForwarding, ServingState, type ForwardingOverrides } from "./serving-state.ts";

export interface ZoneStoreOptions {
  dir: string;
  overrides: ForwardingOverrides;
  /** A new serving state to swap in (loaded whole, or new forwarding settings), after the first load. */
  onState: (state: ServingState, problems: readonly string[]) => void;
  /** A batch applied in place to the state being served. */
  onBatch: (state: ServingState, batch: { generation: number; keys: number; dropped: number }) => void;
  /** Damage found or a value refused; the zones being served stay. */
  onProblem: (problem: string) => void;
  /** Fallback check period, ms. Default 1000. */
  checkIntervalMs?: number;
  now?: () => number;
}

/** The version a server reports before any store was written. */
export const NO_ZONES_VERSION = "none";

/** Applies what a store hands over to keyed zones, collecting refusals. */
class ZonesSink implements StoreSink {
  readonly problems: string[] = [];
  constructor(readonly zones: KeyedZones) {}

  entry(entry: StoreEntry): void {
    this.#set(entry.key, entry);
  }

  batch(batch: StoreBatch): void {
    for (const entry of batch.upserts) this.#set(entry.key, entry);
    for (const key of batch.deletes) this.zones.set(key, undefined);
  }

  #set(key: string, entry: StoreEntry): void {
    if (entry.value === undefined) {
      this.problems.push(`${key}: the zones store holds its hash but no value; ignored`);
      return;
    }
    const problem = this.zones.set(key, entry.value);
    if (problem !== undefined) this.problems.push(problem);
  }
}

/**
 * @example
 * const store = await ZoneStore.open({ dir: "/var/lib/wayfinder/dns", overrides, onState, onBatch, onProblem });
 * server.serve(store.state);
 */
export class ZoneStore {
  #state: ServingState;
  #zones: KeyedZones;
  #epoch = -1;
  #version: StoreVersion | undefined;
  #journal: FileHandle | undefined;
  #offset = 0;
  /** The epoch `.current` named when a whole load had to fall back to an older one. */
  #abandoned: number | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** The check that runs after the running one, for the calls made meanwhile. */
  #queued: Promise<void> | undefined;
  #closed = false;

  private constructor(
    private readonly options: ZoneStoreOptions,
    zones: KeyedZones,
    state: ServingState,
  ) {
    this.#zones = zones;
    this.#state = state;
  }

  /** Loads the store (or starts empty when there is none yet) and follows it. */
  static async open(options: ZoneStoreOptions): Promise<{ store: ZoneStore; problems: string[] }> {
    const empty = new KeyedZones();
    const store = new ZoneStore(options, empty, servingStateOf(empty, NO_ZONES_VERSION, options));
    const { problems } = await store.#loadWhole();
    store.#follow();
    return { store, problems };
  }

  get state(): ServingState {
    return this.#state;
  }

  /** The generation being served, if any. */
  get version(): StoreVersion | undefined {
    return this.#version;
  }

  /**
   * Reads what changed now (what the watch and the timer call); checks never overlap. Called
   * while one runs, it resolves after a check that started after the call, so whatever was
   * written before it is seen (the watch may have started the running one mid-write).
   */
  check(): Promise<void> {
    if (this.#running !== undefined) {
      this.#queued ??= this.#running.then(() => {
        this.#queued = undefined;
        return this.#closed ? undefined : this.check();
      });
      return this.#queued;
    }
    this.#running = this.#checkOnce()
      .catch((error: Error) => this.options.onProblem(`${this.options.dir}: ${error.message}; still serving generation ${this.#version?.generation ?? "none"}`))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#watcher?.close();
    await this.#running;
    await this.#journal?.close();
    this.#journal = undefined;
  }

  async #checkOnce(): Promise<void> {
    if (this.#journal !== undefined) await this.#readJournal();
    const epoch = await this.#currentEpoch();
    if (epoch === undefined || epoch === this.#epoch || epoch === this.#abandoned) return;
    // Compactions since the last check: go through each epoch's journal (the writer keeps the
    // one before the current) rather than loading the whole store again.
    if (this.#version !== undefined && epoch > this.#epoch) {
      let at = this.#epoch;
      while (at < epoch && (await this.#takeUp(at + 1))) at++;
      if (at === epoch) return;
    }
    const loaded = await this.#loadWhole();
    if (loaded.swapped) this.options.onState(this.#state, loaded.problems);
    else for (const problem of loaded.problems) this.options.onProblem(problem);
  }

  /** Applies the committed batches appended since the last read. */
  async #readJournal(): Promise<void> {
    const follower = new JournalFollower(storeFiles(this.options.dir, DNS_ZONES_STORE, this.#epoch).journal, this.#version!, false);
    const sink = new ZonesSink(this.#zones);
    let keys = 0;
    const apply: StoreSink = {
      entry: () => {},
      batch: (batch) => {
        // One batch, applied whole before anything else runs: no query sees half of it.
        sink.batch(batch);
        keys += batch.upserts.length + batch.deletes.length;
        this.#version = { generation: batch.generation, hash: batch.hash };
        this.#afterBatch(batch.generation, keys);
        keys = 0;
      },
    };
    const lines = fileLines(this.#journal!, this.#offset);
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      try {
        follower.take(next.value.text, next.value.end, apply);
      } catch (error) {
        this.options.onProblem(`${(error as Error).message}; waiting for the writer to repair it`);
        break;
      }
    }
    if (follower.end > 0) this.#offset = follower.end;
    for (const problem of sink.problems) this.options.onProblem(problem);
  }

  #afterBatch(generation: number, keys: number): void {
    if (this.#zones.takeSettingsChanged()) {
      this.#state = servingStateOf(this.#zones, this.#version!.hash, this.options);
      this.#zones.index.takeTouched();
      this.options.onState(this.#state, this.#zones.index.takeProblems());
      return;
    }
    this.#state.version = this.#version!.hash;
    this.#state.loadedAt = (this.options.now ?? Date.now)();
    const dropped = this.#state.invalidate(this.#zones.index.takeTouched());
    for (const problem of this.#zones.index.takeProblems()) this.options.onProblem(problem);
    this.options.onBatch(this.#state, { generation, keys, dropped });
  }

  /**
   * Goes on in a new epoch of the same lineage (a compaction): its journal extends a generation
   * this server has passed, and repeats the batches since. False when it does not line up.
   */
  async #takeUp(epoch: number): Promise<boolean> {
    const path = storeFiles(this.options.dir, DNS_ZONES_STORE, epoch).journal;
    let handle: FileHandle;
    try {
      handle = await open(path, "r");
    } catch {
      return false;
    }
    const ours = this.#version!;
    let lined = false;
    let end = 0;
    try {
      const lines = fileLines(handle, 0);
      const first = await lines.next();
      if (first.done) throw new Error("empty journal");
      const header = JSON.parse(first.value.text) as Partial<StoreVersion>;
      end = first.value.end;
      lined = header.generation === ours.generation && header.hash === ours.hash;
      const probe = new JournalFollower(path, { generation: header.generation ?? 0, hash: header.hash ?? "" }, false);
      for (let next = await lines.next(); !next.done && !lined; next = await lines.next()) {
        probe.take(next.value.text, next.value.end, { entry: () => {}, batch: () => {} });
        if (probe.version.generation > ours.generation) break;
        if (probe.end === next.value.end) {
          end = probe.end;
          lined = probe.version.generation === ours.generation && probe.version.hash === ours.hash;
        }
      }
    } catch {
      lined = false;
    }
    if (!lined) {
      await handle.close();
      return false;
    }
    await this.#journal?.close();
    this.#journal = handle;
    this.#epoch = epoch;
    this.#offset = end;
    await this.#readJournal();
    return true;
  }

  /** Loads the newest readable epoch whole, off to the side, and swaps it in (`swapped`). */
  async #loadWhole(): Promise<{ swapped: boolean; problems: string[] }> {
    const pointerEpoch = await this.#currentEpoch();
    let read;
    try {
      read = await readStore(this.options.dir, DNS_ZONES_STORE, () => new ZonesSink(new KeyedZones()));
    } catch (error) {
      this.#abandoned = pointerEpoch;
      const serving = this.#version === undefined ? "the built-in zones only" : `generation ${this.#version.generation}`;
      return { swapped: false, problems: [`${(error as Error).message}; serving ${serving} until the agent writes the store again`] };
    }
    if (read === undefined) return { swapped: false, problems: [] };
    const { sink } = read;
    this.#abandoned = pointerEpoch !== undefined && read.epoch < pointerEpoch ? pointerEpoch : undefined;
    this.#zones = sink.zones;
    this.#zones.takeSettingsChanged();
    this.#version = read.version;
    this.#state = servingStateOf(this.#zones, read.version.hash, this.options);
    this.#zones.index.takeTouched();
    await this.#journal?.close();
    this.#journal = await open(storeFiles(this.options.dir, DNS_ZONES_STORE, read.epoch).journal, "r").catch(() => undefined);
    this.#epoch = read.epoch;
    this.#offset = read.journalEnd;
    return { swapped: true, problems: [...read.problems, ...sink.problems, ...this.#zones.index.takeProblems()] };
  }

  async #currentEpoch(): Promise<number | undefined> {
    const pointer = currentFile(this.options.dir, DNS_ZONES_STORE);
    try {
      return parseLine(CurrentFile, await readFile(pointer, "utf8"), pointer, 1).epoch;
    } catch {
      return undefined;
    }
  }

  #follow(): void {
    this.#watch();
    this.#timer = setInterval(() => {
      // The directory may appear after the server started (the agent creates it with its first
      // write): until a watch holds, each periodic check tries again, so batches are not left
      // to wait for the timer for good.
      if (this.#watcher === undefined) this.#watch();
      void this.check();
    }, this.options.checkIntervalMs ?? 1000);
    this.#timer.unref();
  }

  #watch(): void {
    try {
      const watcher = watch(this.options.dir, { persistent: false }, (_event, file) => {
        if (file === null || file.startsWith(`${DNS_ZONES_STORE}.`)) void this.check();
      });
      watcher.on("error", () => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
      });
      this.#watcher = watcher;
    } catch {
      // No watch support (or no directory yet): the periodic check still runs.
      this.#watcher = undefined;
    }
  }
}

/** A serving state around keyed zones' index and settings. */
function servingStateOf(zones: KeyedZones, version: string, options: ZoneStoreOptions): ServingState {
  const forwarding = effectiveForwarding(zones.forwarding(), options.overrides);
  return new ServingState(version, zones.index, forwarding, (options.now ?? Date.now)(), zones.aliases);
}
