/**
 * @module
 * Compiled answers per (asked name, type), with what each one read from the index, so an
 * update drops exactly the answers it may have changed: those that read a touched name (its
 * records, its existence, an SRV target's address, a CNAME link) or the SOA of a touched zone.
 * Everything else keeps its bytes, so a batch of changes costs the names it touched and the
 * per-query path stays one map lookup. Only local answers are cached: a route elsewhere costs
 * less to find again than to remember, and forwarded names are open-ended.
 */
import type { CompiledAnswer } from "./compiled-answer.ts";
import type { Touched } from "./zone-index.ts";

/** Compiled answers kept; a flood of random names cannot grow it further. */
const CACHE_LIMIT = 200_000;

/**
 * @example
 * const cache = new AnswerCache();
 * cache.set(key, TYPE.A, compiled, [key]);
 * cache.invalidate({ names: new Set([key]), everything: false }); // drops it
 */
export class AnswerCache {
  /** asked key → qtype → answer: two levels, so the per-query key is the question's own string. */
  readonly #answers = new Map<string, Map<number, CompiledAnswer>>();
  /** read key → the asked keys whose answers read it; one string in the common case of one. */
  readonly #dependents = new Map<string, string | Set<string>>();
  #size = 0;

  get(key: string, qtype: number): CompiledAnswer | undefined {
    return this.#answers.get(key)?.get(qtype);
  }

  /** Keeps `answer`, to be dropped when any of `reads` is touched. */
  set(key: string, qtype: number, answer: CompiledAnswer, reads: Iterable<string>): void {
    if (this.#size >= CACHE_LIMIT) {
      // Starting over is O(1) per insert on average and keeps the hot path free of LRU
      // bookkeeping; a working set this large recompiles at a few microseconds a name.
      this.clear();
    }
    let byType = this.#answers.get(key);
    if (byType === undefined) this.#answers.set(key, (byType = new Map()));
    if (!byType.has(qtype)) this.#size++;
    byType.set(qtype, answer);
    for (const read of reads) {
      const known = this.#dependents.get(read);
      if (known === undefined) this.#dependents.set(read, key);
      else if (typeof known === "string") {
        if (known !== key) this.#dependents.set(read, new Set([known, key]));
      } else known.add(key);
    }
  }

  /** Drops the answers a change may have altered; returns how many. */
  invalidate(touched: Touched): number {
    if (touched.everything) {
      const dropped = this.#size;
      this.clear();
      return dropped;
    }
    let dropped = 0;
    for (const name of touched.names) {
      const askers = this.#dependents.get(name);
      if (askers === undefined) continue;
      this.#dependents.delete(name);
      for (const asked of typeof askers === "string" ? [askers] : askers) {
        const byType = this.#answers.get(asked);
        if (byType === undefined) continue;
        dropped += byType.size;
        this.#answers.delete(asked);
      }
    }
    this.#size -= dropped;
    return dropped;
  }

  clear(): void {
    this.#answers.clear();
    this.#dependents.clear();
    this.#size = 0;
  }

  get size(): number {
    return this.#size;
  }
}
