/**
 * @module
 * IP addresses as unsigned integers (BigInt), for range arithmetic such as "the n-th address
 * after `min`". IPv4 and IPv6 share one code path; the family is a parameter.
 */
import ipaddr from "ipaddr.js";
import { FAMILY_BITS } from "./cidr.ts";
import type { IpFamily } from "./ip-literal.ts";

/**
 * The address as an integer.
 * @example ipToBigInt("11.0.0.1") // 184549377n
 * @example ipToBigInt("fd01:c::1") // 336294945587694339398364264183040000001n
 */
export function ipToBigInt(address: string): bigint {
  let value = 0n;
  for (const byte of ipaddr.parse(address).toByteArray()) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * The address text of an integer (IPv6 in RFC 5952 form).
 * @example bigIntToIp(184549377n, 4) // "11.0.0.1"
 */
export function bigIntToIp(value: bigint, family: IpFamily): string {
  const bytes: number[] = [];
  for (let i = FAMILY_BITS[family] / 8 - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  if (family === 4) return bytes.join(".");
  return (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String();
}

/**
 * A string that sorts like the address: family digit, then the value in fixed-width hex.
 * Computed once per element, it makes sorting a long list cheap.
 * @example ipSortKey("10.0.0.1") < ipSortKey("9.0.0.1") // false
 */
export function ipSortKey(address: string): string {
  if (!address.includes(":")) {
    // IPv4 is the bulk of every VIP table; four numbers are cheaper than a BigInt round trip.
    let value = 0;
    for (const part of address.split(".")) value = value * 256 + Number(part);
    return `4${value.toString(16).padStart(8, "0")}`;
  }
  return `6${ipToBigInt(address).toString(16).padStart(32, "0")}`;
}
