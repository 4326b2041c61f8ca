/**
 * @module
 * Named-VIP addresses for a whole snapshot: per family, the names that have backends of that
 * family get one (`named-vip-addresses.ts`), keeping the previous one where they had it. A
 * previous name without backends now keeps its address reserved through
 * `namedVipGraceSeconds`, counted from the first snapshot it was missing from.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { IpFamily } from "../../lib/net/ip-literal.ts";
import type { L4lbConfig } from "../../lib/snapshot/config.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { namedVipAddresses } from "./named-vip-addresses.ts";
import { familyOf } from "./vip-groups.ts";

export interface NamedVipAllocationInput {
  /** Per family, the names with a backend of that family. */
  names: Record<IpFamily, ReadonlySet<string>>;
  /** Addresses IP VIPs are written as: no new name may take one. */
  ipVips: Iterable<string>;
  previous: readonly PreviousNamedVip[];
  /** The snapshot's time. */
  now: string;
  config: L4lbConfig;
}

export interface NamedVipAllocation {
  /** Per family, name → address. */
  addresses: Record<IpFamily, Map<string, string>>;
  /** Previous names without backends still in their grace period, with the time they were last seen. */
  retained: PreviousNamedVip[];
  diagnostics: Diagnostic[];
}

/**
 * @example
 * allocateNamedVips({ names: { 4: new Set(["app.marathon"]), 6: new Set() }, ipVips: [], previous: [], now, config })
 *   .addresses[4].get("app.marathon") // "11.171.172.79"
 */
export function allocateNamedVips(input: NamedVipAllocationInput): NamedVipAllocation {
  const { config, names } = input;
  const reserved = new Set<string>(input.ipVips);
  const previous: Record<IpFamily, Map<string, string>> = { 4: new Map(), 6: new Map() };
  const retained: PreviousNamedVip[] = [];
  for (const { name, ip, lastSeen } of input.previous) {
    const family = familyOf(ip);
    if (names[family].has(name)) previous[family].set(name, ip);
    else if (withinGrace(lastSeen ?? input.now, input.now, config.namedVipGraceSeconds)) {
      retained.push({ name, ip, lastSeen: lastSeen ?? input.now });
      reserved.add(ip);
    }
  }
  const ranges = { 4: config.ipv4Range, 6: config.ipv6Range };
  const addresses = { 4: new Map<string, string>(), 6: new Map<string, string>() };
  const diagnostics: Diagnostic[] = [];
  for (const family of [4, 6] as const) {
    const result = namedVipAddresses({ range: { family, ...ranges[family] }, names: [...names[family]], previous: previous[family], reserved });
    addresses[family] = result.addresses;
    diagnostics.push(...result.diagnostics);
  }
  return { addresses, retained, diagnostics };
}

/**
 * True while a name last seen at `lastSeen` keeps its address at `now`; never with a grace of 0.
 * @example withinGrace("2026-01-01T00:00:00Z", "2026-01-01T00:30:00Z", 3600) // true
 */
export function withinGrace(lastSeen: string, now: string, graceSeconds: number): boolean {
  return graceSeconds > 0 && Date.parse(now) - Date.parse(lastSeen) <= graceSeconds * 1000;
}

/**
 * The order of the `namedVips` list: name, address, then the time last seen (a previous list
 * may name one address twice), so the list never depends on the order it was built in.
 * @example entries.sort(compareNamedVips)
 */
export function compareNamedVips(a: PreviousNamedVip, b: PreviousNamedVip): number {
  return compareStrings(a.name, b.name) || compareStrings(a.ip, b.ip) || compareStrings(a.lastSeen ?? "", b.lastSeen ?? "");
}
