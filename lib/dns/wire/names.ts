/**
 * @module
 * Domain names as the server handles them: a **name key** is the wire form of a name
 * (length-prefixed labels, ending in the root's zero byte), ASCII-lowercased and held in a
 * latin1 string, one character per byte. A query's name becomes a key with one slice, map
 * lookups need no decoding, and parents are a substring away. Only ASCII letters are folded
 * (RFC 4343): other bytes are compared exactly.
 */

/** RFC 1035 §2.3.4: a label is at most 63 bytes, a name at most 255 in wire form. */
export const MAX_LABEL = 63;
export const MAX_NAME = 255;

/** The key of the root name. */
export const ROOT_KEY = "\0";

const encoder = new TextEncoder();
const DOT = 46;

/**
 * The key of a dotted name (no trailing dot needed; `""` is the root). Labels are taken as
 * UTF-8 bytes. `undefined` when a label is empty or too long, or the name too long.
 * @example nameKey("Web.Marathon.mesos") // "\x03web\x08marathon\x05mesos\x00"
 * @example nameKey("a..b") // undefined
 */
export function nameKey(text: string): string | undefined {
  const name = text.endsWith(".") ? text.slice(0, -1) : text;
  if (name === "") return ROOT_KEY;
  // Written into one buffer and read out once: a key built by appending characters is a rope
  // of one node per character until flattened, and zone indexes hold hundreds of thousands.
  const bytes = encoder.encode(name);
  if (bytes.length + 2 > MAX_NAME) return undefined;
  const key = new Uint8Array(bytes.length + 2);
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== DOT) continue;
    const length = i - start;
    if (length === 0 || length > MAX_LABEL) return undefined;
    key[start] = length;
    for (let j = start; j < i; j++) {
      const byte = bytes[j]!;
      key[j + 1] = byte >= 65 && byte <= 90 ? byte + 32 : byte;
    }
    start = i + 1;
  }
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
}

/**
 * The dotted text of a key (no trailing dot; the root is `""`), labels read as UTF-8.
 * Dots and backslashes inside a label are escaped (`\.`, `\\`) so the text stays unambiguous.
 * @example keyText("\x03web\x05mesos\x00") // "web.mesos"
 */
export function keyText(key: string): string {
  const labels: string[] = [];
  let i = 0;
  while (i < key.length) {
    const length = key.charCodeAt(i);
    if (length === 0) break;
    const label = Buffer.from(key.slice(i + 1, i + 1 + length), "latin1").toString("utf8");
    labels.push(label.replace(/[\\.]/g, (c) => `\\${c}`));
    i += 1 + length;
  }
  return labels.join(".");
}

/**
 * The key of the parent name; the root's parent is `undefined`.
 * @example parentKey("\x03web\x05mesos\x00") // "\x05mesos\x00"
 */
export function parentKey(key: string): string | undefined {
  const length = key.charCodeAt(0);
  return length === 0 ? undefined : key.slice(1 + length);
}

/**
 * True when `key` is `zone` or a name below it (compared label by label, never mid-label).
 * @example isInZone(nameKey("a.mesos")!, nameKey("mesos")!) // true
 * @example isInZone(nameKey("amesos")!, nameKey("mesos")!) // false
 */
export function isInZone(key: string, zone: string): boolean {
  let current: string | undefined = key;
  while (current !== undefined && current.length >= zone.length) {
    if (current === zone) return true;
    current = parentKey(current);
  }
  return false;
}

/**
 * `key` with its suffix `from` (a zone it is in) replaced by `to`; `key` itself when it is
 * not in `from`. Used to write renamed names back as the client asked them.
 * @example replaceSuffix(nameKey("a.l4lb.x")!, nameKey("l4lb.x")!, nameKey("dclb.x")!) // key of "a.dclb.x"
 */
export function replaceSuffix(key: string, from: string, to: string): string {
  if (!isInZone(key, from)) return key;
  return key.slice(0, key.length - from.length) + to;
}

/**
 * Number of labels (the root has none).
 * @example labelCount(nameKey("a.b")!) // 2
 */
export function labelCount(key: string): number {
  let count = 0;
  for (let i = 0; key.charCodeAt(i) !== 0; i += 1 + key.charCodeAt(i)) count++;
  return count;
}
