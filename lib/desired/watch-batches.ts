/**
 * @module
 * Reads a watch stream into whole batches, for the agent and for tests: lines are collected
 * until their `commit` and handed over only then, so a stream cut mid-batch yields nothing of
 * that batch (docs/delta-path.md §6: apply everything up to a commit, or nothing). A line that
 * is not JSON or not a watch line, or a batch whose generations run backwards, is an error
 * naming the line: the client should drop the stream and relist.
 */
import { WatchLine } from "./watch-lines.ts";

/** One committed generation (or relist) of a node's view. */
export interface WatchBatch {
  /** The committed generation. */
  generation: number;
  /** The node's view hash at that generation. */
  hash: string;
  /** A relist: keys the batch does not upsert are gone. */
  reset: boolean;
  /** Keys set, with their values (the last one when a key changed twice). */
  upserts: Map<string, unknown>;
  /** Keys removed (not upserted again later in the batch). */
  deletes: Set<string>;
}

interface OpenBatch {
  reset: boolean;
  upserts: Map<string, unknown>;
  deletes: Set<string>;
  generation: number;
}

export type WatchEvent = { type: "batch"; batch: WatchBatch } | { type: "bookmark"; generation: number; hash: string };

/** A stream that broke the protocol. */
export class WatchStreamError extends Error {
  override readonly name = "WatchStreamError";
}

/**
 * Feed it text as it arrives; it returns the events that text completed.
 * @example
 * const reader = new WatchLineReader();
 * reader.push('{"type":"reset","generation":3}\n{"type":"commit","generation":3,"hash":"...'); // []
 * reader.push('"}\n'); // [{ type: "batch", batch: { generation: 3, reset: true, ... } }]
 */
export class WatchLineReader {
  #buffer = "";
  #line = 0;
  #open: OpenBatch | undefined;

  push(text: string): WatchEvent[] {
    this.#buffer += text;
    const events: WatchEvent[] = [];
    for (let newline = this.#buffer.indexOf("\n"); newline >= 0; newline = this.#buffer.indexOf("\n")) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      this.#line += 1;
      if (line.trim() !== "") this.#take(line, events);
    }
    return events;
  }

  /** Lines received since the last commit (a batch the stream was cut in the middle of); they are dropped. */
  get pendingLines(): number {
    return this.#open === undefined ? 0 : this.#open.upserts.size + this.#open.deletes.size + (this.#open.reset ? 1 : 0);
  }

  #take(text: string, events: WatchEvent[]): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new WatchStreamError(`watch line ${this.#line} is not JSON (${(error as Error).message})`);
    }
    const result = WatchLine.safeParse(parsed);
    if (!result.success) throw new WatchStreamError(`watch line ${this.#line} is not a watch line (${result.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ")})`);
    const line = result.data;
    if (line.type === "bookmark") {
      if (this.#open !== undefined) throw new WatchStreamError(`watch line ${this.#line}: a bookmark inside a batch`);
      events.push({ type: "bookmark", generation: line.generation, hash: line.hash });
      return;
    }
    const open = this.#openBatch(line.type === "reset");
    if (line.generation < open.generation) throw new WatchStreamError(`watch line ${this.#line}: generation ${line.generation} after ${open.generation}`);
    open.generation = line.generation;
    if (line.type === "upsert") {
      open.deletes.delete(line.key);
      open.upserts.set(line.key, line.value);
    } else if (line.type === "delete") {
      open.upserts.delete(line.key);
      open.deletes.add(line.key);
    } else if (line.type === "commit") {
      events.push({ type: "batch", batch: { generation: line.generation, hash: line.hash, reset: open.reset, upserts: open.upserts, deletes: open.deletes } });
      this.#open = undefined;
    }
  }

  #openBatch(reset: boolean): OpenBatch {
    if (reset) {
      if (this.#open !== undefined && (this.#open.reset || this.#open.upserts.size + this.#open.deletes.size > 0)) throw new WatchStreamError(`watch line ${this.#line}: a reset inside a batch`);
      this.#open = { reset: true, upserts: new Map(), deletes: new Set(), generation: 0 };
    }
    this.#open ??= { reset: false, upserts: new Map(), deletes: new Set(), generation: 0 };
    return this.#open;
  }
}

/**
 * The events of a watch response body, decoded (a gzip body is decoded by `fetch` already).
 * Ends when the body does; an unfinished batch is dropped.
 * @example for await (const event of watchEvents(response.body!)) if (event.type === "batch") apply(event.batch);
 */
export async function* watchEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<WatchEvent> {
  const reader = new WatchLineReader();
  const decoder = new TextDecoder();
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) yield* reader.push(decoder.decode(chunk, { stream: true }));
  yield* reader.push(decoder.decode());
}
