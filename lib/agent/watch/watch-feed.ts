/**
 * @module
 * Follows a node's watch stream (`GET <node view URL>?watch=true&since=G`, docs/delta-path.md
 * §6): NDJSON read as it arrives (gzip when the server offers it), each batch checked against
 * the view's multiset hash before it counts (O(changed keys)) and applied to the view, then
 * handed over. It resumes from the last generation applied after a cut, relists (reconnects
 * without `since`) on a `410`, a hash mismatch, a broken line or when an applier asks for every
 * value again, and reconnects with jittered backoff otherwise. A stream silent for longer than
 * the idle timeout (bookmarks come every 20 s) is treated as cut. A server that answers with
 * something else than NDJSON does not watch: `follow` returns "unsupported" and the agent
 * falls back to the whole-view long poll.
 */
import { NDJSON } from "../../desired/watch-lines.ts";
import { Backoff, sleep } from "../../sources/backoff.ts";
import { describeNetworkError, SourceError } from "../../sources/http-json.ts";
import type { NodeView } from "../view/node-view.ts";
import { BatchBuilder, WatchProtocolError, type CompleteRequest, type ReceivedBatch } from "./batch-builder.ts";
import { LineSplitter } from "./line-splitter.ts";

export interface WatchFeedOptions {
  /** The node view URL (`nodeViewUrl`). */
  url: string;
  token?: string;
  backoff?: Backoff;
  /** No byte for this long (not even a bookmark) means the stream is dead. Default 60 000 ms. */
  idleTimeoutMs?: number;
}

/** Where the feed's batches and news go. */
export interface WatchHandler {
  /** A batch verified against the view and applied to it. */
  batch(batch: ReceivedBatch, receivedAt: number): void;
  /** A stream broke, a batch was refused, or the server could not be read; the view keeps what it has. */
  error(error: Error, kind: "fetch" | "invalid"): void;
  /** Connected, relisting, bytes read: for logs and metrics. */
  note(what: "connected" | "relist" | "bytes" | "bookmark", fields: Record<string, unknown>): void;
}

/** Why the next connection relists. */
type RelistReason = "start" | "gone" | "mismatch" | "protocol" | "values";

/**
 * @example
 * const feed = new WatchFeed({ url: nodeViewUrl(source, "S1"), token });
 * if ((await feed.follow(view, handler, signal)) === "unsupported") fallBackToLongPoll();
 */
export class WatchFeed {
  readonly description: string;
  readonly #opts: WatchFeedOptions;
  readonly #backoff: Backoff;
  #relist: RelistReason | undefined;
  #complete: CompleteRequest | undefined;
  #connection: AbortController | undefined;

  constructor(options: WatchFeedOptions) {
    this.#opts = options;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
    this.description = `${options.url} (watch)`;
  }

  /**
   * Asks for a relist listing every value of the keys `takes` selects (an applier lost them):
   * the stream in progress is dropped and the next one starts without `since`.
   */
  relist(applier: string, takes: (key: string) => boolean): void {
    const appliers = [...new Set([...(this.#complete?.appliers ?? []), applier])];
    const previous = this.#complete?.takes;
    this.#complete = { appliers, takes: previous === undefined ? takes : (key) => previous(key) || takes(key) };
    this.#relist = "values";
    this.#connection?.abort();
  }

  /** Follows the stream into `view` until `signal` aborts; "unsupported" when the server does not watch. */
  async follow(view: NodeView, handler: WatchHandler, signal: AbortSignal): Promise<"stopped" | "unsupported"> {
    if (view.generation === undefined) this.#relist = "start";
    while (!signal.aborted) {
      const connection = new AbortController();
      this.#connection = connection;
      const stop = () => connection.abort();
      signal.addEventListener("abort", stop, { once: true });
      try {
        const outcome = await this.#stream(view, handler, connection);
        if (outcome === "unsupported") return "unsupported";
        if (outcome === "again") continue;
        // The server ended the stream (a restart, a cut slow watcher): resume after a pause.
        await sleep(this.#backoff.next(), signal);
      } catch (error) {
        if (signal.aborted) break;
        if (connection.signal.aborted && this.#relist === "values") continue;
        if (error instanceof WatchProtocolError) {
          this.#relist = "protocol";
          handler.error(error, "invalid");
        } else handler.error(error instanceof SourceError ? error : new SourceError(this.#opts.url, describeNetworkError(error)), "fetch");
        await sleep(this.#backoff.next(), signal);
      } finally {
        signal.removeEventListener("abort", stop);
        this.#connection = undefined;
      }
    }
    return "stopped";
  }

  /** One connection: "again" to reconnect at once (a relist is due), "ended" when the server closed it. */
  async #stream(view: NodeView, handler: WatchHandler, connection: AbortController): Promise<"again" | "ended" | "unsupported"> {
    const url = new URL(this.#opts.url);
    url.searchParams.set("watch", "true");
    const relist = this.#relist;
    if (relist === undefined && view.generation !== undefined) url.searchParams.set("since", String(view.generation));
    const response = await fetch(url, {
      headers: { Accept: NDJSON, ...(this.#opts.token === undefined ? {} : { Authorization: `Bearer ${this.#opts.token}` }) },
      signal: connection.signal,
    });
    if (response.status === 410) {
      await response.body?.cancel();
      this.#relist = "gone";
      return "again";
    }
    const type = response.headers.get("content-type") ?? "";
    if (response.ok && !type.startsWith(NDJSON)) {
      await response.body?.cancel();
      return "unsupported";
    }
    if (!response.ok || response.body === null) {
      const text = await response.text().catch(() => "");
      throw new SourceError(url.toString(), `HTTP ${response.status}${text === "" ? "" : `: ${text.slice(0, 200)}`}`, response.status);
    }
    const complete = relist === undefined ? undefined : this.#complete;
    if (relist !== undefined) handler.note("relist", { reason: relist, ...(view.generation === undefined ? {} : { from: view.generation }), ...(complete === undefined ? {} : { appliers: complete.appliers }) });
    handler.note("connected", { url: url.toString(), since: url.searchParams.get("since") });
    const builder = new BatchBuilder(view, complete);
    const lines = new LineSplitter();
    const decoder = new TextDecoder();
    const idle = idleWatch(connection, this.#opts.idleTimeoutMs ?? 60_000);
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        idle.touch();
        handler.note("bytes", { bytes: chunk.byteLength });
        if (this.#takeText(decoder.decode(chunk, { stream: true }), lines, builder, view, handler) === "again") return "again";
      }
    } finally {
      idle.stop();
    }
    return "ended";
  }

  /**
   * Takes one chunk's text: each batch it completes is verified, applied to `view` and handed
   * over. Kept out of the async `#stream`: its suspended frame keeps its locals, so the last
   * batch (after a relist, every value of the node: 228 MiB at 100k tasks) stayed resident
   * until the next batch, on a quiet node for good.
   */
  #takeText(text: string, lines: LineSplitter, builder: BatchBuilder, view: NodeView, handler: WatchHandler): "again" | undefined {
    for (const line of lines.push(text)) {
      const event = builder.take(line);
      if (event === undefined) continue;
      if (event.type === "bookmark") {
        if (event.generation === view.generation && event.hash !== view.hash) return this.#mismatch(handler, event.generation, event.hash, view.hash);
        handler.note("bookmark", { generation: event.generation });
        continue;
      }
      const batch = event.batch;
      const changes = { upserts: [...batch.upserts].map(([key, u]) => ({ key, hash: u.hash, value: u.value })), deletes: [...batch.deletes] };
      const after = view.hashAfter(changes);
      if (after !== batch.hash) return this.#mismatch(handler, batch.generation, batch.hash, after);
      view.apply(changes, batch.generation);
      this.#backoff.reset();
      if (batch.reset) {
        this.#relist = undefined;
        if (batch.completeFor.length > 0) this.#complete = undefined;
      }
      handler.batch(batch, Date.now());
    }
    return undefined;
  }

  #mismatch(handler: WatchHandler, generation: number, theirs: string, ours: string): "again" {
    this.#relist = "mismatch";
    handler.error(new Error(`the view at generation ${generation} would hash to ${ours.slice(0, 16)}, the control plane's is ${theirs.slice(0, 16)}: relisting`), "invalid");
    return "again";
  }
}

/** Aborts `connection` when `touch` is not called for `ms`. */
function idleWatch(connection: AbortController, ms: number): { touch(): void; stop(): void } {
  let timer = setTimeout(() => connection.abort(new Error(`no data for ${ms} ms`)), ms);
  return {
    touch() {
      clearTimeout(timer);
      timer = setTimeout(() => connection.abort(new Error(`no data for ${ms} ms`)), ms);
    },
    stop: () => clearTimeout(timer),
  };
}
