/**
 * @module
 * The recent generations' watch lines of one cluster, bounded by count and by bytes, so a
 * watcher resuming from generation G is sent what changed since G without anyone scanning the
 * cluster: the log is indexed by generation, and each generation keeps its cluster-scope lines
 * and each node's lines apart. What falls out of the bound is gone: a `since` older than the
 * log's floor answers 410 and the client relists.
 */
import type { GenerationLines } from "./generation-lines.ts";

export interface ChangeLogLimits {
  /** Generations kept at most. */
  generations: number;
  /** Bytes of lines kept at most; one generation larger than this alone is not kept at all. */
  bytes: number;
}

/** Node: a few thousand generations and 64 MiB. */
export const DEFAULT_LOG_LIMITS: ChangeLogLimits = { generations: 4096, bytes: 64 * 1024 * 1024 };

/**
 * @example
 * const log = new ChangeLog(41, DEFAULT_LOG_LIMITS);
 * log.append(generationLines(42, changes));
 * log.covers(41) // true: every generation after 41 is here
 */
export class ChangeLog {
  readonly #limits: ChangeLogLimits;
  /** Consecutive generations, oldest first; `#entries[i].generation === #floor + 1 + i`. */
  #entries: GenerationLines[] = [];
  #start = 0;
  #floor: number;
  #bytes = 0;

  /** `floor`: the current generation when the log starts (nothing before it can be resumed from). */
  constructor(floor: number, limits: ChangeLogLimits = DEFAULT_LOG_LIMITS) {
    this.#floor = floor;
    this.#limits = limits;
  }

  /** The oldest `since` a watcher can resume from. */
  get floor(): number {
    return this.#floor;
  }

  /** The newest generation appended (the floor when none is kept). */
  get newest(): number {
    return this.#floor + this.#entries.length - this.#start;
  }

  /** Bytes of lines held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when every generation after `since` up to the newest is held. */
  covers(since: number): boolean {
    return since >= this.#floor && since <= this.newest;
  }

  /** Appends the next generation and drops the oldest beyond the limits. */
  append(lines: GenerationLines): void {
    if (lines.generation !== this.newest + 1) throw new Error(`change log: generation ${lines.generation} cannot follow ${this.newest}`);
    if (lines.bytes > this.#limits.bytes) {
      this.#entries = [];
      this.#start = 0;
      this.#bytes = 0;
      this.#floor = lines.generation;
      return;
    }
    this.#entries.push(lines);
    this.#bytes += lines.bytes;
    while (this.#entries.length - this.#start > this.#limits.generations || this.#bytes > this.#limits.bytes) {
      const dropped = this.#entries[this.#start]!;
      this.#entries[this.#start] = undefined as unknown as GenerationLines;
      this.#start += 1;
      this.#bytes -= dropped.bytes;
      this.#floor = dropped.generation;
    }
    // Compact the array now and then rather than shifting it on every drop.
    if (this.#start > 1024 && this.#start * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#start);
      this.#start = 0;
    }
  }

  /**
   * The lines a watcher of `node` missed since `since`, oldest first: per generation the
   * cluster lines, then the node's own. Call only when `covers(since)`.
   */
  linesSince(since: number, node: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = this.#start + (since - this.#floor); i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.cluster.byteLength > 0) out.push(entry.cluster);
      const own = entry.nodes.get(node);
      if (own !== undefined) out.push(own);
    }
    return out;
  }
}
