/**
 * @module
 * CIDR blocks for access lists: parsing with a normalised text form, and membership tests.
 * IPv4 and IPv6 go through the same code; the family is a property of the parsed block.
 */
import ipaddr from "ipaddr.js";
import { isDottedQuad } from "../snapshot/adapters/mesos-state-address.ts";

/** A parsed CIDR block: its network address (host bits cleared) and prefix length. */
export interface Cidr {
  /** Normalised text, e.g. `10.0.0.0/8` or `fd01:b::/64`. */
  text: string;
  family: 4 | 6;
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

/**
 * Parses `ip/prefix`, or a bare IP as a one-address block. Host bits are cleared, so
 * `10.1.2.3/8` reads as `10.0.0.0/8`. IPv4-mapped IPv6 is kept as IPv6 (Node reports
 * dual-stack clients as `::ffff:a.b.c.d`, which `cidrContains` handles).
 * @example parseCidr("10.1.2.3/8")?.text // "10.0.0.0/8"
 * @example parseCidr("::1")?.text // "::1/128"
 * @example parseCidr("10.0.0.0/33") // undefined
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  if (!ipaddr.isValid(addressText) || addressText.includes("%")) return undefined;
  const address = ipaddr.parse(addressText);
  const family = address.kind() === "ipv4" ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  // ipaddr.js also reads `10.1` and octal parts; an access list must mean what it says.
  if (family === 4 && !isDottedQuad(addressText)) return undefined;
  const network = networkAddress(address, prefix);
  const shown = network.kind() === "ipv6" ? (network as ipaddr.IPv6).toRFC5952String() : network.toString();
  return { text: `${shown}/${prefix}`, family, range: [network, prefix] };
}

/**
 * True when `address` (an IP literal as sockets report it) lies in one of `blocks`.
 * An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is tested as the IPv4 address it carries.
 * @example cidrContains([parseCidr("127.0.0.0/8")!], "127.0.0.2") // true
 */
export function cidrContains(blocks: readonly Cidr[], address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  for (const block of blocks) {
    if (block.range[0].kind() === parsed.kind() && parsed.match(block.range)) return true;
  }
  return false;
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return ipaddr.fromByteArray(bytes);
}
