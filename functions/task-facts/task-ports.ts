/**
 * @module
 * A task's ports as dcos-net's task model saw them (specs/overlay_l4lb.md §4.2): merged from
 * the container's port mappings, the legacy `VIP_PORT<n>` task labels and the discovery ports,
 * each with the VIP label values it carries. Bad labels become diagnostics; the task's other
 * ports still count.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { Task, TaskStatus } from "../../lib/snapshot/schema.ts";
import { containerPortMappings } from "./task-network.ts";
import { isVipLabelKey, l4Protocol, legacyVipLabel, type L4Protocol } from "./vip-label.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** One port of a task: where it listens (`port`), where the agent publishes it (`hostPort`), its VIPs. */
export interface TaskPort {
  name?: string;
  protocol: L4Protocol;
  /** The container port, or the port itself for host networking. */
  port?: number;
  /** The port on the agent, when the port is published there. */
  hostPort?: number;
  /** VIP label values as written (`/app:80`), sorted, without repeats. */
  vips: string[];
}

export interface TaskPortsResult {
  ports: TaskPort[];
  /** `(protocol, hostPort) → containerPort` of the container's own port mappings. */
  mappings: Array<{ protocol: L4Protocol; hostPort: number; containerPort: number }>;
  diagnostics: Diagnostic[];
}

/**
 * The merged port list of one task. `hostNetworking` (the task's IPs are its agent's) folds
 * host ports into ports, as dcos-net did for running tasks on the host network.
 * @example taskPorts(vipLabelsTask, latestStatus(vipLabelsTask), true).ports[0]
 * // { name: "foo", protocol: "tcp", port: 9999, vips: ["/abc:80", "/cbd:80", "def:80"] }
 */
export function taskPorts(task: Task, latest: TaskStatus | undefined, hostNetworking: boolean): TaskPortsResult {
  const diagnostics: Diagnostic[] = [];
  const subject = `task:${task.id}`;

  const mappings: TaskPortsResult["mappings"] = [];
  const fromMappings: TaskPort[] = [];
  for (const m of containerPortMappings(task, latest)) {
    const protocol = l4Protocol(m.protocol);
    if (protocol === undefined) continue;
    mappings.push({ protocol, hostPort: m.hostPort, containerPort: m.containerPort });
    fromMappings.push({ protocol, port: m.containerPort, hostPort: m.hostPort, vips: [] });
  }

  const fromLegacy: TaskPort[] = [];
  let hostPorts: number[] | undefined;
  for (const label of task.labels) {
    const legacy = legacyVipLabel(label.key, label.value);
    if (legacy === undefined) continue;
    hostPorts ??= task.ports.flatMap((r) => range(r.begin, r.end));
    if ("reason" in legacy) {
      diagnostics.push(error("l4lb.invalid-legacy-label", subject, `task label ${label.key}=${JSON.stringify(label.value)}: ${legacy.reason}`));
      continue;
    }
    const hostPort = hostPorts[legacy.index];
    if (hostPort === undefined) {
      diagnostics.push(
        error("l4lb.legacy-port-index", subject, `task label ${label.key} names port ${legacy.index}, but the task holds ${hostPorts.length} port(s)`),
      );
      continue;
    }
    fromLegacy.push({ protocol: legacy.protocol, hostPort, vips: [legacy.vip] });
  }

  const fromDiscovery: TaskPort[] = [];
  for (const p of task.discovery?.ports ?? []) {
    const vips = p.labels.filter((l) => isVipLabelKey(l.key)).map((l) => l.value);
    const protocol = l4Protocol(p.protocol);
    if (protocol === undefined) {
      if (vips.length > 0) {
        diagnostics.push(error("l4lb.unsupported-protocol", subject, `discovery port ${p.number} is ${p.protocol}; VIPs need tcp or udp`));
      }
      continue;
    }
    if (p.number === 0) continue;
    const hostScope = p.labels.some((l) => l.key === "network-scope" && l.value === "host");
    fromDiscovery.push({
      name: p.name ?? "default",
      protocol,
      ...(hostScope ? { hostPort: p.number } : { port: p.number }),
      vips,
    });
  }

  let ports = mergeInto(mergeInto(fromLegacy, fromMappings), fromDiscovery);
  if (hostNetworking) ports = foldHostPorts(ports);
  ports = ports.map((p) => ({ ...p, vips: [...new Set(p.vips)].sort() })).sort(comparePorts);
  return { ports, mappings, diagnostics };
}

/** Adds each `source` entry to the matching `target` entry (same protocol and port or host port), else appends it. */
function mergeInto(target: readonly TaskPort[], source: readonly TaskPort[]): TaskPort[] {
  const out = target.map((p) => ({ ...p, vips: [...p.vips] }));
  for (const s of source) {
    const match = out.find(
      (t) =>
        t.protocol === s.protocol &&
        ((t.port !== undefined && t.port === s.port) || (t.hostPort !== undefined && t.hostPort === s.hostPort)),
    );
    if (match === undefined) out.push({ ...s, vips: [...s.vips] });
    else {
      match.name ??= s.name;
      match.port ??= s.port;
      match.hostPort ??= s.hostPort;
      match.vips.push(...s.vips);
    }
  }
  return out;
}

/** Host networking: a host port is the port; entries that then coincide are one port. */
function foldHostPorts(ports: readonly TaskPort[]): TaskPort[] {
  const out: TaskPort[] = [];
  for (const p of ports) {
    const { hostPort, ...rest } = p;
    const port = hostPort ?? p.port;
    const same = out.find((o) => o.protocol === p.protocol && o.port === port);
    if (same === undefined) out.push({ ...rest, port, vips: [...p.vips] });
    else {
      same.name ??= p.name;
      same.vips.push(...p.vips);
    }
  }
  return out;
}

function comparePorts(a: TaskPort, b: TaskPort): number {
  return compareStrings(a.protocol, b.protocol) || (a.port ?? a.hostPort ?? 0) - (b.port ?? b.hostPort ?? 0) || (a.hostPort ?? 0) - (b.hostPort ?? 0);
}

function range(begin: number, end: number): number[] {
  const out: number[] = [];
  // A hostile range (0-2^31) must not allocate billions of entries; Mesos port ranges fit 16 bits.
  for (let p = Math.max(begin, 0); p <= end && p <= 65535; p++) out.push(p);
  return out;
}

function error(code: string, subject: string, message: string): Diagnostic {
  return { level: "error", code, subject, message };
}
