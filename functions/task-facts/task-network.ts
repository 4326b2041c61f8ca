/**
 * @module
 * Where a task can be reached, as dcos-net's task model reads it (specs/overlay_l4lb.md §4.2):
 * the status that counts, the task's own IPs, and whether any of its ports is published on the
 * agent (a host port). dcos-dns's `autoip` names and the L4 backends both rest on these facts.
 */
import type { PortMapping, Task, TaskStatus } from "../../lib/snapshot/schema.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";

/**
 * The status with the greatest timestamp; on a tie the later one in the list (the later update).
 * @example latestStatus(task)?.state // "TASK_RUNNING"
 */
export function latestStatus(task: Task): TaskStatus | undefined {
  let latest: TaskStatus | undefined;
  for (const status of task.statuses) if (latest === undefined || status.timestamp >= latest.timestamp) latest = status;
  return latest;
}

/** A task's IPs from its latest status, and the address texts that did not parse. */
export interface TaskIps {
  ips: IpLiteral[];
  invalid: string[];
}

/**
 * Every IP of `container_status.network_infos[].ip_addresses[]` of the latest status, in order,
 * without repeats. Texts that are not strict IP literals are returned apart, for diagnostics.
 * @example taskIps(dockerOnIpv6).ips.map((ip) => ip.address) // ["172.19.0.2", "fd01:b::2:8000:0:2"]
 */
export function taskIps(task: Task, latest: TaskStatus | undefined = latestStatus(task)): TaskIps {
  const ips: IpLiteral[] = [];
  const invalid: string[] = [];
  for (const info of latest?.networkInfos ?? []) {
    for (const text of info.ipAddresses) {
      const ip = parseIp(text);
      if (ip === undefined) invalid.push(text);
      else if (!ips.some((seen) => seen.address === ip.address)) ips.push(ip);
    }
  }
  return { ips, invalid };
}

/**
 * True when the task has no address of its own to report because it shares its agent's: no
 * status carries `network_infos` (older Mesos, the Docker containerizer) and the task is on the
 * host network: no container at all (a command task), a Mesos container that asks for no
 * network, or a Docker container on the host network (`DockerInfo.network` defaults to `HOST`).
 * A port labelled `network-scope` (Marathon's mark for container and bridge networks) rules it
 * out, and so does any status with network infos: such a task has a network, just no address.
 * @example usesAgentAddress(dockerHostTaskOnMesos0_28) // true
 */
export function usesAgentAddress(task: Task): boolean {
  if (task.statuses.some((s) => s.networkInfos.length > 0)) return false;
  if ((task.discovery?.ports ?? []).some((p) => p.labels.some((l) => l.key === "network-scope"))) return false;
  const container = task.container;
  if (container === undefined) return true;
  switch (container.type?.toUpperCase()) {
    case "DOCKER":
      return (container.dockerNetwork ?? "HOST").toUpperCase() === "HOST";
    case "MESOS":
    case undefined:
      return container.networkInfos.length === 0;
    default:
      return false;
  }
}

/**
 * True when any port of the task is published on its agent, from any of dcos-net's three
 * sources: a container port mapping (Docker's own, or UCR's network port mappings with the
 * latest status as fallback), a legacy `VIP_PORT<n>` task label (which names the n-th port
 * resource), or a discovery port labelled `network-scope=host`.
 * @example hasHostPort(ucrOnBridge) // true: 15263 → 8080
 */
export function hasHostPort(task: Task, latest: TaskStatus | undefined = latestStatus(task)): boolean {
  return (
    containerPortMappings(task, latest).some((m) => isTcpOrUdp(m.protocol)) ||
    hasLegacyVipHostPort(task) ||
    (task.discovery?.ports ?? []).some(
      (p) => p.number !== 0 && isTcpOrUdp(p.protocol) && p.labels.some((l) => l.key === "network-scope" && l.value === "host"),
    )
  );
}

/**
 * The container's port mappings as dcos-net read them: Docker's own, or UCR's network port
 * mappings with the latest status as fallback; other runtimes have none.
 * @example containerPortMappings(ucrOnBridge, latestStatus(ucrOnBridge)) // [{ hostPort: 15263, containerPort: 8080, protocol: "tcp" }]
 */
export function containerPortMappings(task: Task, latest: TaskStatus | undefined): PortMapping[] {
  const container = task.container;
  switch (container?.type?.toUpperCase()) {
    case "DOCKER":
      return container!.portMappings;
    case "MESOS": {
      const own = container!.networkInfos.flatMap((n) => n.portMappings);
      // UCR often only learns its mappings at launch; the agent reports them in the status.
      return own.length > 0 ? own : (latest?.networkInfos ?? []).flatMap((n) => n.portMappings);
    }
    default:
      return [];
  }
}

const LEGACY_VIP_KEY = /^vip_port(\d+)$/i;
const LEGACY_VIP_VALUE = /^(tcp|udp):\/\//i;

function hasLegacyVipHostPort(task: Task): boolean {
  let count: number | undefined;
  for (const label of task.labels) {
    const key = LEGACY_VIP_KEY.exec(label.key);
    if (key === null || !LEGACY_VIP_VALUE.test(label.value)) continue;
    count ??= task.ports.reduce((n, r) => n + Math.max(0, r.end - r.begin + 1), 0);
    if (Number(key[1]) < count) return true;
  }
  return false;
}

function isTcpOrUdp(protocol: string | undefined): boolean {
  const p = (protocol ?? "tcp").toLowerCase();
  return p === "tcp" || p === "udp";
}

/**
 * dcos-net's `healthy`: the latest status's flag; without one, `false` for a task that has a
 * health check (it has not passed yet) and unknown otherwise.
 * @example taskHealthy(unhealthyApp) // false: health check defined, no result yet
 */
export function taskHealthy(task: Task, latest: TaskStatus | undefined = latestStatus(task)): boolean | undefined {
  return latest?.healthy ?? (task.hasHealthCheck ? false : undefined);
}
