/**
 * @module
 * IP literals as configs write them. Only the canonical textual forms are accepted (four-part
 * decimal IPv4, RFC 4291 IPv6 without a zone): `ipaddr.js` alone also takes `0x7f.1` or
 * `127.1`, which HAProxy and nft would read differently or refuse.
 */
import ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

/**
 * @example ipFamily("10.0.0.1") // 4
 * @example ipFamily("fd01:b::2") // 6
 * @example ipFamily("a1.demo.internal") // undefined
 */
export function ipFamily(text: string): IpFamily | undefined {
  // A plain regex first: this runs for every task host and server of a 5,000-app cluster.
  if (IPV4.test(text)) return 4;
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) return 6;
  return undefined;
}

/** Four decimal octets 0-255 without leading zeros (which some parsers read as octal). */
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

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
