/**
 * @module
 * Histogram buckets as plain data: a count per bucket (not cumulative) plus one for `+Inf`, and
 * the sum. Plain so that it crosses a process boundary (the DNS workers send theirs to the
 * primary) and merges by addition; made cumulative only when printed.
 */

/** One histogram series: `counts[i]` observations in `(bounds[i-1], bounds[i]]`, the last past every bound. */
export interface BucketCounts {
  counts: number[];
  sum: number;
}

/**
 * @example emptyBuckets([0.1, 1]) // { counts: [0, 0, 0], sum: 0 }
 */
export function emptyBuckets(bounds: readonly number[]): BucketCounts {
  return { counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 };
}

/**
 * Counts `value` into the first bucket whose bound is at least `value`. Allocation-free: it
 * runs on every DNS reply.
 * @example observeBucket(series, [0.1, 1], 0.5) // series.counts → [0, 1, 0]
 */
export function observeBucket(series: BucketCounts, bounds: readonly number[], value: number): void {
  let bucket = 0;
  while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
  series.counts[bucket]!++;
  series.sum += value;
}

/**
 * Adds `from` into `into` (same bounds).
 * @example addBuckets(total, worker.answerSeconds.local)
 */
export function addBuckets(into: BucketCounts, from: BucketCounts): void {
  from.counts.forEach((count, i) => (into.counts[i]! += count));
  into.sum += from.sum;
}
