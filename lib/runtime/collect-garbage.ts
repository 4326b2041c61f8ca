/**
 * @module
 * A full garbage collection on demand, for the rare moment a daemon knows it just dropped most
 * of what it held: the agent after a relist (every value of the node, parsed, hashed and handed
 * over, then let go). An idle process allocates too little for V8 to run a major collection by
 * itself, so that garbage stayed resident: an agent idled at 404 MiB RSS after a 100k-task
 * relist with 41 MiB live, 228 MiB once collected here (one it resumed from disk: 183 MiB).
 * `--expose-gc` set at run time installs `gc` only in contexts made after it, so it is taken
 * from a fresh one and the global scope stays as it was.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection, blocking: call it at a rare moment, not per change.
 * @example collectGarbage(); // after the relist's batch was applied and persisted
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
  // The first collection frees the pages; V8 gives them back to the system on the next one.
  gc();
}
