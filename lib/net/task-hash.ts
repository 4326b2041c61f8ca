/**
 * @module
 * The 5-character task hash of mesos-dns canonical names (`T-hash-tail`): the first 25 bits of
 * SHA-1 over the task ID in z-base-32 (MSB first, no padding).
 *
 * SHA-1 is computed here in plain JS (FIPS 180-4) rather than with `node:crypto`: a zone of 100k
 * tasks hashes 100k short IDs, and a native Hash object per ID cost more than the hashing
 * itself (about 3x, mostly in garbage collection of the wrappers).
 */

const ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769";
const ZBASE32_CODES = Array.from(ZBASE32, (c) => c.charCodeAt(0));

/**
 * @example taskHash("test") // "iffe9"
 */
export function taskHash(taskId: string): string {
  const bits = sha1FirstWord(taskId);
  return String.fromCharCode(
    ZBASE32_CODES[bits >>> 27]!,
    ZBASE32_CODES[(bits >>> 22) & 31]!,
    ZBASE32_CODES[(bits >>> 17) & 31]!,
    ZBASE32_CODES[(bits >>> 12) & 31]!,
    ZBASE32_CODES[(bits >>> 7) & 31]!,
  );
}

/**
 * The last `-`-separated field of an agent ID, lowercased: `...-S1` → `s1`.
 * @example agentTail("20140803-125133-3041283216-5050-2410-0") // "0"
 */
export function agentTail(agentId: string): string {
  return agentId.slice(agentId.lastIndexOf("-") + 1).toLowerCase();
}

// Scratch space reused across calls: the function is synchronous and never re-entered.
const W = new Int32Array(80);
let buffer = new Uint8Array(256);

/** The first 32 bits of SHA-1 over the UTF-8 bytes of `text` (lone surrogates become U+FFFD). */
function sha1FirstWord(text: string): number {
  if (text.length * 3 + 72 > buffer.length) buffer = new Uint8Array((text.length * 3 + 72) * 2);
  const bytes = buffer;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      bytes[n++] = c;
    } else if (c < 0x800) {
      bytes[n++] = 0xc0 | (c >> 6);
      bytes[n++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      bytes[n++] = 0xf0 | (c >> 18);
      bytes[n++] = 0x80 | ((c >> 12) & 63);
      bytes[n++] = 0x80 | ((c >> 6) & 63);
      bytes[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      bytes[n++] = 0xe0 | (c >> 12);
      bytes[n++] = 0x80 | ((c >> 6) & 63);
      bytes[n++] = 0x80 | (c & 63);
    }
  }
  // Padding: 0x80, zeros, then the bit length as a 64-bit big-endian integer.
  const total = (((n + 8) >> 6) + 1) << 6;
  bytes[n] = 0x80;
  bytes.fill(0, n + 1, total);
  const bitLength = n * 8;
  bytes[total - 5] = bitLength / 2 ** 32;
  bytes[total - 4] = bitLength >>> 24;
  bytes[total - 3] = bitLength >>> 16;
  bytes[total - 2] = bitLength >>> 8;
  bytes[total - 1] = bitLength;
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  for (let off = 0; off < total; off += 64) {
    for (let t = 0; t < 16; t++) {
      const j = off + t * 4;
      W[t] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
    }
    for (let t = 16; t < 80; t++) {
      const x = W[t - 3]! ^ W[t - 8]! ^ W[t - 14]! ^ W[t - 16]!;
      W[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc | 0;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6 | 0;
      }
      const next = (((a << 5) | (a >>> 27)) + f + e + k + W[t]!) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = next;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return h0 >>> 0;
}
