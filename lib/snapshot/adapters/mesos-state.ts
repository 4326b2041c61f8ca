/**
 * @module
 * Mesos master `/master/state` → the Mesos part of a ClusterSnapshot (leader, masters, agents,
 * frameworks, tasks). Pure: the caller fetches and parses the JSON, and name resolution is an
 * injected function, so the same document always gives the same snapshot.
 */
import type { Agent, ClusterSnapshot, Container, Framework, Label, NetworkInfo, PortMapping, Task } from "../schema.ts";
import { InputError, inputIssues } from "../issues.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { parsePid } from "../../net/host-port.ts";
import { RawMesosState } from "./mesos-state-schema.ts";
import type { RawAgent, RawFramework, RawNetworkInfo, RawPortMapping, RawTask } from "./mesos-state-schema.ts";

/** The snapshot fields this adapter fills. */
export type MesosStateSnapshot = Pick<ClusterSnapshot, "leader" | "masters" | "agents" | "frameworks" | "tasks">;

export interface MesosStateOptions {
  /** Names the document in errors (a file path or URL). Default `/master/state`. */
  source?: string;
  /**
   * Resolves a PID host or hostname that is not an IP literal (the shell passes a DNS lookup
   * done beforehand). Results that are not IP literals are dropped. Default: nothing resolves.
   */
  resolveHost?: (name: string) => readonly string[];
  /** The masters list (`host:port`, presumed leader first). Default: the leader's `ip:port`. */
  masters?: readonly string[];
}

const RESOLVE_NOTHING = (): readonly string[] => [];

/**
 * Builds the Mesos part of a snapshot; throws `InputError` naming the JSON path of the first
 * bad fields when the document does not have the shape Mesos writes.
 * @example
 * const part = snapshotFromMesosState(JSON.parse(text), { resolveHost: (h) => (h === "localhost" ? ["127.0.0.1"] : []) });
 * part.masters; // ["1.2.3.4:5050"]
 */
export function snapshotFromMesosState(document: unknown, options: MesosStateOptions = {}): MesosStateSnapshot {
  const parsed = RawMesosState.safeParse(document);
  if (!parsed.success) throw new InputError(options.source ?? "/master/state", inputIssues(parsed.error));
  const state = parsed.data;
  const resolve = options.resolveHost ?? RESOLVE_NOTHING;
  const leader = state.leader ?? "";
  const tasks: Task[] = [];
  for (const framework of state.frameworks) {
    // Tasks belong to the framework that lists them; their own `framework_id` is not trusted
    // (fake.json has a task whose `framework_id` names no framework, and mesos-dns ignored it).
    for (const task of framework.tasks) tasks.push(taskOf(task, framework));
  }
  return {
    leader,
    masters: options.masters ? [...options.masters] : defaultMasters(leader),
    agents: state.slaves.map((agent) => agentOf(agent, resolve)),
    frameworks: state.frameworks.map((framework) => frameworkOf(framework, resolve)),
    tasks,
  };
}

function defaultMasters(leader: string): string[] {
  const pid = parsePid(leader);
  const ip = pid && parseIp(pid.host);
  if (!pid || !ip) return [];
  return [ip.family === 6 ? `[${ip.address}]:${pid.port}` : `${ip.address}:${pid.port}`];
}

/** The IPs of a PID host or hostname: the literal itself, else whatever `resolve` finds. */
function hostIps(host: string | undefined, resolve: (name: string) => readonly string[]): string[] {
  if (host === undefined || host === "") return [];
  const literal = parseIp(host);
  if (literal) return [literal.address];
  const ips = new Set<string>();
  for (const text of resolve(host)) {
    const ip = parseIp(text);
    if (ip) ips.add(ip.address);
  }
  return [...ips];
}

function agentOf(raw: RawAgent, resolve: (name: string) => readonly string[]): Agent {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw.attributes)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") attributes[key] = String(value);
  }
  // mesos-dns resolved the PID host, not `hostname`; the hostname is the fallback only when
  // the PID is missing or unparsable.
  const pidHost = raw.pid === undefined ? undefined : parsePid(raw.pid)?.host;
  return {
    id: raw.id,
    hostname: raw.hostname,
    ...(raw.pid === undefined ? {} : { pid: raw.pid }),
    ips: hostIps(pidHost ?? raw.hostname, resolve),
    // Best effort: DC/OS public agents statically reserve their resources for `slave_public`;
    // some installers tag them with `public_ip:true` instead.
    public: Object.hasOwn(raw.reserved_resources ?? {}, "slave_public") || attributes["public_ip"] === "true",
    attributes,
  };
}

function frameworkOf(raw: RawFramework, resolve: (name: string) => readonly string[]): Framework {
  // A framework without a PID (HTTP API schedulers, fake.json's `no pid`) is found by hostname.
  const host = raw.pid === undefined ? raw.hostname : parsePid(raw.pid)?.host;
  const role = frameworkRole(raw);
  return {
    id: raw.id,
    name: raw.name,
    ...(raw.pid === undefined ? {} : { pid: raw.pid }),
    ...(raw.hostname === undefined ? {} : { hostname: raw.hostname }),
    ips: hostIps(host, resolve),
    ...(raw.principal === undefined ? {} : { principal: raw.principal }),
    ...(role === undefined ? {} : { role }),
  };
}

function frameworkRole(raw: RawFramework): string | undefined {
  return raw.roles?.[0] ?? raw.role;
}

function taskOf(raw: RawTask, framework: RawFramework): Task {
  const role = raw.role ?? frameworkRole(framework);
  const task: Task = {
    id: raw.id,
    name: raw.name,
    frameworkId: framework.id,
    ...(role === undefined ? {} : { role }),
    ...(framework.principal === undefined ? {} : { principal: framework.principal }),
    agentId: raw.slave_id,
    state: raw.state,
    labels: labelsOf(raw.labels),
    ports: raw.resources?.ports ?? [],
    hasHealthCheck: raw.health_check !== undefined,
    statuses: raw.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      ...(s.healthy === undefined ? {} : { healthy: s.healthy }),
      labels: labelsOf(s.labels),
      networkInfos: (s.container_status?.network_infos ?? []).map(networkInfoOf),
    })),
  };
  if (raw.discovery) {
    task.discovery = {
      ...(raw.discovery.name === undefined ? {} : { name: raw.discovery.name }),
      ports: (raw.discovery.ports?.ports ?? []).map((p) => ({
        number: p.number,
        ...(p.protocol === undefined ? {} : { protocol: p.protocol }),
        ...(p.name === undefined ? {} : { name: p.name }),
        labels: labelsOf(p.labels?.labels ?? []),
      })),
    };
  }
  if (raw.container) task.container = containerOf(raw.container);
  return task;
}

function containerOf(raw: NonNullable<RawTask["container"]>): Container {
  return {
    ...(raw.type === undefined ? {} : { type: raw.type }),
    ...(raw.docker?.network === undefined ? {} : { dockerNetwork: raw.docker.network }),
    portMappings: (raw.docker?.port_mappings ?? []).map(portMappingOf),
    networkInfos: raw.network_infos.map(networkInfoOf),
  };
}

function networkInfoOf(raw: RawNetworkInfo): NetworkInfo {
  const ipAddresses: string[] = [];
  for (const a of raw.ip_addresses) if (a.ip_address !== undefined) ipAddresses.push(a.ip_address);
  // The legacy single address counts only when the list is empty, as in mesos-dns.
  if (ipAddresses.length === 0 && raw.ip_address !== undefined) ipAddresses.push(raw.ip_address);
  return {
    ...(raw.name === undefined ? {} : { name: raw.name }),
    ipAddresses,
    portMappings: raw.port_mappings.map(portMappingOf),
  };
}

function portMappingOf(raw: RawPortMapping): PortMapping {
  return { hostPort: raw.host_port, containerPort: raw.container_port, protocol: raw.protocol ?? "tcp" };
}

function labelsOf(raw: ReadonlyArray<{ key: string; value: string }>): Label[] {
  return raw.map((l) => ({ key: l.key, value: l.value }));
}
