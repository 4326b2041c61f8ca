/**
 * @module
 * One operator-API message → one snapshot record: `Task` → Task, `TaskStatus` → TaskStatus,
 * `Agent`/`AgentInfo` → Agent, `FrameworkInfo` → Framework. The task model follows dcos-net's
 * `dcos_net_mesos_listener` (specs/overlay_l4lb.md §4.2) but keeps the raw facts (every status,
 * every port mapping, labels as written) and leaves the interpretation to the reconcilers.
 */
import type { Agent, Framework, Label, NetworkInfo, PortMapping, PortRange, Task, TaskStatus } from "../schema.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { parsePid } from "../../net/host-port.ts";
import type {
  RawAgent,
  RawAgentInfo,
  RawAttribute,
  RawFrameworkInfo,
  RawNetworkInfo,
  RawPortMapping,
  RawResource,
  RawStatus,
  RawTask,
} from "./operator-schema.ts";

/**
 * Resolves a hostname to its IP literals. Injected, so that adapters stay pure: the CLI passes
 * one backed by `node:dns`; the default knows nothing.
 */
export type ResolveHost = (hostname: string) => readonly string[];

/** The role DC/OS statically reserves a public agent's resources for. */
const PUBLIC_ROLE = "slave_public";

/**
 * @example taskRecord(rawTask).statuses.at(-1)?.state // "TASK_RUNNING"
 */
export function taskRecord(raw: RawTask): Task {
  const container = raw.container;
  const role = raw.resources.find((r) => r.allocation_info?.role !== undefined)?.allocation_info?.role;
  return {
    id: raw.task_id.value,
    name: raw.name,
    frameworkId: raw.framework_id.value,
    ...(role === undefined ? {} : { role }),
    agentId: raw.agent_id.value,
    state: raw.state,
    labels: labels(raw.labels?.labels),
    ports: portRanges(raw.resources),
    discovery:
      raw.discovery === undefined
        ? undefined
        : {
            name: raw.discovery.name,
            ports: (raw.discovery.ports?.ports ?? []).map((p) => ({
              number: p.number,
              protocol: p.protocol,
              name: p.name,
              labels: labels(p.labels?.labels),
            })),
          },
    container:
      container === undefined
        ? undefined
        : {
            type: container.type,
            dockerNetwork: container.docker?.network,
            portMappings: portMappings(container.docker?.port_mappings ?? []),
            networkInfos: networkInfos(container.network_infos),
          },
    hasHealthCheck: raw.health_check !== undefined,
    statuses: raw.statuses.map(statusRecord),
  };
}

/**
 * @example statusRecord({ state: "TASK_RUNNING", timestamp: 1.5 }).networkInfos // []
 */
export function statusRecord(raw: RawStatus): TaskStatus {
  return {
    state: raw.state,
    timestamp: raw.timestamp,
    healthy: raw.healthy,
    labels: labels(raw.labels?.labels),
    networkInfos: networkInfos(raw.container_status?.network_infos ?? []),
  };
}

/**
 * A registered agent. Its IPs are the hostname when that is an IP literal, else what
 * `resolveHost` says, else the PID's host (the address libprocess advertises, which the master
 * itself uses to reach the agent).
 * @example agentRecord({ agent_info: { id: { value: "S0" }, hostname: "10.0.0.1", ... }, ... }, () => []).ips // ["10.0.0.1"]
 */
export function agentRecord(raw: RawAgent, resolveHost: ResolveHost): Agent {
  return agent(raw.agent_info, raw.pid, [...raw.agent_info.resources, ...raw.total_resources], resolveHost);
}

/**
 * An agent the master knows from its registry but that has not re-registered since a failover:
 * a bare `AgentInfo`, without PID. Its tasks still run, so it is kept.
 * @example recoveredAgentRecord({ id: { value: "S0" }, hostname: "10.0.0.1", ... }, () => []).pid // undefined
 */
export function recoveredAgentRecord(info: RawAgentInfo, resolveHost: ResolveHost): Agent {
  return agent(info, undefined, info.resources, resolveHost);
}

function agent(info: RawAgentInfo, pid: string | undefined, resources: RawResource[], resolveHost: ResolveHost): Agent {
  let ips = hostIps(info.hostname, resolveHost);
  if (ips.length === 0 && pid !== undefined) ips = hostIps(parsePid(pid)?.host ?? "", () => []);
  const attributes = Object.fromEntries(info.attributes.map((a) => [a.name, attributeText(a)]));
  return {
    id: info.id.value,
    hostname: info.hostname,
    pid,
    ips,
    // Some installers only tag public agents with `public_ip:true`, as the /master/state adapter knows.
    public: resources.some(isPublic) || attributes["public_ip"] === "true",
    attributes,
  };
}

/**
 * The operator API has no scheduler PID; the framework's IPs come from its hostname.
 * @example frameworkRecord({ id: { value: "F1" }, name: "marathon", hostname: "10.0.0.2" }, () => []).ips // ["10.0.0.2"]
 */
export function frameworkRecord(raw: RawFrameworkInfo, resolveHost: ResolveHost): Framework {
  return {
    id: raw.id.value,
    name: raw.name,
    hostname: raw.hostname,
    ips: raw.hostname === undefined ? [] : hostIps(raw.hostname, resolveHost),
    principal: raw.principal,
    role: raw.roles?.[0] ?? raw.role,
  };
}

function hostIps(hostname: string, resolveHost: ResolveHost): string[] {
  const literal = parseIp(hostname);
  if (literal !== undefined) return [literal.address];
  if (hostname === "") return [];
  const ips: string[] = [];
  for (const candidate of resolveHost(hostname)) {
    const ip = parseIp(candidate);
    if (ip !== undefined && !ips.includes(ip.address)) ips.push(ip.address);
  }
  return ips;
}

function isPublic(resource: RawResource): boolean {
  return resource.role === PUBLIC_ROLE || resource.reservations.some((r) => r.role === PUBLIC_ROLE);
}

function attributeText(a: RawAttribute): string {
  if (a.text !== undefined) return a.text.value;
  if (a.scalar !== undefined) return String(a.scalar.value);
  if (a.ranges !== undefined) return `[${a.ranges.range.map((r) => `${r.begin}-${r.end}`).join(", ")}]`;
  if (a.set !== undefined) return `{${a.set.item.join(",")}}`;
  return "";
}

function labels(raw: ReadonlyArray<{ key: string; value: string }> | undefined): Label[] {
  return (raw ?? []).map((l) => ({ key: l.key, value: l.value }));
}

/** Every range of every `ports` resource, in order (reserved and unreserved alike). */
function portRanges(resources: readonly RawResource[]): PortRange[] {
  return resources
    .filter((r) => r.name === "ports")
    .flatMap((r) => (r.ranges?.range ?? []).map((range) => ({ begin: range.begin, end: range.end })));
}

function portMappings(raw: readonly RawPortMapping[]): PortMapping[] {
  return raw.map((m) => ({ hostPort: m.host_port, containerPort: m.container_port, protocol: m.protocol ?? "tcp" }));
}

/** Addresses are kept as written; the reconcilers judge them (and report the unparsable). */
function networkInfos(raw: readonly RawNetworkInfo[]): NetworkInfo[] {
  return raw.map((n) => ({
    name: n.name,
    ipAddresses: n.ip_addresses.flatMap((a) => (a.ip_address === undefined ? [] : [a.ip_address])),
    portMappings: portMappings(n.port_mappings),
  }));
}
