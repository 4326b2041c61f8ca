/**
 * @module
 * The watchers of one cluster: opens a node's stream (a relist, or the generations since the
 * one it applied, or 410 when the change log no longer holds them), pushes each committed
 * generation to every watcher, and sends bookmarks while nothing changes. A generation costs
 * each watcher what changed: its cluster-scope lines are the same bytes for everyone, its own
 * lines are looked up by node, and its commit hash is the node's running sum.
 */
import { bookmarkLine, commitLine, resetLine, upsertLine } from "../../desired/watch-lines.ts";
import type { Derivation, StoredObject } from "../derivation.ts";
import type { ChangeLog } from "./change-log.ts";
import type { GenerationLines } from "./generation-lines.ts";
import { Watcher, type WatchFrame } from "./watcher.ts";

export interface WatchHubOptions {
  /** How often a bookmark goes to every watcher. Default 20 s: under the 60 s idle timeout of common proxies. */
  bookmarkMs?: number;
  /** Bytes a watcher may fall behind before it is cut. Default 16 MiB. */
  maxQueuedBytes?: number;
}

/** What a watch is opened against: the cluster's current generation, its log and its derivation. */
export interface WatchSource {
  generation: number;
  log: ChangeLog;
  derivation: Derivation;
}

/** A watch that cannot start from `since`: the client must relist. */
export interface Gone {
  since: number;
  generation: number;
  floor: number;
}

/** Characters of relist lines per frame: small enough to stream, large enough to compress well. */
const RELIST_FRAME_CHARS = 64 * 1024;
const encoder = new TextEncoder();

interface NodeWatcher {
  node: string;
  watcher: Watcher;
}

/**
 * @example
 * const hub = new WatchHub();
 * const opened = hub.open("S1", undefined, false, state); // a relist, then every generation
 * hub.publish(lines, state.derivation);
 */
export class WatchHub {
  readonly #watchers = new Set<NodeWatcher>();
  readonly #bookmarkMs: number;
  readonly #maxQueued: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #source: WatchSource | undefined;

  constructor(options: WatchHubOptions = {}) {
    this.#bookmarkMs = options.bookmarkMs ?? 20_000;
    this.#maxQueued = options.maxQueuedBytes ?? 16 * 1024 * 1024;
  }

  /** Watchers open now. */
  get size(): number {
    return this.#watchers.size;
  }

  /**
   * Opens a node's stream: without `since` a relist; with it, the generations after it (one
   * batch committed at the current generation) or a bookmark when it is current; `Gone` when
   * `since` is older than the log's floor or newer than the current generation.
   */
  open(node: string, since: number | undefined, gzip: boolean, source: WatchSource): Watcher | Gone {
    const { generation, log, derivation } = source;
    if (since !== undefined && (since > generation || !log.covers(since))) return { since, generation, floor: log.floor };
    this.#source = source;
    const hash = derivation.nodeHash(node);
    const entry: NodeWatcher = { node, watcher: undefined as unknown as Watcher };
    const relist =
      since === undefined
        ? relistFrames(generation, hash, derivation.nodeObjects(node))
        : since === generation
          ? [{ chunks: [encoder.encode(bookmarkLine(generation, hash))], flush: true }].values()
          : [{ chunks: [...log.linesSince(since, node), encoder.encode(commitLine(generation, hash))], flush: true }].values();
    entry.watcher = new Watcher({ node, gzip, maxQueuedBytes: this.#maxQueued, relist, onClose: () => this.#remove(entry) });
    this.#watchers.add(entry);
    this.#timer ??= startTimer(() => this.#bookmark(), this.#bookmarkMs);
    return entry.watcher;
  }

  /** Sends a committed generation to every watcher. */
  publish(lines: GenerationLines, source: WatchSource): void {
    this.#source = source;
    const hashes = new Map<string, string>();
    for (const { node, watcher } of this.#watchers) {
      let hash = hashes.get(node);
      if (hash === undefined) hashes.set(node, (hash = source.derivation.nodeHash(node)));
      const own = lines.nodes.get(node);
      const chunks = own === undefined ? [lines.cluster] : [lines.cluster, own];
      chunks.push(encoder.encode(commitLine(lines.generation, hash)));
      watcher.send({ chunks, flush: true });
    }
  }

  /** Cuts every stream (the cluster's state is being dropped): clients resume or relist. */
  cutAll(reason: string): void {
    for (const { watcher } of [...this.#watchers]) watcher.cut(reason);
  }

  /** Ends every stream cleanly (shutdown). */
  endAll(): void {
    for (const { watcher } of [...this.#watchers]) watcher.end();
  }

  #bookmark(): void {
    const source = this.#source;
    if (source === undefined) return;
    const lines = new Map<string, Uint8Array>();
    for (const { node, watcher } of this.#watchers) {
      if (watcher.relisting) continue;
      let line = lines.get(node);
      if (line === undefined) lines.set(node, (line = encoder.encode(bookmarkLine(source.generation, source.derivation.nodeHash(node)))));
      watcher.send({ chunks: [line], flush: true });
    }
  }

  #remove(entry: NodeWatcher): void {
    this.#watchers.delete(entry);
    if (this.#watchers.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** A relist: `reset`, every object of the view, `commit`, cut into frames as the client reads. */
function* relistFrames(generation: number, hash: string, objects: ReadonlyArray<readonly [string, StoredObject]>): Generator<WatchFrame> {
  let text = resetLine(generation);
  for (const [key, object] of objects) {
    text += upsertLine(generation, key, object.json);
    if (text.length >= RELIST_FRAME_CHARS) {
      yield { chunks: [encoder.encode(text)], flush: false };
      text = "";
    }
  }
  yield { chunks: [encoder.encode(text + commitLine(generation, hash))], flush: true };
}

function startTimer(tick: () => void, ms: number): ReturnType<typeof setInterval> {
  const timer = setInterval(tick, ms);
  // Node: a bookmark timer alone must not keep the process alive (Workers have no unref).
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
