/**
 * @module
 * A snapshot's `now` moves only when the cluster changed. `now` feeds the zones' SOA serials,
 * so a new `now` on every read (every Marathon event, every poll, every PUT of an unchanged
 * cluster) would make every read a new desired state: zone files rewritten, every executor
 * woken, for nothing. Keeping the earlier `now` when nothing else differs makes the serial
 * advance exactly when the zone content can have changed, as RFC 1035 intends. Pure.
 */
import { canonicalJson } from "../net/canonical-json.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";

/**
 * `next`, or `next` with `previous`'s `now` when the two differ in nothing else.
 * @example withStableNow(lastSnapshot, freshRead).now // lastSnapshot.now if the cluster did not change
 */
export function withStableNow(previous: ClusterSnapshot | undefined, next: ClusterSnapshot): ClusterSnapshot {
  if (previous === undefined || previous.now === next.now) return next;
  return canonicalJson({ ...previous, now: "" }) === canonicalJson({ ...next, now: "" }) ? { ...next, now: previous.now } : next;
}
