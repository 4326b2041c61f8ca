/**
 * @module
 * One task's contribution to the VIP table (specs/overlay_l4lb.md §4.4): for every VIP label
 * on its ports, the key (protocol, VIP, port) and the backend the task offers there. Only
 * running and killing tasks count; weight 1 for running tasks, 0 for unhealthy or killing ones
 * (they keep their connections but get no new ones).
 */
import { L4LB_ZONE, type Diagnostic, type L4Backend } from "../../lib/desired/schema.ts";
import { domainFragment } from "../../lib/net/dns-labels.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import type { Agent, Framework, Task, TaskStatus } from "../../lib/snapshot/schema.ts";
import { latestStatus, taskHealthy, taskIps, usesAgentAddress } from "../task-facts/task-network.ts";
import { taskPorts, type TaskPort, type TaskPortsResult } from "../task-facts/task-ports.ts";
import { parseVipLabel, type L4Protocol, type VipRef } from "../task-facts/vip-label.ts";

const RUNNING = "TASK_RUNNING";
const KILLING = "TASK_KILLING";

/** Which VIP an entry belongs to. Named VIPs are keyed by name; their address comes later. */
export type VipKey =
  | { kind: "named"; name: string; protocol: L4Protocol; port: number }
  | { kind: "ip"; ip: string; protocol: L4Protocol; port: number };

export interface VipEntry {
  key: VipKey;
  backend: L4Backend;
}

export interface TaskVipsContext {
  agent: Agent;
  framework: Framework;
  /** DC/OS `enable_ipv6`: when false, IPv6 backends and IPv6 VIPs are left out. */
  ipv6: boolean;
  /**
   * Parsed labels by framework name and value, shared across the tasks of one snapshot: every
   * instance of an app carries the same labels, so each is parsed and sanitised once.
   */
  labels?: Map<string, ResolvedLabel>;
}

/** A VIP label value read for one framework: what it names, or why it is refused. */
export type ResolvedLabel = { ok: true; vip: VipRef; name?: string } | { ok: false; code: string; reason: string };

/**
 * True for the task states that have backends.
 * @example hasBackends(task) // true for TASK_RUNNING and TASK_KILLING
 */
export function hasBackends(task: Task): boolean {
  return task.state === RUNNING || task.state === KILLING;
}

/**
 * @example
 * taskVipEntries(tcpAndUdpTask, { agent, framework, ipv6: true }).entries.map((e) => e.key)
 * // [{ kind: "named", name: "app.marathon", protocol: "tcp", port: 80 }, { ..., protocol: "udp", port: 80 }]
 */
export function taskVipEntries(task: Task, context: TaskVipsContext): { entries: VipEntry[]; diagnostics: Diagnostic[] } {
  const subject = `task:${task.id}`;
  const { agent, framework } = context;
  const latest = latestStatus(task);
  const agentIp = agent.ips.map(parseIp).find((ip) => ip !== undefined);
  const ips = taskAddresses(task, latest, agentIp);
  const hostNetworking = ips.length > 0 && ips.every((ip) => agent.ips.includes(ip.address));
  const ported = taskPorts(task, latest, hostNetworking);
  const diagnostics = [...ported.diagnostics];
  const entries: VipEntry[] = [];
  const weight = task.state === KILLING || taskHealthy(task, latest) === false ? 0 : 1;
  const docker = task.container?.type?.toUpperCase() === "DOCKER";

  for (const port of ported.ports) {
    for (const value of port.vips) {
      const memoKey = `${framework.name}\n${value}`;
      let resolved = context.labels?.get(memoKey);
      if (resolved === undefined) {
        resolved = resolveLabel(value, framework);
        context.labels?.set(memoKey, resolved);
      }
      if (!resolved.ok) {
        diagnostics.push(error(resolved.code, subject, `VIP label ${JSON.stringify(value)} on port ${portText(port)}: ${resolved.reason}`));
        continue;
      }
      const { vip } = resolved;
      if (vip.kind === "ip" && vip.ip.family === 6 && !context.ipv6) {
        diagnostics.push(warning("l4lb.ipv6-disabled", subject, `VIP ${value} is IPv6, and l4lb.ipv6 is off`));
        continue;
      }
      const key: VipKey =
        vip.kind === "ip"
          ? { kind: "ip", ip: vip.ip.address, protocol: port.protocol, port: vip.port }
          : { kind: "named", name: resolved.name!, protocol: port.protocol, port: vip.port };
      // Named VIPs take either family (IPv6 only when enabled); an IP VIP only its own.
      const fits = (ip: IpLiteral) => (ip.family === 4 || context.ipv6) && (vip.kind === "named" || ip.family === vip.ip.family);
      const found: L4Backend[] = [];
      if (port.hostPort !== undefined) {
        if (agentIp !== undefined && fits(agentIp)) {
          const local = docker ? undefined : localAddress(ported, port, ips, agentIp);
          found.push({ ip: agentIp.address, port: port.hostPort, weight, taskId: task.id, agentId: agent.id, ...(local ? { local } : {}) });
        }
      } else if (port.port !== undefined) {
        for (const ip of ips) if (fits(ip)) found.push({ ip: ip.address, port: port.port, weight, taskId: task.id, agentId: agent.id });
      }
      if (found.length === 0) {
        diagnostics.push(
          warning("l4lb.no-backend-address", subject, `VIP ${value}: the task has no ${port.hostPort !== undefined ? "agent" : "task"} address of the VIP's family on port ${portText(port)}`),
        );
      }
      for (const backend of found) entries.push({ key, backend });
    }
  }
  return { entries, diagnostics };
}

/**
 * The task's IPs, or for a host-network task that reports none (older Mesos, the Docker
 * containerizer) its agent's address, as Mesos-DNS (the `host` IP source) and dcos-net take it.
 */
function taskAddresses(task: Task, latest: TaskStatus | undefined, agentIp: IpLiteral | undefined): IpLiteral[] {
  if (agentIp !== undefined && usesAgentAddress(task)) return [agentIp];
  return taskIps(task, latest).ips;
}

/** Parses a label value and, for a named VIP, makes its name: label and framework name as DNS fragments (§4.5). */
function resolveLabel(value: string, framework: Framework): ResolvedLabel {
  const parsed = parseVipLabel(value);
  if (!parsed.ok) return { ok: false, code: "l4lb.invalid-vip-label", reason: parsed.reason };
  if (parsed.vip.kind === "ip") return { ok: true, vip: parsed.vip };
  const label = domainFragment(parsed.vip.label, "rfc1123");
  const fw = domainFragment(framework.name, "rfc1123");
  const refuse = (reason: string): ResolvedLabel => ({ ok: false, code: "l4lb.invalid-vip-name", reason });
  if (label === "") return refuse(`the name '${parsed.vip.label}' has no letters or digits left for DNS`);
  if (fw === "") return refuse(`the framework name '${framework.name}' has no letters or digits left for DNS`);
  const name = `${label}.${fw}`;
  // 253 octets is the DNS limit for the whole name, zone included.
  if (name.length + 1 + L4LB_ZONE.length > 253) return refuse(`the DNS name of '${name}' would exceed 253 characters`);
  return { ok: true, vip: parsed.vip, name };
}

/** The container address behind a UCR host-port mapping: the first task IP of the agent's family. */
function localAddress(ported: TaskPortsResult, port: TaskPort, ips: readonly IpLiteral[], agentIp: IpLiteral) {
  const mapping = ported.mappings.find((m) => m.protocol === port.protocol && m.hostPort === port.hostPort);
  const ip = ips.find((i) => i.family === agentIp.family && i.address !== agentIp.address);
  return mapping === undefined || ip === undefined ? undefined : { ip: ip.address, port: mapping.containerPort };
}

function portText(port: TaskPort): string {
  return `${port.protocol}/${port.hostPort ?? port.port}`;
}

function error(code: string, subject: string, message: string): Diagnostic {
  return { level: "error", code, subject, message };
}

function warning(code: string, subject: string, message: string): Diagnostic {
  return { level: "warning", code, subject, message };
}
