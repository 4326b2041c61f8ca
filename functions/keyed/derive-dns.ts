/**
 * @module
 * The DNS part of a whole derivation: the zones' headers, every owner's records (masters,
 * agents, frameworks, tasks, named VIPs), the forwarding settings with each agent's networks,
 * the aliases, and the diagnostics of each. Owners sharing an id (a snapshot may list a task
 * twice) share one object, their records united.
 */
import type { DnsOwnerRecords } from "../../lib/desired/object-values.ts";
import { ObjectKeys, type DnsOwner } from "../../lib/desired/object-keys.ts";
import type { L4Service } from "../../lib/desired/schema.ts";
import type { Agent, ClusterSnapshot, Framework } from "../../lib/snapshot/schema.ts";
import { agentForwardingNetworks, forwardingBase } from "../dns-forwarding.ts";
import { agentWithoutIp, labelMemo } from "../dns-zones/dcos-task-zone.ts";
import { MESOS_MIRROR_ZONE } from "../dns-zones/dcos-zones.ts";
import type { AgentInfo } from "../dns-zones/mesos-agents.ts";
import type { TaskFramework } from "../dns-zones/mesos-tasks.ts";
import { frameworkCollisionsOf, mesosSettings } from "../dns-zones/mesos-zone.ts";
import { Part, type DiagnosticObjects } from "./diagnostic-objects.ts";
import { addAgentDns, addFrameworkDns, addTaskDns, dnsZoneHeaders, mastersDns, OwnerZones, vipDns } from "./dns-owners.ts";
import type { KeyedObjects } from "./object-store.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";
import { reportMasterRecords, reportOwnerRecords, reportZoneRecords } from "./dns-provenance.ts";

/** What the DNS part leaves for the incremental form: the tasks whose records want their agent's IP, with that agent. */
export interface DnsDerivation {
  wanting: Map<string, string>;
}

/**
 * `provenance`, when given, is told every owner's records and why a task has none.
 * @example deriveDns(snapshot, objects, diagnostics, vipServices); objects.has("dns/zone/mesos") // true
 */
export function deriveDns(
  snapshot: ClusterSnapshot,
  objects: KeyedObjects,
  diagnostics: DiagnosticObjects,
  vipServices: ReadonlyMap<string, readonly L4Service[]>,
  provenance?: Provenance,
): DnsDerivation {
  const settings = mesosSettings(snapshot);
  for (const [id, header] of dnsZoneHeaders(snapshot)) {
    objects.set(ObjectKeys.dnsZone(id), header);
    if (provenance !== undefined) reportZoneRecords(provenance, header);
  }
  objects.set(ObjectKeys.dnsAliases, aliasesOf(snapshot));

  const masters = mastersDns(snapshot, settings);
  objects.set(ObjectKeys.dnsRecords({ kind: "masters" }), masters.records);
  if (provenance !== undefined) reportMasterRecords(provenance, masters.records);
  diagnostics.add(Part.dnsMesos, masters.mesos);
  diagnostics.add(Part.dnsDcosMasters, masters.dcos);

  const owners = new SharedOwners(objects, provenance);
  const agentCopies = repeatedIds(snapshot.agents);
  const agents = new Map<string, { agent: Agent; info: AgentInfo }>();
  for (const agent of snapshot.agents) {
    const own = owners.with({ kind: "agent", id: agent.id }, agentCopies.get(agent.id) ?? 1, (zones) => addAgentDns(zones, agent, settings));
    agents.set(agent.id, { agent, info: own.info });
    diagnostics.add(Part.dnsMesos, own.diagnostics);
  }
  const frameworkCopies = repeatedIds(snapshot.frameworks);
  const frameworks = new Map<string, { framework: Framework; info: TaskFramework }>();
  for (const framework of snapshot.frameworks) {
    const own = owners.with({ kind: "framework", id: framework.id }, frameworkCopies.get(framework.id) ?? 1, (zones) => addFrameworkDns(zones, framework, settings));
    frameworks.set(framework.id, { framework, info: own.info });
    diagnostics.add(Part.dnsMesos, own.diagnostics);
  }
  diagnostics.add(Part.dnsCollision, frameworkCollisionsOf(snapshot.frameworks, settings));

  const wanting = new Map<string, string>();
  const label = labelMemo();
  const sources = snapshot.config.dns.ipSources;
  const taskCopies = repeatedIds(snapshot.tasks);
  for (const task of snapshot.tasks) {
    const agent = agents.get(task.agentId);
    const framework = frameworks.get(task.frameworkId);
    const context = { settings, sources, agent: agent?.agent, agentInfo: agent?.info, framework: framework?.framework, frameworkInfo: framework?.info, label };
    const own = owners.with({ kind: "task", id: task.id }, taskCopies.get(task.id) ?? 1, (zones) => addTaskDns(zones, task, context));
    diagnostics.add(Part.dnsMesos, own.mesos);
    diagnostics.add(Part.dnsDcos, own.dcos);
    if (own.wantsAgentIp) wanting.set(task.id, task.agentId);
    if (provenance !== undefined && task.state !== "TASK_RUNNING") {
      for (const zones of ["Mesos-DNS", "dcos-dns"]) provenance.skipped(`task:${task.id}`, "dns", `${task.state}: only TASK_RUNNING tasks get ${zones} records`);
    }
  }
  for (const id of new Set(wanting.values())) {
    const missing = agentWithoutIp(agents.get(id)!.agent);
    if (missing !== undefined) diagnostics.add(Part.dnsDcosAgent, [missing]);
  }
  for (const [name, services] of vipServices) {
    const own = vipDns(services);
    objects.set(ObjectKeys.dnsRecords({ kind: "vip", id: name }), own.records);
    if (provenance !== undefined) reportOwnerRecords(provenance, `vip:${name}`, own.records);
    diagnostics.add(Part.dnsL4lb, own.diagnostics);
  }

  const forwarding = forwardingBase(snapshot);
  objects.set(ObjectKeys.dnsForwarding, forwarding.forwarding);
  diagnostics.add(Part.forwarding, forwarding.diagnostics);
  if (forwarding.agentsAllowed) {
    for (const agent of snapshot.agents) {
      const own = agentForwardingNetworks(agent);
      objects.set(ObjectKeys.dnsForwardingAgent(agent.id), own.networks.length === 0 ? undefined : own.networks);
      diagnostics.add(Part.forwardingAgent, own.diagnostics);
    }
  }
  return { wanting };
}

/**
 * `mesos.thisdcos.directory` answered from the Mesos-DNS zone, unless that zone is it.
 * @example aliasesOf(snapshot) // [{ name: "mesos.thisdcos.directory", target: "mesos" }]
 */
export function aliasesOf(snapshot: Pick<ClusterSnapshot, "config">): Array<{ name: string; target: string }> {
  const domain = snapshot.config.dns.domain;
  return domain === MESOS_MIRROR_ZONE ? [] : [{ name: MESOS_MIRROR_ZONE, target: domain }];
}

/**
 * Owners' records collected until every owner of an id has added its own, then written: an id
 * that appears once is written at once, so a snapshot of 100k tasks never holds 100k collectors.
 */
class SharedOwners {
  readonly #pending = new Map<string, { zones: OwnerZones; left: number }>();

  constructor(
    private readonly objects: KeyedObjects,
    private readonly provenance: Provenance | undefined,
  ) {}

  /** Runs `add` on the owner's records; the last of its `copies` writes the object. */
  with<T>(owner: DnsOwner, copies: number, add: (zones: OwnerZones) => T): T {
    const key = ObjectKeys.dnsRecords(owner);
    const entry = this.#pending.get(key) ?? { zones: new OwnerZones(), left: copies };
    const result = add(entry.zones);
    entry.left--;
    if (entry.left > 0) this.#pending.set(key, entry);
    else {
      this.#pending.delete(key);
      const value = entry.zones.value() satisfies DnsOwnerRecords | undefined;
      this.objects.set(key, value);
      if (this.provenance !== undefined && owner.kind !== "masters") reportOwnerRecords(this.provenance, `${owner.kind}:${owner.id}`, value);
    }
    return result;
  }
}

/** The ids listed more than once, with their counts. */
function repeatedIds(list: ReadonlyArray<{ id: string }>): Map<string, number> {
  const seen = new Set<string>();
  const repeated = new Map<string, number>();
  for (const { id } of list) {
    if (seen.has(id)) repeated.set(id, (repeated.get(id) ?? 1) + 1);
    else seen.add(id);
  }
  return repeated;
}
