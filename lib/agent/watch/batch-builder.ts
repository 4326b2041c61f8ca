/**
 * @module
 * Turns the lines of a node's watch stream (docs/delta-path.md §6) into committed batches,
 * measured against the agent's view as they arrive: each value is hashed (sha256 of its
 * canonical JSON), keys whose hash the view already holds are dropped on the spot (a relist of
 * an unchanged node yields an empty batch, so nothing is applied), and only what changed keeps
 * its JSON (and its parsed value where the view keeps values). A relist's batch also removes
 * every key of the view it did not list. Nothing is handed over before the `commit`: a stream
 * cut mid-batch yields nothing of it.
 */
import { WatchLine } from "../../desired/watch-lines.ts";
import { canonicalJson } from "../../net/canonical-json.ts";
import { objectHash } from "../../net/multiset-hash.ts";
import type { NodeView } from "../view/node-view.ts";

/** A key a batch sets to a new object. */
export interface ReceivedUpsert {
  hash: string;
  /** The value's canonical JSON. */
  json: string;
  /** The parsed value, for the keys the view keeps values of. */
  value?: unknown;
}

/** One committed batch, as it changes the view. */
export interface ReceivedBatch {
  generation: number;
  /** The node's view hash at `generation`, as the control plane computed it. */
  hash: string;
  /** A relist. */
  reset: boolean;
  /** Keys whose object differs from the view's, in the order received. */
  upserts: Map<string, ReceivedUpsert>;
  /** Keys the view holds that are gone. */
  deletes: Set<string>;
  /** Lines the batch took (its size on the wire, in lines). */
  lines: number;
  /** Appliers whose keys a relist listed in full, unchanged ones included (they asked for every value). */
  completeFor: readonly string[];
  /** A relist into an empty view: every key is listed with its value, for every applier. */
  complete: boolean;
}

export type WatchEvent = { type: "batch"; batch: ReceivedBatch } | { type: "bookmark"; generation: number; hash: string };

/** A stream that broke the protocol; the client drops it and relists. */
export class WatchProtocolError extends Error {
  override readonly name = "WatchProtocolError";
}

/** Appliers that want every value of their keys in the next relist, changed or not. */
export interface CompleteRequest {
  appliers: readonly string[];
  takes: (key: string) => boolean;
}

interface OpenBatch {
  complete: CompleteRequest | undefined;
  reset: boolean;
  /** The view was empty when the relist began. */
  fromEmpty: boolean;
  upserts: Map<string, ReceivedUpsert>;
  deletes: Set<string>;
  /** A relist's keys, unchanged ones included (the view's others are gone). */
  listed: Set<string> | undefined;
  lines: number;
}

/**
 * @example
 * const builder = new BatchBuilder(view);
 * builder.take('{"type":"upsert","generation":3,"key":"dns/aliases","value":[]}'); // undefined
 * builder.take('{"type":"commit","generation":3,"hash":"..."}'); // { type: "batch", batch: { ... } }
 */
export class BatchBuilder {
  #open: OpenBatch | undefined;
  #line = 0;

  constructor(
    private readonly view: NodeView,
    /** For the next relist: keep every value of these keys, unchanged or not. */
    private readonly complete?: CompleteRequest,
  ) {}

  /** Lines taken since the last commit (dropped if the stream ends now). */
  get pendingLines(): number {
    return this.#open?.lines ?? 0;
  }

  /** Takes one line; returns the event it completes, if any. Throws a `WatchProtocolError` naming the line. */
  take(text: string): WatchEvent | undefined {
    this.#line++;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new WatchProtocolError(`watch line ${this.#line} is not JSON (${(error as Error).message})`);
    }
    const parsed = WatchLine.safeParse(document);
    if (!parsed.success) {
      throw new WatchProtocolError(`watch line ${this.#line} is not a watch line (${parsed.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ")})`);
    }
    const line = parsed.data;
    switch (line.type) {
      case "bookmark":
        if (this.#open !== undefined) throw new WatchProtocolError(`watch line ${this.#line}: a bookmark inside a batch`);
        return { type: "bookmark", generation: line.generation, hash: line.hash };
      case "reset":
        if (this.#open !== undefined) throw new WatchProtocolError(`watch line ${this.#line}: a reset inside a batch`);
        this.#open = { complete: this.complete, reset: true, fromEmpty: this.view.size === 0, upserts: new Map(), deletes: new Set(), listed: new Set(), lines: 1 };
        return undefined;
      case "upsert": {
        const open = this.#batch();
        const json = canonicalJson(line.value);
        const hash = objectHash(json);
        open.listed?.add(line.key);
        open.deletes.delete(line.key);
        if (this.view.hashOf(line.key) === hash && open.complete?.takes(line.key) !== true) open.upserts.delete(line.key);
        else open.upserts.set(line.key, { hash, json, ...(this.view.keeps(line.key) ? { value: line.value } : {}) });
        return undefined;
      }
      case "delete": {
        const open = this.#batch();
        open.upserts.delete(line.key);
        open.listed?.delete(line.key);
        if (this.view.has(line.key)) open.deletes.add(line.key);
        return undefined;
      }
      case "commit": {
        const open = this.#open ?? this.#empty();
        this.#open = undefined;
        if (open.listed !== undefined) for (const key of this.view.keys()) if (!open.listed.has(key)) open.deletes.add(key);
        const { reset, upserts, deletes } = open;
        const completeFor = open.complete?.appliers ?? [];
        return { type: "batch", batch: { generation: line.generation, hash: line.hash, reset, upserts, deletes, lines: open.lines + 1, completeFor, complete: open.fromEmpty } };
      }
    }
  }

  #batch(): OpenBatch {
    this.#open ??= this.#empty();
    this.#open.lines++;
    return this.#open;
  }

  #empty(): OpenBatch {
    return { complete: undefined, reset: false, fromEmpty: false, upserts: new Map(), deletes: new Set(), listed: undefined, lines: 0 };
  }
}
