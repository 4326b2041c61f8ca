/**
 * @module
 * Local lookups behind the HTTP compatibility endpoints. They read the same zone index and
 * renames the DNS answers come from and never forward (neither mesos-dns nor dcos-dns did).
 */
import { planAnswer, type PlannedRecord } from "../authoritative.ts";
import type { ServingState } from "../serving-state.ts";
import { TYPE } from "../wire/constants.ts";
import { keyText, nameKey } from "../wire/names.ts";

const DCOS_DNS_ZONES = new Set(["spartan", "zk", "localhost", "thisdcos.directory", "thisdcos.global"]);

/** Zones dcos-dns served; every other local zone is the Mesos-DNS one and gets mesos-dns shapes. */
export function isDcosDnsZone(origin: string): boolean {
  const name = origin.toLowerCase();
  return DCOS_DNS_ZONES.has(name) || name.endsWith(".thisdcos.directory");
}

/** The zone a host or service name would be answered from, if it is local. */
export function localZoneOf(state: ServingState, name: string): string | undefined {
  const key = nameKey(name);
  if (key === undefined) return undefined;
  const route = state.router.route(key);
  return route.kind === "local" ? state.index.zoneFor(route.key)?.origin : undefined;
}

/**
 * The addresses a local name resolves to (CNAMEs followed), A before AAAA.
 * @example hostAddresses(state, "web.marathon.mesos", ["A", "AAAA"]) // [{ host: "web.marathon.mesos", ip: "10.0.1.11" }]
 */
export function hostAddresses(state: ServingState, name: string, types: ReadonlyArray<"A" | "AAAA">): Array<{ host: string; ip: string }> {
  return types.flatMap((type) => localRecords(state, name, TYPE[type]).map((r) => ({ host: keyText(r.owner), ip: addressOf(r)! })));
}

export interface ServiceTarget {
  target: string;
  port: number;
  /** The target's first local IPv4 and IPv6 address. */
  a?: string;
  aaaa?: string;
}

/**
 * The SRV records of a local name with their targets' first addresses.
 * @example serviceTargets(state, "_http._tcp.web.marathon.mesos") // [{ target: "web-x1.marathon.mesos", port: 31000, a: "10.0.1.11" }]
 */
export function serviceTargets(state: ServingState, name: string): ServiceTarget[] {
  const key = nameKey(name);
  if (key === undefined) return [];
  const route = state.router.route(key);
  if (route.kind !== "local") return [];
  const plan = planAnswer(state.index, route.key, TYPE.SRV, route.alias);
  const first = (owner: string, type: number) => plan.additional.find((r) => r.owner === owner && r.type === type);
  return plan.rrset.flatMap((record) => {
    if (record.data.kind !== "srv") return [];
    const a = first(record.data.key, TYPE.A);
    const aaaa = first(record.data.key, TYPE.AAAA);
    return [{ target: keyText(record.data.key), port: record.data.port, ...(a && { a: addressOf(a) }), ...(aaaa && { aaaa: addressOf(aaaa) }) }];
  });
}

function localRecords(state: ServingState, name: string, qtype: number): PlannedRecord[] {
  const key = nameKey(name);
  if (key === undefined) return [];
  const route = state.router.route(key);
  if (route.kind !== "local") return [];
  return planAnswer(state.index, route.key, qtype, route.alias).rrset.filter((r) => r.type === qtype);
}

function addressOf(record: PlannedRecord): string | undefined {
  return record.data.kind === "a" || record.data.kind === "aaaa" ? record.data.address : undefined;
}
