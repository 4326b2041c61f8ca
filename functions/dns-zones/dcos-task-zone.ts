/**
 * @module
 * The records of `dcos.thisdcos.directory` (specs/dns.md §3.3): for one running task,
 * `<name>.<framework>.{agentip,containerip,autoip}`; and `leader` and `master` for the masters.
 * There are no SRV records here and unhealthy tasks are not filtered, exactly as in dcos-dns.
 */
import type { Agent, Framework, Task } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import { dnsLabel } from "../../lib/net/dns-labels.ts";
import type { RecordSink } from "./zone-builder.ts";
import type { MasterIps } from "./master-ips.ts";
import { hasHostPort, latestStatus, taskIps } from "../task-facts/task-network.ts";

/** dcos-dns counts a task only in this state (not staging, not killing). */
const RUNNING = "TASK_RUNNING";
const SKIPPED = ", so it gets no dcos-dns records";

/** A task's dcos-dns records' outcome: its diagnostics, and whether it named its agent's IP. */
export interface DcosTaskResult {
  diagnostics: Diagnostic[];
  /** The task gets records, so its agent's IP is wanted (an agent without one is reported once). */
  wantsAgentIp: boolean;
}

/**
 * Sanitised labels, memoised: the tasks of one app share their names, so each is labelled once.
 * @example const label = labelMemo(); label("My App") // "my-app"
 */
export function labelMemo(): (raw: string) => string {
  const labels = new Map<string, string>();
  return (raw) => {
    let out = labels.get(raw);
    if (out === undefined) labels.set(raw, (out = dnsLabel(raw, "rfc1123")));
    return out;
  };
}

/**
 * Adds one task's records to `sink` (zone `origin`, `dcos.thisdcos.directory`).
 * @example
 * addDcosTaskRecords(zone, DCOS_ZONE, task, agent, framework, labelMemo());
 * // ucr-on-bridge.marathon.autoip.dcos.thisdcos.directory A 172.17.0.3
 */
export function addDcosTaskRecords(
  sink: RecordSink,
  origin: string,
  task: Task,
  agent: Agent | undefined,
  framework: Framework | undefined,
  label: (raw: string) => string,
): DcosTaskResult {
  const diagnostics: Diagnostic[] = [];
  const skipped = (code: string, message: string): DcosTaskResult => ({ diagnostics: [taskDiagnostic(task, code, message)], wantsAgentIp: false });
  if (task.state !== RUNNING) return { diagnostics, wantsAgentIp: false };
  if (framework === undefined) return skipped("dns.dcos.unknown-framework", `framework '${task.frameworkId}' is not in the snapshot${SKIPPED}`);
  if (agent === undefined) return skipped("dns.dcos.unknown-agent", `agent '${task.agentId}' is not in the snapshot${SKIPPED}`);
  const rawName = task.discovery?.name ?? task.name;
  const name = label(rawName);
  const fw = label(framework.name);
  if (name === "" || fw === "") {
    const which = name === "" ? `task name '${rawName}'` : `framework name '${framework.name}'`;
    return skipped("dns.dcos.empty-label", `the ${which} has no DNS characters left after sanitising${SKIPPED}`);
  }

  const agentIp = preferredIp(agent.ips);
  const latest = latestStatus(task);
  const { ips, invalid } = taskIps(task, latest);
  for (const text of invalid) {
    diagnostics.push(taskDiagnostic(task, "dns.dcos.invalid-ip", `task address '${text}' is not an IP literal; it is left out`));
  }
  const base = `${name}.${fw}.`;
  const add = (kind: string, ip: IpLiteral) => sink.add(`${base}${kind}.${origin}`, ip.family === 4 ? "A" : "AAAA", ip.address);
  if (agentIp !== undefined) add("agentip", agentIp);
  for (const ip of ips) add("containerip", ip);
  // A published port is only reachable on the agent; otherwise the task's own IPs, if any.
  const auto = hasHostPort(task, latest) || ips.length === 0 ? (agentIp === undefined ? [] : [agentIp]) : ips;
  for (const ip of auto) add("autoip", ip);
  return { diagnostics, wantsAgentIp: true };
}

/**
 * The report about an agent without an IP, made once for the agent when any of its tasks gets
 * records; `undefined` when it has one.
 * @example agentWithoutIp({ id: "S9", hostname: "a9", ips: [] }) // { level: "warning", code: "dns.dcos.agent-without-ip", ... }
 */
export function agentWithoutIp(agent: Agent): Diagnostic | undefined {
  if (preferredIp(agent.ips) !== undefined) return undefined;
  return {
    level: "warning",
    code: "dns.dcos.agent-without-ip",
    subject: `agent:${agent.id}`,
    message: `agent '${agent.hostname}' has no IP in the snapshot, so its tasks get no agentip records`,
  };
}

/**
 * `leader` and `master` of the zone.
 * @example addDcosMasterRecords(zone, DCOS_ZONE, masterIps(snapshot)); // leader.dcos.thisdcos.directory A 10.0.0.1
 */
export function addDcosMasterRecords(sink: RecordSink, origin: string, masters: MasterIps): void {
  const add = (name: string, ip: IpLiteral) => sink.add(`${name}.${origin}`, ip.family === 4 ? "A" : "AAAA", ip.address);
  if (masters.leader !== undefined) add("leader", masters.leader);
  for (const ip of masters.masters) add("master", ip);
}

/** The agent IP dcos-dns used: its hostname resolved to IPv4; IPv6 only when there is no IPv4. */
function preferredIp(texts: readonly string[]): IpLiteral | undefined {
  const ips = texts.map(parseIp).filter((ip): ip is IpLiteral => ip !== undefined);
  return ips.find((ip) => ip.family === 4) ?? ips[0];
}

function taskDiagnostic(task: Task, code: string, message: string): Diagnostic {
  return { level: "warning", code, subject: `task:${task.id}`, message: `task '${task.name}': ${message}` };
}
