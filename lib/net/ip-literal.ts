/**
 * @module
 * IP literals as configs and Mesos write them, and the one family type of the code base. Only
 * the canonical textual forms are accepted (four-part decimal IPv4, RFC 4291 IPv6 without a
 * zone): `ipaddr.js` alone also takes `0x7f.1` or `127.1`, which HAProxy and nft would read
 * differently or refuse, and Go's `net.ParseIP` (what mesos-dns used) rejects. Text out is
 * normalised the way Go's `net.IP.String()` prints it (mesos-dns stored that form): lowercase
 * RFC 5952 IPv6, and IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4.
 */
import ipaddr from "ipaddr.js";

/** An address family: IPv4 (A records, 32 bits) or IPv6 (AAAA records, 128 bits). */
export type IpFamily = 4 | 6;

/** An IP literal in its normalised text form, with its family (A or AAAA records). */
export interface IpLiteral {
  address: string;
  family: IpFamily;
}

/**
 * Parses an IP literal; anything else (hostnames, `""`, zone ids, `127.1`) gives `undefined`.
 * @example parseIp("FD01:B:0:0:0:1:8000:2") // { address: "fd01:b::1:8000:2", family: 6 }
 * @example parseIp("::ffff:1.2.3.4") // { address: "1.2.3.4", family: 4 }
 */
export function parseIp(text: string): IpLiteral | undefined {
  // Dotted quads are by far the common case; checking them by hand keeps the zone builder
  // from allocating a parsed address object per task.
  if (isDottedQuad(text)) return { address: text, family: 4 };
  if (!isIpv6Literal(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return { address: v6.toIPv4Address().toString(), family: 4 };
  return { address: v6.toRFC5952String(), family: 6 };
}

/**
 * The family of an IP literal as written (an IPv4-mapped IPv6 address is 6 here), or
 * `undefined` for anything else.
 * @example ipFamily("10.0.0.1") // 4
 * @example ipFamily("fd01:b::2") // 6
 * @example ipFamily("a1.demo.internal") // undefined
 */
export function ipFamily(text: string): IpFamily | undefined {
  // No parsed object: this runs for every task host and server of a 5,000-app cluster.
  if (isDottedQuad(text)) return 4;
  if (isIpv6Literal(text)) return 6;
  return undefined;
}

/**
 * Strict decimal dotted quad: four parts 0–255, no leading zeros (Go ≥ 1.17 rejects them,
 * and they are octal to some other parsers, so they are ambiguous).
 * @example isDottedQuad("10.0.0.1") // true
 * @example isDottedQuad("010.0.0.1") // false
 */
export function isDottedQuad(text: string): boolean {
  return ipv4Number(text) !== undefined;
}

/**
 * A strict dotted quad (see `isDottedQuad`) as a number, the one IPv4 parser of the code base.
 * Hand-rolled: allocation and the zone builder parse tens of thousands of them.
 * @example ipv4Number("10.0.0.1") // 167772161
 * @example ipv4Number("10.1") // undefined
 */
export function ipv4Number(text: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      if (part > 255) return undefined;
      digits++;
    } else return undefined;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : undefined;
}

/** RFC 4291 text without a zone id: Go's net.ParseIP rejects zones; ipaddr.js would accept `fe80::1%eth0`. */
function isIpv6Literal(text: string): boolean {
  return text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text);
}

/** @example isValidIp("::1") // true */
export function isValidIp(text: string): boolean {
  return ipFamily(text) !== undefined;
}

/**
 * An address or a network (`10.0.0.0/8`, `fd00::/8`), as HAProxy's `src` ACL takes them.
 * @example isValidIpOrCidr("127.0.0.0/8") // true
 */
export function isValidIpOrCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return isValidIp(text);
  const family = ipFamily(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (family === undefined || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * The address as it goes before `:port`: IPv6 in brackets, so the port is not read as its last group.
 * @example addressForPort("::1") // "[::1]"
 * @example addressForPort("10.0.0.1") // "10.0.0.1"
 */
export function addressForPort(ip: string): string {
  return ip.includes(":") && ipFamily(ip) === 6 ? `[${ip}]` : ip;
}
