/**
 * @module
 * The L4 part of a whole derivation: each VIP group's services (`l4lb/named/...`,
 * `l4lb/ip/...`), each named VIP's addresses (`control/l4lb/named/<name>`) and the
 * diagnostics of tasks, addresses and conflicts.
 */
import type { L4Service } from "../../lib/desired/schema.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { allocateSnapshotVips, namedVipsOf, vipGroupsOf, vipTable } from "../l4lb/index.ts";
import { unusedMarathonVips } from "../l4lb/marathon-vips.ts";
import type { NamedVipAllocation } from "../l4lb/named-vip-allocation.ts";
import type { VipEntry, VipKey } from "../l4lb/task-vips.ts";
import { familyOf, type VipGroups } from "../l4lb/vip-groups.ts";
import { Part, type DiagnosticObjects } from "./diagnostic-objects.ts";
import type { KeyedObjects } from "./object-store.ts";

/** What the L4 part leaves for the rest of a derivation (and for the incremental form to start from). */
export interface L4lbDerivation {
  groups: VipGroups;
  /** Task id → its offers (tasks with none are left out). */
  offers: Map<string, VipEntry[]>;
  allocation: NamedVipAllocation;
  /** Named VIP → its services, for its DNS records. */
  servicesByName: Map<string, L4Service[]>;
}

/**
 * Writes the L4 objects of `snapshot`.
 * @example deriveL4lb(snapshot, objects, diagnostics).servicesByName.get("app.marathon")?.length // 2 (tcp and udp)
 */
export function deriveL4lb(snapshot: ClusterSnapshot, objects: KeyedObjects, diagnostics: DiagnosticObjects): L4lbDerivation {
  const { groups, offers, taskDiagnostics } = vipGroupsOf(snapshot);
  for (const list of taskDiagnostics.values()) diagnostics.add(Part.l4lbTask, list);
  diagnostics.add(Part.l4lbMarathon, unusedMarathonVips(snapshot.marathonApps, snapshot.tasks));
  const allocation = allocateSnapshotVips(snapshot, groups);
  diagnostics.add(Part.l4lbAllocation, allocation.diagnostics);
  const table = vipTable(groups, allocation, snapshot.config.l4lb.scheduler);
  diagnostics.add(Part.l4lbConflict, table.conflicts);
  const byName = new Map<string, L4Service[]>();
  for (const { group, service } of table.services) {
    objects.set(serviceKey(group.key, service), service);
    if (group.key.kind !== "named") continue;
    const list = byName.get(group.key.name);
    if (list === undefined) byName.set(group.key.name, [service]);
    else list.push(service);
  }
  for (const [name, entries] of namedVipsByName(namedVipsOf(allocation))) objects.set(ObjectKeys.namedVipAllocation(name), entries);
  return { groups, offers, allocation, servicesByName: byName };
}

/**
 * The key of a group's service (a named VIP has one per family).
 * @example serviceKey({ kind: "named", name: "app.marathon", protocol: "tcp", port: 80 }, service) // "l4lb/named/app.marathon/tcp/80/ipv4"
 */
export function serviceKey(key: VipKey, service: L4Service): string {
  return key.kind === "named" ? ObjectKeys.l4NamedService(key.name, key.protocol, key.port, familyOf(service.vip.ip)) : ObjectKeys.l4IpService(key.ip, key.protocol, key.port);
}

/** The sorted `namedVips` list, one list per name (still sorted). */
function namedVipsByName(list: readonly PreviousNamedVip[]): Map<string, PreviousNamedVip[]> {
  const byName = new Map<string, PreviousNamedVip[]>();
  for (const entry of list) {
    const own = byName.get(entry.name);
    if (own === undefined) byName.set(entry.name, [entry]);
    else own.push(entry);
  }
  return byName;
}
