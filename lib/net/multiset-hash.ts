/**
 * @module
 * The state hash of a set of keyed objects (docs/delta-path.md §2): each object contributes
 * `sha256(key ‖ "\n" ‖ objectHash)` read as a 256-bit big-endian integer, and the state hash is
 * their sum mod 2^256 (AdHash). The sum does not depend on order and changes in O(1) when one
 * object does: subtract its old term, add its new one. Both the control plane and a node keep
 * sums this way, so neither ever re-hashes a whole state.
 */
import { sha256Hex } from "./digest.ts";

const MOD = 1n << 256n;

/** The state hash of the empty set. */
export const EMPTY_SUM = 0n;

/**
 * The hash of one object's value: sha256 of its canonical JSON, hex.
 * @example objectHash('{"a":1}') // "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
 */
export function objectHash(canonicalValueJson: string): string {
  return sha256Hex(canonicalValueJson);
}

/**
 * One object's term of the sum: `sha256(key + "\n" + objectHash)` (UTF-8) as an integer.
 * @example entryTerm("dns/zone/mesos", objectHash(json)) // 0x3f1c...n
 */
export function entryTerm(key: string, hash: string): bigint {
  return BigInt(`0x${sha256Hex(`${key}\n${hash}`)}`);
}

/**
 * `sum + term` mod 2^256.
 * @example addTerm(EMPTY_SUM, entryTerm(key, hash))
 */
export function addTerm(sum: bigint, term: bigint): bigint {
  const next = sum + term;
  return next >= MOD ? next - MOD : next;
}

/**
 * `sum - term` mod 2^256.
 * @example subtractTerm(addTerm(EMPTY_SUM, t), t) // 0n
 */
export function subtractTerm(sum: bigint, term: bigint): bigint {
  const next = sum - term;
  return next < 0n ? next + MOD : next;
}

/**
 * A sum written as the state hash: 64 lowercase hex digits.
 * @example sumHex(EMPTY_SUM) // "0000000000000000000000000000000000000000000000000000000000000000"
 */
export function sumHex(sum: bigint): string {
  return sum.toString(16).padStart(64, "0");
}

/**
 * The state hash of a whole set of objects at once (a node checking a relist, a test).
 * @example stateHash([["dns/zone/mesos", objectHash(json)]]) // "7c0e..."
 */
export function stateHash(entries: Iterable<readonly [key: string, objectHash: string]>): string {
  let sum = EMPTY_SUM;
  for (const [key, hash] of entries) sum = addTerm(sum, entryTerm(key, hash));
  return sumHex(sum);
}
