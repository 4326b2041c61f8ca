/**
 * @module
 * V8's default young generation (16 MiB semi-spaces) is sized for short-lived request garbage.
 * A reconcile of a large cluster allocates millions of records that all survive, and with the
 * default the scavenger copies them twice before they reach the old generation: a third of the
 * time of a 10k-task zone build went to that. Larger semi-spaces let V8 grow the young
 * generation only while allocation is that heavy (it shrinks back when idle).
 */
import { setFlagsFromString } from "node:v8";

/** Semi-space ceiling in MiB (the young generation can grow to about three times this). */
export const MAX_SEMI_SPACE_MIB = 64;

/**
 * Applies the heap settings every wayfinder process runs with. Call before the first large
 * allocation; later calls are harmless.
 * @example tuneHeapForReconcile(); // first thing in bin/wayfinder.js
 */
export function tuneHeapForReconcile(): void {
  setFlagsFromString(`--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`);
}
