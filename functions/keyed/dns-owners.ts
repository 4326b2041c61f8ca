/**
 * @module
 * The DNS records of each owner, for the keyed desired state: a task (its Mesos-DNS and
 * dcos-dns names), an agent, a framework, the masters, a named VIP, and the zones' headers.
 * A whole derivation and a change call the same functions; records of one name from several
 * owners meet only when a zone is assembled.
 */
import type { DnsOwnerRecords, DnsZoneHeader, ZoneId } from "../../lib/desired/object-values.ts";
import type { Diagnostic, L4Service } from "../../lib/desired/schema.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import type { IpSource } from "../../lib/snapshot/config.ts";
import { addDcosClusterRecords, addL4lbServiceRecords, dcosZoneHeaders } from "../dns-zones/dcos-zones.ts";
import { addDcosTaskRecords } from "../dns-zones/dcos-task-zone.ts";
import { DCOS_ZONE } from "../dns-zones/dcos-zones.ts";
import { masterIps } from "../dns-zones/master-ips.ts";
import { addAgentRecords, type AgentInfo } from "../dns-zones/mesos-agents.ts";
import { MesosZoneContext, type MesosSettings } from "../dns-zones/mesos-context.ts";
import { addFrameworkRecords } from "../dns-zones/mesos-frameworks.ts";
import { addTaskRecords, type TaskFramework } from "../dns-zones/mesos-tasks.ts";
import { addMesosClusterRecords, mesosZoneHeader } from "../dns-zones/mesos-zone.ts";
import { OwnerRecords } from "../dns-zones/owner-records.ts";

/** One owner's records being collected, zone by zone. */
export class OwnerZones {
  readonly #zones = new Map<ZoneId, OwnerRecords>();

  sink(zone: ZoneId): OwnerRecords {
    let records = this.#zones.get(zone);
    if (records === undefined) this.#zones.set(zone, (records = new OwnerRecords()));
    return records;
  }

  /** The owner's object value; `undefined` when it has no records (the key is absent). */
  value(): DnsOwnerRecords | undefined {
    let out: DnsOwnerRecords | undefined;
    for (const [zone, records] of this.#zones) {
      if (records.empty) continue;
      (out ??= {})[zone] = records.records();
    }
    return out;
  }
}

/** What a task's records need to know about the rest of the snapshot. */
export interface TaskDnsContext {
  readonly settings: MesosSettings;
  readonly sources: readonly IpSource[];
  readonly agent: Agent | undefined;
  readonly agentInfo: AgentInfo | undefined;
  readonly framework: Framework | undefined;
  readonly frameworkInfo: TaskFramework;
  readonly label: (raw: string) => string;
}

/** A task's DNS outcome besides its records. */
export interface TaskDns {
  mesos: Diagnostic[];
  dcos: Diagnostic[];
  /** The task has dcos-dns records, so its agent's IP is wanted. */
  wantsAgentIp: boolean;
}

/**
 * Adds a task's records in both zone families to `zones`.
 * @example addTaskDns(new OwnerZones(), task, context).wantsAgentIp // true for a running task with known owners
 */
export function addTaskDns(zones: OwnerZones, task: Task, context: TaskDnsContext): TaskDns {
  const ctx = new MesosZoneContext(zones.sink("mesos"), context.settings);
  addTaskRecords(ctx, task, context.agentInfo, context.frameworkInfo, context.sources);
  const dcos = addDcosTaskRecords(zones.sink("dcos"), DCOS_ZONE, task, context.agent, context.framework, context.label);
  return { mesos: ctx.diagnostics, dcos: dcos.diagnostics, wantsAgentIp: dcos.wantsAgentIp };
}

/**
 * Adds an agent's records; returns what its tasks need and its diagnostics.
 * @example addAgentDns(new OwnerZones(), agent, settings).info.tail // "s1"
 */
export function addAgentDns(zones: OwnerZones, agent: Agent, settings: MesosSettings): { info: AgentInfo; diagnostics: Diagnostic[] } {
  const ctx = new MesosZoneContext(zones.sink("mesos"), settings);
  const info = addAgentRecords(ctx, agent);
  return { info, diagnostics: ctx.diagnostics };
}

/**
 * Adds a framework's records; returns what its tasks need and its diagnostics.
 * @example addFrameworkDns(new OwnerZones(), marathon, settings).info // { fragment: "marathon", ... }
 */
export function addFrameworkDns(zones: OwnerZones, framework: Framework, settings: MesosSettings): { info: TaskFramework; diagnostics: Diagnostic[] } {
  const ctx = new MesosZoneContext(zones.sink("mesos"), settings);
  const info = addFrameworkRecords(ctx, framework) ?? "empty";
  return { info, diagnostics: ctx.diagnostics };
}

/**
 * The masters' records (Mesos-DNS leader/masters and SOA primary, dcos-dns leader/master, zk).
 * @example mastersDns(snapshot, settings).records?.zk?.length // 5
 */
export function mastersDns(snapshot: ClusterSnapshot, settings: MesosSettings): { records: DnsOwnerRecords | undefined; mesos: Diagnostic[]; dcos: Diagnostic[] } {
  const zones = new OwnerZones();
  const ctx = new MesosZoneContext(zones.sink("mesos"), settings);
  addMesosClusterRecords(ctx, snapshot);
  const masters = masterIps(snapshot);
  addDcosClusterRecords((zone) => zones.sink(zone), masters);
  return { records: zones.value(), mesos: ctx.diagnostics, dcos: masters.diagnostics };
}

/**
 * A named VIP's records in `l4lb.thisdcos.directory`, from its services.
 * @example vipDns(services).records // { l4lb: [["app.marathon.l4lb.thisdcos.directory", "A", "11.171.172.79"]] }
 */
export function vipDns(services: readonly L4Service[]): { records: DnsOwnerRecords | undefined; diagnostics: Diagnostic[] } {
  const zones = new OwnerZones();
  const diagnostics = services.flatMap((service) => addL4lbServiceRecords(zones.sink("l4lb"), service));
  return { records: zones.value(), diagnostics };
}

/**
 * Every zone's header, by zone id.
 * @example dnsZoneHeaders(snapshot).map(([id]) => id) // ["mesos", "dcos", "l4lb", "spartan", "zk"]
 */
export function dnsZoneHeaders(snapshot: ClusterSnapshot): Array<[ZoneId, DnsZoneHeader]> {
  const dcos = dcosZoneHeaders(snapshot);
  return [["mesos", mesosZoneHeader(snapshot)], ["dcos", dcos.dcos], ["l4lb", dcos.l4lb], ["spartan", dcos.spartan], ["zk", dcos.zk]];
}
