/**
 * @module
 * The L4 virtual-IP table of a snapshot (Minuteman / dcos-l4lb, specs/overlay_l4lb.md §4): every
 * VIP label of every running or killing task becomes a backend of a service `(protocol, VIP, port)`;
 * named VIPs get an address from the configured ranges and the DNS name
 * `<label>.<framework>.l4lb.thisdcos.directory`. Where dcos-l4lb gossiped each agent's local
 * backends, every node here computes the whole table from the same snapshot.
 *
 * Stages, each its own file: a task's offers (`task-vips.ts`), the groups of offers per VIP
 * (`vip-groups.ts`), named-VIP addresses (`named-vip-allocation.ts`), and the services of a
 * group (`vip-services.ts`). The keyed desired state runs the same stages per owner.
 */
import type { IpvsScheduler } from "../../lib/desired/ipvs-schedulers.ts";
import type { Diagnostic, L4Service } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { ipSortKey } from "../../lib/net/ip-bigint.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import { unusedMarathonVips } from "./marathon-vips.ts";
import { allocateNamedVips, compareNamedVips, type NamedVipAllocation } from "./named-vip-allocation.ts";
import { hasBackends, taskVipEntries, type ResolvedLabel, type VipEntry } from "./task-vips.ts";
import { isVipLabelKey, legacyVipLabel } from "../task-facts/vip-label.ts";
import { VipGroups, type VipGroup } from "./vip-groups.ts";
import { ipService, namedService, serviceAddress, vipConflict } from "./vip-services.ts";

export interface L4lbResult {
  /** Sorted by VIP address, port, protocol. */
  services: L4Service[];
  /** Every named-VIP address in force: those in `services`, and those kept through their grace period. */
  namedVips: PreviousNamedVip[];
  diagnostics: Diagnostic[];
}

/**
 * @example
 * l4lbServices(snapshot).services[0]
 * // { vip: { ip: "11.171.172.79", port: 80, protocol: "tcp" }, name: "app.marathon",
 * //   dnsName: "app.marathon.l4lb.thisdcos.directory", scheduler: "wlc", backends: [...] }
 */
export function l4lbServices(snapshot: ClusterSnapshot): L4lbResult {
  const { groups, taskDiagnostics } = vipGroupsOf(snapshot);
  const allocation = allocateSnapshotVips(snapshot, groups);
  const table = vipTable(groups, allocation, snapshot.config.l4lb.scheduler);
  const services = table.services.map(({ service }) => service).sort((a, b) => compareStrings(serviceSortKey(a), serviceSortKey(b)));
  return {
    services,
    namedVips: namedVipsOf(allocation),
    diagnostics: [...[...taskDiagnostics.values()].flat(), ...unusedMarathonVips(snapshot.marathonApps, snapshot.tasks), ...allocation.diagnostics, ...table.conflicts],
  };
}

/**
 * Every task's offers, grouped by VIP, and each task's offers and diagnostics.
 * @example vipGroupsOf(snapshot).groups.namesWithBackends(4) // Set {"app.marathon"}
 */
export function vipGroupsOf(snapshot: ClusterSnapshot): { groups: VipGroups; offers: Map<string, VipEntry[]>; taskDiagnostics: Map<string, Diagnostic[]> } {
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const frameworks = new Map(snapshot.frameworks.map((f) => [f.id, f]));
  const labels = new Map<string, ResolvedLabel>();
  const groups = new VipGroups();
  const taskDiagnostics = new Map<string, Diagnostic[]>();
  const offersOf = new Map<string, VipEntry[]>();
  for (const task of snapshot.tasks) {
    const offers = taskVipOffers(task, agents.get(task.agentId), frameworks.get(task.frameworkId), snapshot.config.l4lb.ipv6, labels);
    for (const entry of offers.entries) groups.add(task.id, entry);
    if (offers.entries.length > 0) offersOf.set(task.id, [...(offersOf.get(task.id) ?? []), ...offers.entries]);
    if (offers.diagnostics.length > 0) taskDiagnostics.set(task.id, [...(taskDiagnostics.get(task.id) ?? []), ...offers.diagnostics]);
  }
  return { groups, offers: offersOf, taskDiagnostics };
}

/**
 * One task's VIP offers and diagnostics: none unless it is running or killing and carries a
 * VIP label; a diagnostic when its agent or framework is unknown.
 * @example taskVipOffers(task, agent, framework, true).entries[0].key // { kind: "named", name: "app.marathon", ... }
 */
export function taskVipOffers(
  task: Task,
  agent: Agent | undefined,
  framework: Framework | undefined,
  ipv6: boolean,
  labels?: Map<string, ResolvedLabel>,
): { entries: VipEntry[]; diagnostics: Diagnostic[] } {
  // Most tasks carry no VIP label at all; they cost one look at their labels.
  if (!hasBackends(task) || !carriesVips(task)) return { entries: [], diagnostics: [] };
  if (agent === undefined || framework === undefined) {
    const what = agent === undefined ? `agent ${task.agentId}` : `framework ${task.frameworkId}`;
    return {
      entries: [],
      diagnostics: [{ level: "warning", code: "l4lb.unknown-owner", subject: `task:${task.id}`, message: `${what} is not in the snapshot; the task's VIP backends are left out` }],
    };
  }
  return taskVipEntries(task, { agent, framework, ipv6, ...(labels === undefined ? {} : { labels }) });
}

/**
 * The snapshot's named-VIP addresses for these groups, its `previous.l4lb` kept.
 * @example allocateSnapshotVips(snapshot, groups).addresses[4].get("app.marathon") // "11.171.172.79"
 */
export function allocateSnapshotVips(snapshot: ClusterSnapshot, groups: VipGroups): NamedVipAllocation {
  return allocateNamedVips({
    names: { 4: groups.namesWithBackends(4), 6: groups.namesWithBackends(6) },
    ipVips: groups.ipVipAddresses(),
    previous: snapshot.previous.l4lb?.namedVips ?? [],
    now: snapshot.now,
    config: snapshot.config.l4lb,
  });
}

/** One service of the table with the group it came from. */
export interface TableService {
  group: VipGroup;
  service: L4Service;
}

/**
 * Every group's services: the named ones first (their addresses are stable allocations), then
 * the IP ones, except where a named service holds the address and port (reported).
 * @example vipTable(groups, allocation, "wlc").services.length // 3
 */
export function vipTable(groups: VipGroups, allocation: Pick<NamedVipAllocation, "addresses">, scheduler: IpvsScheduler): { services: TableService[]; conflicts: Diagnostic[] } {
  const services: TableService[] = [];
  const taken = new Set<string>();
  for (const group of groups.values()) {
    if (group.key.kind !== "named") continue;
    for (const family of [4, 6] as const) {
      const service = namedService(groups, group, family, allocation.addresses[family].get(group.key.name), scheduler);
      if (service === undefined) continue;
      taken.add(serviceAddress(service.vip));
      services.push({ group, service });
    }
  }
  const conflicts: Diagnostic[] = [];
  for (const group of groups.values()) {
    const { key } = group;
    if (key.kind !== "ip") continue;
    const service = ipService(groups, { ...group, key }, scheduler);
    if (taken.has(serviceAddress(service.vip))) conflicts.push(vipConflict(key));
    else services.push({ group, service });
  }
  return { services, conflicts };
}

/**
 * The `namedVips` list: every name's address per family and the names kept through their
 * grace period, sorted (`compareNamedVips`).
 * @example namedVipsOf(allocation) // [{ name: "app.marathon", ip: "11.171.172.79" }]
 */
export function namedVipsOf(allocation: Pick<NamedVipAllocation, "addresses" | "retained">): PreviousNamedVip[] {
  const namedVips = [...allocation.retained];
  for (const family of [4, 6] as const) for (const [name, ip] of allocation.addresses[family]) namedVips.push({ name, ip });
  return namedVips.sort(compareNamedVips);
}


/**
 * The order of the VIP table: address, port, protocol.
 * @example serviceSortKey(service) // "...  00080 tcp"
 */
export function serviceSortKey(s: L4Service): string {
  return `${ipSortKey(s.vip.ip)} ${String(s.vip.port).padStart(5, "0")} ${s.vip.protocol}`;
}

/**
 * True when the task carries a VIP label on any port (most tasks carry none).
 * @example carriesVips(task) // true for a task whose DiscoveryInfo port has a VIP_0 label
 */
export function carriesVips(task: Task): boolean {
  return (
    task.labels.some((l) => legacyVipLabel(l.key, l.value) !== undefined) ||
    (task.discovery?.ports ?? []).some((p) => p.labels.some((l) => isVipLabelKey(l.key)))
  );
}
