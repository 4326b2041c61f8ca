/**
 * @module
 * Server slots: each backend gets a fixed number of servers `slot1`..`slotN`, and a task keeps
 * its slot for as long as it runs. Scaling and task replacement then only change which
 * address a slot holds and whether it is enabled, which the executor applies through HAProxy's
 * Runtime API without a reload; only a change in the number of slots needs one. The previous
 * assignment is an input (DESIGN principle 4), so slots never move while their task exists,
 * and new tasks take the lowest free slot.
 *
 * Sizes are powers of two from `minSlots`; a backend grows when it runs out and shrinks only
 * when a quarter or less is used, so scaling back and forth around a boundary does not reload
 * every time.
 */
import type { HaproxyBackendSlots as BackendSlots } from "../../lib/desired/schema.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";

export type { BackendSlots };

/**
 * The key of a server address in `BackendSlots.servers`: `ip:port`, IPv6 bracketed.
 * @example slotKey({ ip: "fd00::6", port: 31000 }) // "[fd00::6]:31000"
 */
export function slotKey(backend: { ip: string; port: number }): string {
  return `${addressForPort(backend.ip)}:${backend.port}`;
}

/**
 * The slots of one backend: `keys` in the order they should take free slots (marathon-lb's
 * server order), `previous` the last assignment if any.
 * @example allocateSlots(["10.0.0.1:31000", "10.0.0.2:31000"], undefined, 4)
 * // { size: 4, servers: { "10.0.0.1:31000": 1, "10.0.0.2:31000": 2 } }
 */
export function allocateSlots(keys: readonly string[], previous: BackendSlots | undefined, minSlots: number): BackendSlots {
  const size = slotCount(keys.length, previous?.size, minSlots);
  const servers: Record<string, number> = {};
  const used = new Set<number>();
  if (previous !== undefined) {
    for (const key of keys) {
      const slot = previous.servers[key];
      if (slot !== undefined && slot <= size && !used.has(slot)) {
        servers[key] = slot;
        used.add(slot);
      }
    }
  }
  let next = 1;
  for (const key of keys) {
    if (servers[key] !== undefined) continue;
    while (used.has(next)) next++;
    servers[key] = next;
    used.add(next);
  }
  return { size, servers };
}

/**
 * @example slotCount(5, 4, 4) // 8 (grow)
 * @example slotCount(3, 8, 4) // 8 (keep: more than a quarter used)
 * @example slotCount(2, 16, 4) // 8 (shrink, keeping twice the room it needs)
 */
export function slotCount(servers: number, previousSize: number | undefined, minSlots: number): number {
  const fitted = Math.max(minSlots, nextPowerOfTwo(servers));
  if (previousSize === undefined || servers > previousSize || previousSize < minSlots) return fitted;
  if (servers * 4 <= previousSize) return Math.max(minSlots, Math.min(previousSize, fitted * 2));
  return previousSize;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
