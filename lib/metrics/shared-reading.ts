/**
 * @module
 * A reading of something outside the process (the kernel's counters) that scrapes share: while
 * one read is under way every caller waits for it, and a reading younger than `maxAgeMs` is
 * handed out again, so what a scrape costs does not grow with how many collectors scrape, or
 * how often. Prometheus is usually run in pairs (and more collectors read the same agents), so
 * scrapes of one target arrive in bursts; a reading some seconds old is as good as a fresh one
 * for counters scraped every 15 s or more. A failed read is never kept: the next call reads again.
 */

export interface SharedReadingOptions {
  /** How long a reading is handed out again, in ms; 0: only calls during the read share it. */
  maxAgeMs: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
}

/**
 * `read`, shared by concurrent callers and reused for `maxAgeMs` after it ended.
 * @example
 * const counters = sharedReading(() => applier.readCounters(), { maxAgeMs: 5_000 });
 * await Promise.all([counters(), counters()]); // one read
 */
export function sharedReading<T>(read: () => Promise<T>, options: SharedReadingOptions): () => Promise<T> {
  const now = options.now ?? Date.now;
  let last: { value: T; at: number } | undefined;
  let pending: Promise<T> | undefined;
  return () => {
    if (pending !== undefined) return pending;
    if (last !== undefined && now() - last.at < options.maxAgeMs) return Promise.resolve(last.value);
    pending = read().then(
      (value) => {
        last = { value, at: now() };
        pending = undefined;
        return value;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}
