/**
 * @module
 * One task's records (specs/dns.md §1.4): `T.F.D` and the canonical `T-hash-tail.F.D` with the
 * task's addresses, their `.slave.` twins with the agent's, SRV records per resource port, and
 * with DiscoveryInfo the SRV records per discovery port, all twice for a raw discovery name.
 * Only `TASK_RUNNING` tasks on known agents get records, as in mesos-dns.
 */
import type { IpSource } from "../../lib/snapshot/config.ts";
import type { DiscoveryPort, Task } from "../../lib/snapshot/schema.ts";
import { taskHash } from "../../lib/net/task-hash.ts";
import type { AgentInfo } from "./mesos-agents.ts";
import { MesosDnsCode } from "./mesos-context.ts";
import type { Addresses, MesosZoneContext } from "./mesos-context.ts";
import type { FrameworkInfo } from "./mesos-frameworks.ts";
import { taskAddresses } from "./mesos-task-ips.ts";
import type { TaskNameSet } from "./mesos-task-names.ts";

const NO_PORTS: readonly number[] = [];

/**
 * What a task's framework is to its records: unknown to the snapshot, known with a name that
 * sanitises to nothing (`"empty"`, reported on the framework), or its facts.
 */
export type TaskFramework = FrameworkInfo | "empty" | undefined;

/**
 * Adds the records of one task (none unless it is running).
 * @example addTaskRecords(ctx, task, agents.get(task.agentId), frameworks.get(task.frameworkId), snapshot.config.dns.ipSources);
 */
export function addTaskRecords(
  ctx: MesosZoneContext,
  task: Task,
  agent: AgentInfo | undefined,
  framework: TaskFramework,
  sources: readonly IpSource[],
): void {
  if (task.state !== "TASK_RUNNING") return;
  if (agent === undefined) {
    ctx.report("warning", MesosDnsCode.unknownAgent, `task:${task.id}`, `agent ${task.agentId} is not in the snapshot; no records`);
    return;
  }
  if (framework === undefined) {
    ctx.report("warning", MesosDnsCode.unknownFramework, `task:${task.id}`, `framework ${task.frameworkId} is not in the snapshot; no records`);
    return;
  }
  if (framework === "empty") return;
  const discoveryName = task.discovery?.name ?? "";
  const withDiscovery = discoveryName !== "";
  const app = framework.apps.of(withDiscovery ? discoveryName : task.name, withDiscovery, framework);
  const names = app.sanitised;
  if (names === undefined) {
    const which = withDiscovery ? "discovery name" : "name";
    ctx.report("warning", MesosDnsCode.emptyLabel, `task:${task.id}`, `task ${which} ${JSON.stringify(withDiscovery ? discoveryName : task.name)} sanitises to nothing; no records`);
    return;
  }
  if (app.rawUnusable) {
    const why = `discovery name ${JSON.stringify(discoveryName)} is not a DNS name; only records under ${names.label} are made`;
    ctx.report("info", MesosDnsCode.rawDiscoveryName, `task:${task.id}`, why);
  }
  const ports = resourcePorts(ctx, task);
  const discoveryPorts = withDiscovery ? validDiscoveryPorts(ctx, task) : undefined;
  const addresses = taskAddresses(ctx, task, agent.addresses, sources);
  const tag = `-${taskHash(task.id)}-${agent.tail}`;
  addNameSetRecords(ctx, framework, names, tag, addresses, agent.addresses, ports, discoveryPorts);
  if (app.raw !== undefined) addNameSetRecords(ctx, framework, app.raw, tag, addresses, agent.addresses, ports, discoveryPorts);
}

/**
 * The records one name set gives one task. `discovery` is undefined for tasks without
 * DiscoveryInfo, whose resource ports are then also published under `_T._proto.F.D`.
 */
function addNameSetRecords(
  ctx: MesosZoneContext,
  framework: FrameworkInfo,
  names: TaskNameSet,
  tag: string,
  task: Addresses,
  agent: Addresses,
  ports: readonly number[],
  discovery: readonly DiscoveryPort[] | undefined,
): void {
  const records = ctx.records;
  const canonical = names.canonicalLabel(tag);
  // join() builds flat strings; `+` would build rope nodes that outlive their use and are
  // flattened again by every comparison of the final sort.
  const canonicalName = [canonical, framework.suffix].join("");
  const canonicalSlave = [canonical, framework.slaveSuffix].join("");
  ctx.addAddresses(names.plain, task);
  ctx.addAddresses(names.slave, agent);
  ctx.addAddresses(canonicalName, task);
  ctx.addAddresses(canonicalSlave, agent);
  // One SrvData per (target, port), shared by the two or four names that carry it.
  for (const port of ports) {
    const data = ctx.srv(canonicalSlave, port);
    for (const name of names.slaveSrv) records.addSrv(name, data);
    if (discovery === undefined) for (const name of names.plainSrv) records.addSrv(name, data);
  }
  if (discovery === undefined) return;
  for (let i = 0; i < discovery.length; i++) {
    const port = discovery[i]!;
    const data = ctx.srv(canonicalName, port.number);
    for (const name of names.discoverySrv(port, i)) records.addSrv(name, data);
  }
}

/** The task's resource ports, expanded; bad ranges are reported and skipped. */
function resourcePorts(ctx: MesosZoneContext, task: Task): readonly number[] {
  if (task.ports.length === 0) return NO_PORTS;
  const ports: number[] = [];
  for (const { begin, end } of task.ports) {
    if (begin < 1 || end > 65535 || begin > end) {
      ctx.report("warning", MesosDnsCode.invalidPort, `task:${task.id}`, `resource port range ${begin}-${end} is not within 1-65535 in order; skipped`);
      continue;
    }
    for (let port = begin; port <= end; port++) ports.push(port);
  }
  return ports;
}

function validDiscoveryPorts(ctx: MesosZoneContext, task: Task): readonly DiscoveryPort[] {
  const ports = task.discovery?.ports ?? [];
  if (ports.every(isValidPort)) return ports;
  for (const port of ports) {
    // Port 0 is how Marathon says "no port" for container-network apps: skip it quietly.
    if (!isValidPort(port) && port.number !== 0) {
      ctx.report("warning", MesosDnsCode.invalidPort, `task:${task.id}`, `discovery port ${port.number} is not within 1-65535; skipped`);
    }
  }
  return ports.filter(isValidPort);
}

function isValidPort(port: DiscoveryPort): boolean {
  return port.number >= 1 && port.number <= 65535;
}
