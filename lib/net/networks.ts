/**
 * @module
 * Networks as access lists write them: `ip/length`, or a bare IP meaning that one address,
 * and whether a client address falls in one. Built on `cidr.ts`'s exact arithmetic; the
 * family is part of each block, never a second copy of the code.
 */
import { contains, formatCidr, parseCidr, parseIpValue, type Cidr } from "./cidr.ts";

/**
 * A network with its host bits cleared; `undefined` for anything else.
 * @example formatCidr(parseNetwork("10.1.2.3/8")!) // "10.0.0.0/8"
 * @example formatCidr(parseNetwork("::1")!) // "::1/128"
 * @example parseNetwork("10.0.0.0/33") // undefined
 */
export function parseNetwork(text: string): Cidr | undefined {
  if (text.includes("/")) {
    const cidr = parseCidr(text);
    return cidr === undefined ? undefined : { family: cidr.family, base: cidr.base, length: cidr.length };
  }
  const ip = parseIpValue(text);
  return ip === undefined ? undefined : { family: ip.family, base: ip.value, length: ip.family === 4 ? 32 : 128 };
}

/**
 * The normalised text of a network (`parseNetwork`, then `ip/length`).
 * @example networkText("FD01:B::5/64") // "fd01:b::/64"
 */
export function networkText(text: string): string | undefined {
  const network = parseNetwork(text);
  return network === undefined ? undefined : formatCidr(network);
}

/** `::ffff:0:0/96`: IPv4-mapped IPv6 (RFC 4291 §2.5.5.2). */
const V4_MAPPED = 0xffffn << 32n;

/**
 * True when `address` (an IP literal as a socket reports it) is in one of `networks`. Node
 * reports IPv4 clients of a dual-stack socket as `::ffff:a.b.c.d`; those are tested as the
 * IPv4 address they carry.
 * @example networkContains([parseNetwork("127.0.0.0/8")!], "::ffff:127.0.0.2") // true
 */
export function networkContains(networks: readonly Cidr[], address: string): boolean {
  let ip = parseIpValue(address);
  if (ip === undefined) return false;
  if (ip.family === 6 && ip.value >> 32n === V4_MAPPED >> 32n) ip = { family: 4, value: ip.value & 0xffffffffn };
  const { family, value } = ip;
  return networks.some((network) => network.family === family && contains(network, value));
}
