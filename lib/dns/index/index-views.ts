/**
 * @module
 * The zone index's records as DesiredState records again: one name's, for an answer being
 * compiled (the compiled answer is cached, so this runs once per name and type, not per query),
 * and a whole zone's, for the HTTP dumps. Records come out in the zone builder's order (by
 * name, then NS, CNAME, A, AAAA, SRV, then value), so answers do not depend on the order in
 * which owners arrived.
 */
import type { DnsRecord, SrvData } from "../../desired/schema.ts";
import { compareStrings } from "../../net/compare.ts";
import { TYPE } from "../wire/constants.ts";
import { keyText } from "../wire/names.ts";
import type { NameNode, ZoneIndex, ZoneSlot } from "../zone-index.ts";
import { ipv4Text } from "./record-slab.ts";

const TYPE_NAMES: Readonly<Record<number, "A" | "AAAA" | "CNAME" | "NS" | "SRV">> = { [TYPE.A]: "A", [TYPE.AAAA]: "AAAA", [TYPE.CNAME]: "CNAME", [TYPE.NS]: "NS", [TYPE.SRV]: "SRV" };
const TYPE_ORDER: Readonly<Record<string, number>> = { NS: 0, CNAME: 1, A: 2, AAAA: 3, SRV: 4 };

/**
 * @example materializeNode(index, index.names.id(nameKey("web.mesos")!)!).A // [{ name: "web.mesos", type: "A", ttl: 60, data: "10.0.0.1" }]
 */
export function materializeNode(index: ZoneIndex, nameId: number): NameNode {
  const node: NameNode = {};
  const name = keyText(index.names.key(nameId));
  for (let id = index.names.head(nameId); id >= 0; id = index.records.next[id]!) {
    const record = recordOf(index, id, name);
    if (record.type === "CNAME") node.CNAME = record;
    else if (record.type !== "SOA") (node[record.type] ??= [] as never[]).push(record as never);
  }
  node.A?.sort(byData);
  node.AAAA?.sort(byData);
  node.NS?.sort(byData);
  node.SRV?.sort((a, b) => compareSrv(a.data, b.data));
  return node;
}

/**
 * Every record of a zone, sorted as the zone builder sorts them.
 * @example dumpZone(index, slot).records.length // 163019
 */
export function dumpZone(index: ZoneIndex, zone: ZoneSlot): { origin: string; ttl: number; soa: ZoneSlot["soa"]; records: DnsRecord[] } {
  const records: DnsRecord[] = [];
  for (const nameId of index.names.liveIds()) {
    let name: string | undefined;
    for (let id = index.names.head(nameId); id >= 0; id = index.records.next[id]!) {
      if (index.records.zone[id] !== zone.slot) continue;
      name ??= keyText(index.names.key(nameId));
      records.push(recordOf(index, id, name));
    }
  }
  records.sort(compareRecords);
  return { origin: zone.origin, ttl: zone.ttl, soa: zone.soa, records };
}

function recordOf(index: ZoneIndex, id: number, name: string): DnsRecord {
  const type = TYPE_NAMES[index.records.type[id]!]!;
  const ttl = index.ttlOf(id);
  const value = index.records.value[id]!;
  switch (type) {
    case "A":
      return { name, type, ttl, data: ipv4Text(value) };
    case "AAAA":
      return { name, type, ttl, data: index.records.text(id) };
    case "CNAME":
    case "NS":
      return { name, type, ttl, data: keyText(index.names.key(value)) };
    case "SRV": {
      const packed = index.records.srv[id]!;
      return { name, type, ttl, data: { priority: packed >>> 16, weight: packed & 0xffff, port: index.records.port[id]!, target: keyText(index.names.key(value)) } };
    }
  }
}

function byData(a: { data: string }, b: { data: string }): number {
  return compareStrings(a.data, b.data);
}

function compareSrv(a: SrvData, b: SrvData): number {
  return compareStrings(a.target, b.target) || a.port - b.port || a.priority - b.priority || a.weight - b.weight;
}

function compareRecords(a: DnsRecord, b: DnsRecord): number {
  const byName = compareStrings(a.name, b.name);
  if (byName !== 0) return byName;
  if (a.type !== b.type) return TYPE_ORDER[a.type]! - TYPE_ORDER[b.type]!;
  if (a.type === "SRV") return compareSrv(a.data, (b as typeof a).data);
  return compareStrings(a.data as string, b.data as string);
}
