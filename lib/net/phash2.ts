/**
 * @module
 * Erlang's `erlang:phash2/2` over a binary, which dcos-l4lb used to place named VIPs in their
 * IPv4 range. Reproducing it means a named VIP gets the same address it had under DC/OS (when
 * nothing collides), so operators' firewall rules and muscle memory keep working. It is Bob
 * Jenkins' lookup2 block hash with Erlang's seeds (specs/overlay_l4lb.md §4.5); all arithmetic
 * is unsigned 32-bit, hence the `>>> 0` after every step.
 */

const GOLDEN = 0x9e3779b9;
/** Erlang's initial `c`: 13 × the golden ratio, mod 2^32. */
const ERLANG_SEED = 0x08d12e65;

/**
 * `phash2(Binary, Range)`: a value in `[0, range)`; `range` is 1..2^32.
 * @example phash2(new TextEncoder().encode("app.marathon"), 2 ** 32) // 246131777
 * @example phash2(new TextEncoder().encode("foo.bar"), 254) // 37
 */
export function phash2(bytes: Uint8Array, range: number): number {
  if (!Number.isInteger(range) || range < 1 || range > 2 ** 32) throw new RangeError(`phash2 range must be 1..2^32, got ${range}`);
  return lookup2(bytes) % range;
}

function lookup2(k: Uint8Array): number {
  const length = k.length;
  // Erlang returns the seed untouched for the empty binary (no final mix).
  if (length === 0) return ERLANG_SEED;
  let a = GOLDEN;
  let b = GOLDEN;
  let c = ERLANG_SEED;
  let i = 0;
  for (; length - i >= 12; i += 12) {
    a = (a + word(k, i)) >>> 0;
    b = (b + word(k, i + 4)) >>> 0;
    c = (c + word(k, i + 8)) >>> 0;
    [a, b, c] = mix(a, b, c);
  }
  c = (c + length) >>> 0;
  const rest = length - i;
  // The low byte of c holds the length, so the tail's bytes 8..10 go in one byte higher.
  if (rest > 10) c = (c + (k[i + 10]! << 24)) >>> 0;
  if (rest > 9) c = (c + (k[i + 9]! << 16)) >>> 0;
  if (rest > 8) c = (c + (k[i + 8]! << 8)) >>> 0;
  if (rest > 7) b = (b + (k[i + 7]! << 24)) >>> 0;
  if (rest > 6) b = (b + (k[i + 6]! << 16)) >>> 0;
  if (rest > 5) b = (b + (k[i + 5]! << 8)) >>> 0;
  if (rest > 4) b = (b + k[i + 4]!) >>> 0;
  if (rest > 3) a = (a + (k[i + 3]! << 24)) >>> 0;
  if (rest > 2) a = (a + (k[i + 2]! << 16)) >>> 0;
  if (rest > 1) a = (a + (k[i + 1]! << 8)) >>> 0;
  if (rest > 0) a = (a + k[i]!) >>> 0;
  return mix(a, b, c)[2];
}

function word(k: Uint8Array, i: number): number {
  return (k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24)) >>> 0;
}

function mix(a: number, b: number, c: number): [number, number, number] {
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 13)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 8)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 13)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 12)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 16)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 5)) >>> 0;
  a = (a - b - c) >>> 0; a = (a ^ (c >>> 3)) >>> 0;
  b = (b - c - a) >>> 0; b = (b ^ (a << 10)) >>> 0;
  c = (c - a - b) >>> 0; c = (c ^ (b >>> 15)) >>> 0;
  return [a, b, c];
}
