/**
 * @module
 * How L4 services are named in plans and reports.
 */
import type { L4Service } from "../../desired/schema.ts";

/**
 * @example serviceKey({ vip: { ip: "11.0.0.1", port: 80, protocol: "tcp" }, ... }) // "tcp 11.0.0.1:80"
 * @example serviceKey({ vip: { ip: "fd01:c::1", port: 53, protocol: "udp" }, ... }) // "udp [fd01:c::1]:53"
 */
export function serviceKey(service: L4Service): string {
  const { ip, port, protocol } = service.vip;
  return vipKeyText(ip, port, protocol);
}

/**
 * @example vipKeyText("fd01:c::1", 53, "udp") // "udp [fd01:c::1]:53"
 */
export function vipKeyText(ip: string, port: number, protocol: string): string {
  return `${protocol} ${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}
