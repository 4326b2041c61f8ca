/**
 * @module
 * A pool of numbered slots (VTEP host addresses, overlay slices) handing out the lowest free
 * one, as the DC/OS master's interval sets did (`begin()->lower()`). Allocation in one run is
 * reservations first, then takes: a cursor that only moves back on a release finds the next
 * free slot without rescanning, so filling N slots costs O(N), not O(N²).
 *
 * The pool is a mutable value local to one reconcile call: nothing outside the function that
 * made it ever sees it, so the function stays pure.
 */

export interface SlotPool {
  /** Marks `slot` taken; false when it is outside the pool or already taken. */
  reserve(slot: bigint): boolean;
  /** The lowest free slot, now taken; undefined when the pool is exhausted. */
  take(): bigint | undefined;
  /** Gives back a slot taken in this run (a node that could not get its other family). */
  release(slot: bigint): void;
}

/**
 * A pool of the slots `first` to `last`, both included.
 * @example
 * const pool = slotPool(1n, 3n);
 * pool.reserve(1n); pool.take(); // 2n
 */
export function slotPool(first: bigint, last: bigint): SlotPool {
  const taken = new Set<bigint>();
  let cursor = first;
  return {
    reserve(slot) {
      if (slot < first || slot > last || taken.has(slot)) return false;
      taken.add(slot);
      return true;
    },
    take() {
      while (cursor <= last && taken.has(cursor)) cursor++;
      if (cursor > last) return undefined;
      taken.add(cursor);
      return cursor++;
    },
    release(slot) {
      if (!taken.delete(slot)) return;
      if (slot < cursor) cursor = slot;
    },
  };
}
