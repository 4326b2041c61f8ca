/**
 * @module
 * Whole-zone views for `/v1/records` (dcos-dns) and `/v1/axfr` (mesos-dns, the feed dcos-dns
 * itself polled). Both read the zones as served, bad records already left out.
 */
import type { DnsZone } from "../../desired/schema.ts";
import type { ServingState } from "../serving-state.ts";
import { isDcosDnsZone } from "./lookups.ts";
import { compareStrings } from "../../net/compare.ts";

/**
 * Every A, AAAA and SRV record of every zone as one JSON text each
 * (`{"name":…,"host":"<ip>" or "<target>:<port>","rtype":…}`), lazily, for streaming.
 * @example [...recordLines(state)][0] // '{"name":"leader.dcos.thisdcos.directory","host":"10.0.0.1","rtype":"A"}'
 */
export function* recordLines(state: ServingState): Generator<string> {
  for (const zone of state.index.zones) {
    for (const record of zone.records) {
      if (record.type === "A" || record.type === "AAAA") yield JSON.stringify({ name: record.name, host: record.data, rtype: record.type });
      else if (record.type === "SRV") yield JSON.stringify({ name: record.name, host: `${record.data.target}:${record.data.port}`, rtype: "SRV" });
    }
  }
}

/** mesos-dns's `/v1/axfr` document. */
export interface MesosAxfr {
  TTL: number;
  Serial: number;
  RefreshSeconds: number;
  Mname: string;
  Rname: string;
  Domain: string;
  Records: { As: Record<string, string[]>; AAAAs: Record<string, string[]>; SRVs: Record<string, string[]> };
}

/**
 * The Mesos-DNS zone in mesos-dns's AXFR shape (names with the trailing dot, SRV values as
 * `target.:port`); undefined when no such zone is served. `RefreshSeconds` is the SOA refresh.
 * @example axfrOf(state)?.Records.As["leader.mesos."] // ["10.0.0.1"]
 */
export function axfrOf(state: ServingState): MesosAxfr | undefined {
  const zone: DnsZone | undefined = [...state.index.zones].filter((z) => !isDcosDnsZone(z.origin)).sort((a, b) => compareStrings(a.origin, b.origin))[0];
  if (zone === undefined) return undefined;
  const records: MesosAxfr["Records"] = { As: {}, AAAAs: {}, SRVs: {} };
  for (const record of zone.records) {
    const name = `${record.name}.`;
    if (record.type === "A") (records.As[name] ??= []).push(record.data);
    else if (record.type === "AAAA") (records.AAAAs[name] ??= []).push(record.data);
    else if (record.type === "SRV") (records.SRVs[name] ??= []).push(`${record.data.target}.:${record.data.port}`);
  }
  return {
    TTL: zone.ttl,
    Serial: zone.soa.serial,
    RefreshSeconds: zone.soa.refresh,
    Mname: `${zone.soa.mname}.`,
    Rname: `${zone.soa.rname}.`,
    Domain: zone.origin,
    Records: records,
  };
}
