/**
 * @module
 * One record as it comes in (a DesiredState record, or a keyed owner's tuple with its zone's
 * TTL) checked for the wire and turned into what the record slab stores. A record that cannot
 * go on the wire (a bad address, a name too long for DNS, data outside its zone) comes back as
 * the reason, so one bad record never takes a zone down.
 */
import ipaddr from "ipaddr.js";
import type { RecordTuple } from "../../desired/object-values.ts";
import type { DnsRecord } from "../../desired/schema.ts";
import { isDottedQuad } from "../../net/ip-literal.ts";
import { TYPE } from "../wire/constants.ts";
import { isInZone, nameKey } from "../wire/names.ts";
import { ipv4Int } from "./record-slab.ts";

/** A record checked and keyed: its name's key, its type, and its data in the slab's terms. */
export interface CheckedRecord {
  key: string;
  type: number;
  /** A: the address; CNAME, NS, SRV: the target's key; AAAA: the address text. */
  address?: number;
  target?: string;
  text?: string;
  priority?: number;
  weight?: number;
  port?: number;
}

/** The record types a zone index stores (SOA comes from the zone itself). */
export type StoredType = "A" | "AAAA" | "CNAME" | "NS" | "SRV";


/**
 * The record checked against the zone `zoneKey`; a string says why it cannot be served.
 * @example checkRecord(["web.mesos", "A", "10.0.0.1"], nameKey("mesos")!) // { key: "\x03web\x05mesos\x00", type: 1, address: 167772161 }
 */
export function checkRecord(record: RecordTuple, zoneKey: string): CheckedRecord | string {
  const [name, type, data] = record;
  const key = nameKey(name);
  if (key === undefined) return "the name is not a valid domain name";
  if (!isInZone(key, zoneKey)) return "the name is outside the zone";
  switch (type) {
    case "A":
      return isDottedQuad(data) ? { key, type: TYPE.A, address: ipv4Int(data) } : `'${data}' is not an IPv4 address`;
    case "AAAA":
      return data.includes(":") && ipaddr.IPv6.isValid(data) && !data.includes("%") ? { key, type: TYPE.AAAA, text: data } : `'${data}' is not an IPv6 address`;
    case "CNAME":
    case "NS": {
      const target = nameKey(data);
      return target === undefined ? `'${data}' is not a valid domain name` : { key, type: TYPE[type], target };
    }
    case "SRV": {
      const [priority, weight, port, targetName] = data;
      if (![priority, weight, port].every((n) => Number.isInteger(n) && n >= 0 && n <= 65535)) return "priority, weight and port must be 0–65535";
      const target = nameKey(targetName);
      return target === undefined ? `'${targetName}' is not a valid domain name` : { key, type: TYPE.SRV, target, priority, weight, port };
    }
    default:
      return `type ${String(type)} is not served from records (SOA comes from the zone's soa field)`;
  }
}

/**
 * A DesiredState record as a tuple (its TTL is handled apart), or why it cannot be one.
 * @example recordTuple({ name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.1" }) // ["web.mesos", "A", "10.0.0.1"]
 */
export function recordTuple(record: DnsRecord): RecordTuple | string {
  if (record.type === "SOA") return "SOA records come from the zone's soa field";
  if (record.type === "SRV") return [record.name, "SRV", [record.data.priority, record.data.weight, record.data.port, record.data.target]];
  return [record.name, record.type, record.data];
}

/**
 * Why a TTL cannot be served, if it cannot.
 * @example ttlProblem(-1) // "TTL -1 is out of range"
 */
export function ttlProblem(ttl: number): string | undefined {
  return Number.isInteger(ttl) && ttl >= 0 && ttl <= 0x7fffffff ? undefined : `TTL ${ttl} is out of range`;
}
