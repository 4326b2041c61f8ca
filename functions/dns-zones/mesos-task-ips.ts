/**
 * @module
 * Which addresses a task's `T.F.D` records carry (specs/dns.md §1.5, mesos-dns `IPSources`):
 * the configured sources are tried in order and the first that yields at least one IP wins.
 * Status-based sources read only the latest `TASK_RUNNING` status by timestamp, because Mesos
 * does not order `statuses[]` and an older status may carry a stale address.
 */
import type { IpSource } from "../../lib/snapshot/config.ts";
import type { Task, TaskStatus } from "../../lib/snapshot/schema.ts";
import { isDottedQuad } from "../../lib/net/ip-literal.ts";
import { NO_ADDRESSES } from "./mesos-context.ts";
import type { AddressList, Addresses, MesosZoneContext } from "./mesos-context.ts";

const LABEL_KEY: Record<"docker" | "mesos", string> = {
  docker: "Docker.NetworkSettings.IPAddress",
  mesos: "MesosContainerizer.NetworkSettings.IPAddress",
};

/**
 * The addresses of a task under the configured sources. `agent` is the `host` source.
 * @example taskAddresses(ctx, task, agent.addresses, ["netinfo", "mesos", "host"]) // { a: ["10.3.0.3"], aaaa: [] }
 */
export function taskAddresses(ctx: MesosZoneContext, task: Task, agent: Addresses, sources: readonly IpSource[]): Addresses {
  const status = latestRunningStatus(task.statuses);
  for (const source of sources) {
    let found: Addresses;
    if (source === "host") found = agent;
    else if (status === undefined) continue;
    else found = statusAddresses(ctx, task.id, status, source);
    if (found.a.length + found.aaaa.length > 0) return found;
  }
  return NO_ADDRESSES;
}

/**
 * The `TASK_RUNNING` status with the highest timestamp; the first of equals, as mesos-dns.
 * @example latestRunningStatus(task.statuses)?.timestamp // 1413572390.09275
 */
export function latestRunningStatus(statuses: readonly TaskStatus[]): TaskStatus | undefined {
  let latest: TaskStatus | undefined;
  for (const status of statuses) {
    if (status.state === "TASK_RUNNING" && (latest === undefined || status.timestamp > latest.timestamp)) latest = status;
  }
  return latest;
}

function statusAddresses(ctx: MesosZoneContext, taskId: string, status: TaskStatus, source: "netinfo" | "docker" | "mesos"): Addresses {
  if (source === "netinfo") {
    // The common case, one network with plain IPv4 addresses, reuses the snapshot's own list.
    const infos = status.networkInfos;
    if (infos.length === 0) return NO_ADDRESSES;
    if (infos.length === 1 && infos[0]!.ipAddresses.every(isDottedQuad)) return { a: infos[0]!.ipAddresses, aaaa: NO_ADDRESSES.aaaa };
  }
  const into: AddressList = { a: [], aaaa: [] };
  const subject = `task:${taskId}`;
  if (source === "netinfo") {
    for (const info of status.networkInfos) {
      for (const ip of info.ipAddresses) ctx.collectIp(into, ip, subject, "network_infos address");
    }
  } else {
    const key = LABEL_KEY[source];
    for (const label of status.labels) if (label.key === key) ctx.collectIp(into, label.value, subject, `label ${key}`);
  }
  return into;
}
