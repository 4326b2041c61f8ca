/**
 * @module
 * Exact IPv4/IPv6 address and prefix arithmetic on BigInt. The family is a parameter, never a
 * second copy of the code: an address is `{ family, value }` and every operation reads the
 * width from the family. DC/OS's `network.hpp` computed IPv6 slice successors byte by byte and
 * went wrong past 256 slices or for prefixes that are not multiples of 8 (spec §2.6); slice `i`
 * of a block here is `base + i·2^(bits − prefix)`, exact for any prefix.
 *
 * Text out is canonical (RFC 5952 for IPv6, as `inet_ntop` and `ip -json` print it), so an
 * address we render compares equal to the one iproute2 reports back.
 */
import { ipv4Number, type IpFamily } from "./ip-literal.ts";

/** An address as a number: 32 bits (IPv4) or 128 bits (IPv6). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** A prefix: `base` has no bits set past `length`. */
export interface Cidr {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly length: number;
}

/** Address width per family. */
export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

/**
 * Parses a dotted-quad IPv4 or an IPv6 address (with `::`, or an embedded IPv4 tail) into its
 * number (`ip-literal.ts`'s `parseIp` gives its normalised text instead). Strict: no zone ids,
 * no leading-zero octets, no shortened IPv4 forms such as `10.1`.
 * @example parseIpValue("10.0.0.1") // { family: 4, value: 167772161n }
 * @example parseIpValue("fd01:b::1") // { family: 6, value: 0xfd01000b000000000000000000000001n }
 * @example parseIpValue("10.1") // undefined
 */
export function parseIpValue(text: string): IpAddress | undefined {
  const v4 = ipv4Number(text);
  if (v4 !== undefined) return { family: 4, value: BigInt(v4) };
  return text.includes(":") ? parseIpv6(text) : undefined;
}

/**
 * Parses `address/length`; the address may have host bits set (see `isNetworkAddress`).
 * @example parseCidr("9.0.0.0/8") // { family: 4, base: 150994944n, length: 8 }
 * @example parseCidr("9.0.0.0") // undefined (the length is required)
 */
export function parseCidr(text: string): (Cidr & { address: bigint }) | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIpValue(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9]\d{0,2})$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > FAMILY_BITS[address.family]) return undefined;
  const base = address.value & ~hostMask(address.family, length);
  return { family: address.family, base, length, address: address.value };
}

/**
 * True when `text` is a prefix whose host bits are all zero (`9.0.0.0/8`, not `9.0.0.1/8`).
 * @example isNetworkAddress("9.0.0.1/8") // false
 */
export function isNetworkAddress(text: string): boolean {
  const cidr = parseCidr(text);
  return cidr !== undefined && cidr.address === cidr.base;
}

/**
 * Canonical text of an address: dotted quad, or RFC 5952 (lowercase, longest zero run of two
 * or more hextets compressed, the first one on a tie).
 * @example formatIp({ family: 6, value: 0xfd01000b000000000001000000000000n }) // "fd01:b:0:0:1::"
 */
export function formatIp(address: IpAddress): string {
  // One conversion to a number or a hex string, not a BigInt shift per part: allocating
  // thousands of addresses formats tens of thousands of them.
  if (address.family === 4) {
    const v = Number(address.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  // RFC 5952 §5: an IPv4-mapped address keeps its dotted tail, as inet_ntop prints it.
  if (address.value >> 32n === 0xffffn) return `::ffff:${formatIp({ family: 4, value: address.value & 0xffffffffn })}`;
  const digits = address.value.toString(16).padStart(32, "0");
  const hextets: number[] = [];
  for (let i = 0; i < 32; i += 4) hextets.push(parseInt(digits.slice(i, i + 4), 16));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && hextets[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * @example formatCidr({ family: 4, base: 150994944n, length: 8 }) // "9.0.0.0/8"
 */
export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.base })}/${cidr.length}`;
}

/**
 * The canonical text of an address or prefix, or undefined when it does not parse; used to
 * compare what iproute2 prints (`10.0.0.12` for a host route) with what we render.
 * @example canonicalIp("FD01:B:0:0:1:0:0:0") // "fd01:b:0:0:1::"
 * @example canonicalIp("10.0.0.12", true) // "10.0.0.12/32"
 */
export function canonicalIp(text: string, asPrefix = false): string | undefined {
  if (text.includes("/")) {
    const cidr = parseCidr(text);
    return cidr === undefined ? undefined : `${formatIp({ family: cidr.family, value: cidr.address })}/${cidr.length}`;
  }
  const address = parseIpValue(text);
  if (address === undefined) return undefined;
  return asPrefix ? `${formatIp(address)}/${FAMILY_BITS[address.family]}` : formatIp(address);
}

/**
 * How many `/length` blocks `cidr` holds.
 * @example blockCount(parseCidr("9.0.0.0/8")!, 24) // 65536n
 */
export function blockCount(cidr: Cidr, length: number): bigint {
  return 1n << BigInt(length - cidr.length);
}

/**
 * Block `index` of size `/length` inside `cidr` (index 0 is the first).
 * @example formatCidr(nthBlock(parseCidr("fd01:b::/64")!, 80, 1n)) // "fd01:b:0:0:1::/80"
 */
export function nthBlock(cidr: Cidr, length: number, index: bigint): Cidr {
  return { family: cidr.family, base: cidr.base + (index << BigInt(FAMILY_BITS[cidr.family] - length)), length };
}

/**
 * The index of `block` among the `/block.length` blocks of `cidr`, or undefined when it is
 * not one of them (another family, outside, or not aligned).
 * @example blockIndex(parseCidr("9.0.0.0/8")!, parseCidr("9.0.2.0/24")!) // 2n
 */
export function blockIndex(cidr: Cidr, block: Cidr & { address?: bigint }): bigint | undefined {
  if (block.family !== cidr.family || block.length < cidr.length) return undefined;
  if ((block.address ?? block.base) !== block.base || !contains(cidr, block.base)) return undefined;
  return (block.base - cidr.base) >> BigInt(FAMILY_BITS[cidr.family] - block.length);
}

/**
 * The address at `offset` from the start of `cidr` (offset 1 is the first host of an IPv4 net).
 * @example formatIp(addressAt(parseCidr("44.128.0.0/20")!, 2n)) // "44.128.0.2"
 */
export function addressAt(cidr: Cidr, offset: bigint): IpAddress {
  return { family: cidr.family, value: cidr.base + offset };
}

/**
 * @example contains(parseCidr("9.0.0.0/8")!, parseIpValue("9.1.2.3")!.value) // true
 */
export function contains(cidr: Cidr, value: bigint): boolean {
  return value >= cidr.base && value <= cidr.base + hostMask(cidr.family, cidr.length);
}

/**
 * True when the two prefixes share an address (one holds the other).
 * @example overlaps(parseCidr("9.0.0.0/8")!, parseCidr("9.4.0.0/16")!) // true
 */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && (contains(a, b.base) || contains(b, a.base));
}

/**
 * The two halves of a prefix: `S/p` → `S/(p+1)` and its successor.
 * @example splitInHalves(parseCidr("9.0.1.0/24")!).map(formatCidr) // ["9.0.1.0/25", "9.0.1.128/25"]
 */
export function splitInHalves(cidr: Cidr): [Cidr, Cidr] {
  return [nthBlock(cidr, cidr.length + 1, 0n), nthBlock(cidr, cidr.length + 1, 1n)];
}

/** Bits of the host part of a `/length` prefix, as a mask. */
function hostMask(family: IpFamily, length: number): bigint {
  return (1n << BigInt(FAMILY_BITS[family] - length)) - 1n;
}

/** Hextets of an IPv6 address (`::` and an IPv4 tail allowed; no zone id), as one BigInt. */
function parseIpv6(text: string): IpAddress | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = hextetsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? hextetsOf(halves[1]!, true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const hextets = [...head, ...new Array<string>(missing).fill("0000"), ...tail];
  return { family: 6, value: BigInt(`0x${hextets.join("")}`) };
}

/** The 4-digit hex groups of one side of `::`; an IPv4 tail is allowed only at the end. */
function hextetsOf(part: string, last: boolean): string[] | undefined {
  if (part === "") return [];
  const groups = part.split(":");
  const out: string[] = [];
  for (const [i, group] of groups.entries()) {
    const v4 = last && i === groups.length - 1 && group.includes(".") ? ipv4Number(group) : undefined;
    if (v4 !== undefined) out.push((v4 >>> 16).toString(16).padStart(4, "0"), (v4 & 0xffff).toString(16).padStart(4, "0"));
    else if (/^[0-9a-fA-F]{1,4}$/.test(group)) out.push(group.padStart(4, "0"));
    else return undefined;
  }
  return out;
}
