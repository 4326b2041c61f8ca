/**
 * @module
 * The DNS objects of one owner at a time, for a change: a framework (its records, and the
 * collision reports of the frameworks sharing its old and new fragment), an agent (its records,
 * its forwarding networks, the report of an agent without an IP whose tasks want one), a task
 * (its records in both zone families). The same owner functions as a whole derivation; the
 * small indexes here (frameworks by fragment, tasks wanting their agent's IP) stand in for the
 * loops over every framework and task.
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import { domainFragment } from "../../lib/net/dns-labels.ts";
import type { IpSource } from "../../lib/snapshot/config.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import { agentForwardingNetworks } from "../dns-forwarding.ts";
import { agentWithoutIp, labelMemo } from "../dns-zones/dcos-task-zone.ts";
import { mesosAgentInfo } from "../dns-zones/mesos-agents.ts";
import type { MesosSettings } from "../dns-zones/mesos-context.ts";
import { frameworkCollisions, mesosFrameworkInfo } from "../dns-zones/mesos-frameworks.ts";
import type { TaskFramework } from "../dns-zones/mesos-tasks.ts";
import { mesosSettings, mesosZoneHeader } from "../dns-zones/mesos-zone.ts";
import { Part, setDiagnostics } from "../keyed/diagnostic-objects.ts";
import { addAgentDns, addFrameworkDns, addTaskDns, OwnerZones } from "../keyed/dns-owners.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import type { SnapshotInputs } from "./inputs.ts";

/**
 * @example
 * const dns = new DnsState(objects, inputs, snapshot, derivation.dns.wanting);
 * dns.setTask("web.1", task);
 */
export class DnsState {
  readonly #settings: MesosSettings;
  readonly #sources: readonly IpSource[];
  readonly #agentsForward: boolean;
  /** Framework id → its fragment; fragment → the frameworks becoming it. */
  readonly #fragmentOf = new Map<string, string>();
  readonly #byFragment = new Map<string, Set<string>>();
  /** Task id → the agent whose IP its dcos-dns records want; agent id → how many. */
  readonly #wanting: Map<string, string>;
  readonly #wanted = new Map<string, number>();
  /** Agents whose report of a missing IP is due again at `flush`. */
  #agentsToCheck = new Set<string>();
  #frameworkInfo = new Map<string, TaskFramework>();
  #label = labelMemo();

  constructor(
    private readonly objects: KeyedObjects,
    private readonly inputs: SnapshotInputs,
    private readonly snapshot: Pick<ClusterSnapshot, "config">,
    wanting: Map<string, string>,
  ) {
    this.#settings = mesosSettings(snapshot);
    this.#sources = snapshot.config.dns.ipSources;
    this.#agentsForward = snapshot.config.dns.allowedNetworks === undefined;
    for (const framework of inputs.frameworks.values()) this.#indexFragment(framework.id, framework);
    this.#wanting = wanting;
    for (const agentId of wanting.values()) this.#wanted.set(agentId, (this.#wanted.get(agentId) ?? 0) + 1);
  }

  /** Starts a change: what was worked out for the last one may be stale. */
  begin(): void {
    this.#frameworkInfo = new Map();
    this.#label = labelMemo();
  }

  /** The Mesos-DNS zone's header carries the snapshot's time (its SOA serial). */
  setNow(snapshot: Pick<ClusterSnapshot, "config" | "now">): void {
    this.objects.set(ObjectKeys.dnsZone("mesos"), mesosZoneHeader(snapshot));
  }

  setFramework(id: string, framework: Framework | undefined): void {
    const zones = new OwnerZones();
    const own = framework === undefined ? undefined : addFrameworkDns(zones, framework, this.#settings);
    this.objects.set(ObjectKeys.dnsRecords({ kind: "framework", id }), zones.value());
    setDiagnostics(this.objects, Part.dnsMesos, `framework:${id}`, own?.diagnostics ?? []);
    const before = this.#fragmentOf.get(id);
    this.#unindexFragment(id);
    setDiagnostics(this.objects, Part.dnsCollision, `framework:${id}`, []);
    if (framework !== undefined) this.#indexFragment(id, framework);
    for (const fragment of new Set([before, this.#fragmentOf.get(id)])) if (fragment !== undefined) this.#reportCollisions(fragment);
  }

  setAgent(id: string, agent: Agent | undefined): void {
    const zones = new OwnerZones();
    const own = agent === undefined ? undefined : addAgentDns(zones, agent, this.#settings);
    this.objects.set(ObjectKeys.dnsRecords({ kind: "agent", id }), zones.value());
    setDiagnostics(this.objects, Part.dnsMesos, `agent:${id}`, own?.diagnostics ?? []);
    const forwarding = agent === undefined || !this.#agentsForward ? undefined : agentForwardingNetworks(agent);
    this.objects.set(ObjectKeys.dnsForwardingAgent(id), forwarding === undefined || forwarding.networks.length === 0 ? undefined : forwarding.networks);
    setDiagnostics(this.objects, Part.forwardingAgent, `agent:${id}`, forwarding?.diagnostics ?? []);
    this.#agentsToCheck.add(id);
  }

  setTask(id: string, task: Task | undefined): void {
    const zones = new OwnerZones();
    const own = task === undefined ? undefined : addTaskDns(zones, task, this.#context(task));
    this.objects.set(ObjectKeys.dnsRecords({ kind: "task", id }), zones.value());
    setDiagnostics(this.objects, Part.dnsMesos, `task:${id}`, own?.mesos ?? []);
    setDiagnostics(this.objects, Part.dnsDcos, `task:${id}`, own?.dcos ?? []);
    const before = this.#wanting.get(id);
    const after = own?.wantsAgentIp === true ? task!.agentId : undefined;
    if (before === after) return;
    if (before !== undefined) {
      this.#wanting.delete(id);
      this.#count(before, -1);
    }
    if (after !== undefined) {
      this.#wanting.set(id, after);
      this.#count(after, 1);
    }
  }

  /** Writes the reports of agents without an IP whose wanting tasks or whose own record changed. */
  flush(): void {
    for (const id of this.#agentsToCheck) {
      const agent = this.inputs.agents.get(id);
      const missing = agent !== undefined && this.#wanted.has(id) ? agentWithoutIp(agent) : undefined;
      setDiagnostics(this.objects, Part.dnsDcosAgent, `agent:${id}`, missing === undefined ? [] : [missing]);
    }
    this.#agentsToCheck = new Set();
  }

  #context(task: Task) {
    const agent = this.inputs.agents.get(task.agentId);
    const framework = this.inputs.frameworks.get(task.frameworkId);
    let frameworkInfo = this.#frameworkInfo.get(task.frameworkId);
    if (frameworkInfo === undefined && framework !== undefined) {
      frameworkInfo = mesosFrameworkInfo(framework, this.#settings) ?? "empty";
      this.#frameworkInfo.set(task.frameworkId, frameworkInfo);
    }
    return {
      settings: this.#settings,
      sources: this.#sources,
      agent,
      agentInfo: agent === undefined ? undefined : mesosAgentInfo(agent),
      framework,
      frameworkInfo,
      label: this.#label,
    };
  }

  #count(agentId: string, delta: 1 | -1): void {
    const before = this.#wanted.get(agentId) ?? 0;
    const after = before + delta;
    if (after === 0) this.#wanted.delete(agentId);
    else this.#wanted.set(agentId, after);
    if ((before === 0) !== (after === 0)) this.#agentsToCheck.add(agentId);
  }

  #indexFragment(id: string, framework: Framework): void {
    const fragment = domainFragment(framework.name, this.#settings.mode);
    if (fragment === "") return;
    this.#fragmentOf.set(id, fragment);
    const ids = this.#byFragment.get(fragment);
    if (ids === undefined) this.#byFragment.set(fragment, new Set([id]));
    else ids.add(id);
  }

  #unindexFragment(id: string): void {
    const fragment = this.#fragmentOf.get(id);
    if (fragment === undefined) return;
    this.#fragmentOf.delete(id);
    const ids = this.#byFragment.get(fragment)!;
    ids.delete(id);
    if (ids.size === 0) this.#byFragment.delete(fragment);
  }

  #reportCollisions(fragment: string): void {
    const ids = [...(this.#byFragment.get(fragment) ?? [])];
    const reports = frameworkCollisions(
      ids.map((id) => this.inputs.frameworks.get(id)!),
      `${fragment}.${this.#settings.domain}`,
    );
    for (const id of ids) setDiagnostics(this.objects, Part.dnsCollision, `framework:${id}`, reports.filter((d) => d.subject === `framework:${id}`));
  }
}
