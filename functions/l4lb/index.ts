/**
 * @module
 * The L4 virtual-IP table of a snapshot (Minuteman / dcos-l4lb, specs/overlay_l4lb.md §4): every
 * VIP label of every running or killing task becomes a backend of a service `(protocol, VIP, port)`;
 * named VIPs get an address from the configured ranges and the DNS name
 * `<label>.<framework>.l4lb.thisdcos.directory`. Where dcos-l4lb gossiped each agent's local
 * backends, every node here computes the whole table from the same snapshot.
 */
import { L4LB_ZONE, type Diagnostic, type L4Backend, type L4Service } from "../../lib/desired/schema.ts";
import { ipSortKey } from "../../lib/net/ip-bigint.ts";
import type { IpFamily } from "../../lib/net/ip-literal.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { namedVipAddresses } from "./named-vip-addresses.ts";
import { unusedMarathonVips } from "./marathon-vips.ts";
import { hasBackends, taskVipEntries, type ResolvedLabel, type VipKey } from "./task-vips.ts";
import { isVipLabelKey, legacyVipLabel } from "../task-facts/vip-label.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/** The reason most tasks have no VIP backend, one string for all of them. */
const NO_VIP_LABEL = "no VIP label on any of its ports (DiscoveryInfo port labels VIP_*, or VIP_PORT<n> task labels)";

export interface L4lbResult {
  /** Sorted by VIP address, port, protocol. */
  services: L4Service[];
  /** Every named-VIP address in force: those in `services`, and those kept through their grace period. */
  namedVips: PreviousNamedVip[];
  diagnostics: Diagnostic[];
}

interface Group {
  key: VipKey;
  /** `ip port` → backend. */
  backends: Map<string, L4Backend>;
}

/**
 * @example
 * l4lbServices(snapshot).services[0]
 * // { vip: { ip: "11.171.172.79", port: 80, protocol: "tcp" }, name: "app.marathon",
 * //   dnsName: "app.marathon.l4lb.thisdcos.directory", scheduler: "wlc", backends: [...] }
 */
export function l4lbServices(snapshot: ClusterSnapshot, provenance?: Provenance): L4lbResult {
  const config = snapshot.config.l4lb;
  const diagnostics: Diagnostic[] = [];
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const frameworks = new Map(snapshot.frameworks.map((f) => [f.id, f]));
  const groups = new Map<string, Group>();
  const labels = new Map<string, ResolvedLabel>();

  for (const task of snapshot.tasks) {
    // Most tasks carry no VIP label at all; they cost one look at their labels.
    if (!hasBackends(task) || !carriesVips(task)) {
      if (provenance !== undefined) {
        const reason = carriesVips(task) ? `${task.state}: only TASK_RUNNING and TASK_KILLING tasks are VIP backends` : NO_VIP_LABEL;
        provenance.skipped(`task:${task.id}`, "l4lb", reason);
      }
      continue;
    }
    const agent = agents.get(task.agentId);
    const framework = frameworks.get(task.frameworkId);
    if (agent === undefined || framework === undefined) {
      const what = agent === undefined ? `agent ${task.agentId}` : `framework ${task.frameworkId}`;
      diagnostics.push({ level: "warning", code: "l4lb.unknown-owner", subject: `task:${task.id}`, message: `${what} is not in the snapshot; the task's VIP backends are left out` });
      continue;
    }
    const result = taskVipEntries(task, { agent, framework, ipv6: config.ipv6, labels });
    diagnostics.push(...result.diagnostics);
    if (provenance !== undefined && result.entries.some((e) => e.backend.weight === 0)) {
      provenance.skipped(`task:${task.id}`, "l4lb", `weight 0 on its VIPs: ${task.state === "TASK_KILLING" ? "TASK_KILLING" : "its health check fails (or has not passed yet)"} (it keeps its connections, gets no new ones)`);
    }
    for (const { key, backend } of result.entries) addBackend(groups, key, backend, provenance);
  }
  diagnostics.push(...unusedMarathonVips(snapshot.marathonApps, snapshot.tasks));

  const { addresses, retained } = allocate(snapshot, groups, diagnostics);
  const services = new Map<string, L4Service>();
  const conflicts: Array<Extract<VipKey, { kind: "ip" }>> = [];
  // Named VIPs first: their addresses are stable allocations, an IP VIP on the same key yields.
  for (const group of groups.values()) {
    const { key } = group;
    if (key.kind !== "named") continue;
    for (const family of [4, 6] as const) {
      const backends = sortedBackends(group.backends).filter((b) => familyOf(b.ip) === family);
      const ip = addresses[family].get(key.name);
      if (backends.length === 0 || ip === undefined) continue;
      const dnsName = `${key.name}.${L4LB_ZONE}`;
      addService(services, { vip: { ip, port: key.port, protocol: key.protocol }, name: key.name, dnsName, scheduler: config.scheduler, backends });
    }
  }
  for (const group of groups.values()) {
    const { key } = group;
    if (key.kind !== "ip") continue;
    const service = { vip: { ip: key.ip, port: key.port, protocol: key.protocol }, scheduler: config.scheduler, backends: sortedBackends(group.backends) };
    if (!addService(services, service)) conflicts.push(key);
  }
  for (const key of conflicts) {
    diagnostics.push({
      level: "error",
      code: "l4lb.vip-conflict",
      subject: `vip:${key.protocol}:${key.ip}:${key.port}`,
      message: `the IP VIP ${key.ip}:${key.port}/${key.protocol} is also a named VIP's address and port; the named VIP keeps it`,
    });
  }
  const sorted = [...services.entries()].map(([k, s]) => [sortKey(s), k, s] as const).sort(([a], [b]) => compareStrings(a, b));
  const namedVips = [...retained];
  for (const family of [4, 6] as const) for (const [name, ip] of addresses[family]) namedVips.push({ name, ip });
  namedVips.sort((a, b) => compareStrings(a.name, b.name) || compareStrings(a.ip, b.ip));
  return { services: sorted.map(([, , s]) => s), namedVips, diagnostics };
}

function carriesVips(task: ClusterSnapshot["tasks"][number]): boolean {
  return (
    task.labels.some((l) => legacyVipLabel(l.key, l.value) !== undefined) ||
    (task.discovery?.ports ?? []).some((p) => p.labels.some((l) => isVipLabelKey(l.key)))
  );
}

/** One backend per address and port: a re-used host port keeps the serving (higher-weight) task. */
function addBackend(groups: Map<string, Group>, key: VipKey, backend: L4Backend, provenance: Provenance | undefined): void {
  const id = key.kind === "named" ? `n ${key.name} ${key.protocol} ${key.port}` : `i ${key.ip} ${key.protocol} ${key.port}`;
  let group = groups.get(id);
  if (group === undefined) groups.set(id, (group = { key, backends: new Map() }));
  const at = `${backend.ip} ${backend.port}`;
  const existing = group.backends.get(at);
  const wins = existing === undefined || backend.weight > existing.weight || (backend.weight === existing.weight && backend.taskId < existing.taskId);
  if (wins) group.backends.set(at, backend);
  if (provenance === undefined || existing === undefined) return;
  const [loser, winner] = wins ? [existing, backend] : [backend, existing];
  const vip = key.kind === "named" ? `${key.name}:${key.port}/${key.protocol}` : `${key.ip}:${key.port}/${key.protocol}`;
  provenance.skipped(`task:${loser.taskId}`, "l4lb", `its backend ${addressForPort(loser.ip)}:${loser.port} of VIP ${vip} is served by task ${winner.taskId} (same address and port)`);
}

/**
 * Named-VIP addresses per family, for the names that have backends of that family. A previous
 * name without backends now keeps its address reserved through `namedVipGraceSeconds`, counted
 * from the first snapshot it was missing from.
 */
function allocate(snapshot: ClusterSnapshot, groups: ReadonlyMap<string, Group>, diagnostics: Diagnostic[]) {
  const config = snapshot.config.l4lb;
  const names: Record<IpFamily, Set<string>> = { 4: new Set(), 6: new Set() };
  const reserved = new Set<string>();
  for (const { key, backends } of groups.values()) {
    if (key.kind === "ip") reserved.add(key.ip);
    else for (const b of backends.values()) names[familyOf(b.ip)].add(key.name);
  }
  const previous: Record<IpFamily, Map<string, string>> = { 4: new Map(), 6: new Map() };
  const retained: PreviousNamedVip[] = [];
  const now = Date.parse(snapshot.now);
  for (const { name, ip, lastSeen } of snapshot.previous.l4lb?.namedVips ?? []) {
    const family = familyOf(ip);
    if (names[family].has(name)) previous[family].set(name, ip);
    else if (now - Date.parse(lastSeen ?? snapshot.now) <= config.namedVipGraceSeconds * 1000 && config.namedVipGraceSeconds > 0) {
      retained.push({ name, ip, lastSeen: lastSeen ?? snapshot.now });
      reserved.add(ip);
    }
  }
  const ranges = { 4: config.ipv4Range, 6: config.ipv6Range };
  const addresses = { 4: new Map<string, string>(), 6: new Map<string, string>() };
  for (const family of [4, 6] as const) {
    const result = namedVipAddresses({ range: { family, ...ranges[family] }, names: [...names[family]], previous: previous[family], reserved });
    addresses[family] = result.addresses;
    diagnostics.push(...result.diagnostics);
  }
  return { addresses, retained };
}

/** Adds a service unless its (address, port, protocol) is taken. */
function addService(services: Map<string, L4Service>, service: L4Service): boolean {
  const id = `${service.vip.ip} ${service.vip.port} ${service.vip.protocol}`;
  if (services.has(id)) return false;
  services.set(id, service);
  return true;
}

function sortedBackends(backends: ReadonlyMap<string, L4Backend>): L4Backend[] {
  return [...backends.values()]
    .map((b) => [`${ipSortKey(b.ip)} ${String(b.port).padStart(5, "0")}`, b] as const)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, b]) => b);
}

function sortKey(s: L4Service): string {
  return `${ipSortKey(s.vip.ip)} ${String(s.vip.port).padStart(5, "0")} ${s.vip.protocol}`;
}

function familyOf(ip: string): IpFamily {
  return ip.includes(":") ? 6 : 4;
}
