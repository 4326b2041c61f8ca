/**
 * @module
 * V8's default young generation (16 MiB semi-spaces) is sized for short-lived request garbage.
 * A reconcile of a large cluster allocates millions of records that all survive, and with the
 * default the scavenger copies them twice before they reach the old generation: a third of the
 * time of a 10k-task zone build went to that. Larger semi-spaces let V8 grow the young
 * generation only while allocation is that heavy. The on-node daemons (`dns`, `agent`) are left
 * at the default: they load a large state once and then hold it, and a young generation grown
 * for that load stayed resident (+90 MiB on the DNS server at 100k tasks, measured with
 * `bench:node-memory`), where a node's two processes have 300 MiB between them.
 */
import { setFlagsFromString } from "node:v8";

/** Semi-space ceiling in MiB (the young generation can grow to about three times this). */
export const MAX_SEMI_SPACE_MIB = 64;

/** Commands that run as long-lived daemons on every node, where resident memory counts most. */
const ON_NODE_DAEMONS: readonly string[] = ["dns", "agent"];

/**
 * Whether `command` (the CLI's first argument) gets the larger young generation.
 * @example tunesHeap("plan") // true
 * @example tunesHeap("dns") // false
 */
export function tunesHeap(command: string | undefined): boolean {
  return command === undefined || !ON_NODE_DAEMONS.includes(command);
}

/**
 * Applies the heap settings a wayfinder process runs `command` with. Call before the first
 * large allocation; later calls are harmless.
 * @example tuneHeapForReconcile(process.argv[2]); // first thing in bin/wayfinder.js
 */
export function tuneHeapForReconcile(command?: string): void {
  if (tunesHeap(command)) setFlagsFromString(`--max-semi-space-size=${MAX_SEMI_SPACE_MIB}`);
}
