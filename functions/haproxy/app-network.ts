/**
 * @module
 * How a Marathon app is reached (`specs/l7.md` §2.3, §2.4, §2.8, marathon-lb `utils.py`): its
 * networking mode, its service ports (the ports HAProxy listens on) and, per task, the address
 * and ports behind them. Host-networked and bridged tasks are reached on their agent's address,
 * found in the snapshot's agents (no DNS look-up: the function stays pure); IP-per-task tasks
 * (overlay, `container` mode) on their own IP and container ports.
 */
import type { MarathonApp, MarathonTask } from "../../lib/snapshot/marathon.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { ipFamily } from "../../lib/net/ip-literal.ts";

export type NetworkingMode = "host" | "container" | "container/bridge";

/**
 * marathon-lb's `get_app_networking_mode`: `host`, unless a legacy `ipAddress`, a Docker
 * `USER`/`BRIDGE` network or `networks[]` say otherwise (the last network entry wins).
 * @example networkingMode({ id: "/db", networks: [{ mode: "container", name: "dcos" }] }) // "container"
 */
export function networkingMode(app: MarathonApp): NetworkingMode {
  let mode: NetworkingMode = "host";
  if (app.ipAddress !== undefined) mode = "container";
  const dockerNetwork = app.container?.docker?.network;
  if (dockerNetwork === "USER") mode = "container";
  else if (dockerNetwork === "BRIDGE") mode = "container/bridge";
  for (const network of app.networks ?? []) mode = network.mode === "container/bridge" ? "container/bridge" : network.mode === "host" ? "host" : "container";
  return mode;
}

/** Docker port mappings when there are any, else the Mesos containerizer's (Marathon 1.5). */
function portMappings(app: MarathonApp) {
  const docker = app.container?.docker?.portMappings ?? [];
  return docker.length > 0 ? docker : (app.container?.portMappings ?? []);
}

/**
 * The service ports Marathon declares: port mappings' `servicePort`s in container modes,
 * else `portDefinitions` (or the legacy `ports`). Empty when there are none, which for an
 * IP-per-task app means ports must be assigned (`service-port-assigner.ts`).
 * @example declaredServicePorts({ id: "/web", portDefinitions: [{ port: 10000 }] }, "host") // [10000]
 */
export function declaredServicePorts(app: MarathonApp, mode: NetworkingMode): number[] {
  if (mode === "container" || mode === "container/bridge") {
    const fromMappings = portMappings(app).flatMap((m) => (m.servicePort === undefined ? [] : [m.servicePort]));
    if (fromMappings.length > 0) return fromMappings;
  }
  if (app.portDefinitions !== undefined) return app.portDefinitions.flatMap((d) => (d.port === undefined ? [] : [d.port]));
  return [...(app.ports ?? [])];
}

/**
 * The ports a task serves its service ports on, in service-port order, from Marathon's app
 * and task records (the Mesos task model's ports, with their VIPs, are `taskPorts` in
 * `functions/task-facts/task-ports.ts`).
 * @example marathonTaskPorts({ id: "/web" }, "host", { id: "t1", ports: [31000] }) // [31000]
 */
export function marathonTaskPorts(app: MarathonApp, mode: NetworkingMode, task: MarathonTask): readonly number[] {
  if (mode === "container") {
    const discovery = (app.ipAddress?.discovery?.ports ?? []).flatMap((p) => (typeof p.number === "number" ? [p.number] : []));
    return discovery.length > 0 ? discovery : containerPorts(app);
  }
  const ports = task.ports ?? [];
  if (ports.length > 0) return ports;
  if (mode === "host") return definitionPorts(app);
  const defined = definitionPorts(app);
  return defined.length > 0 ? defined : containerPorts(app);
}

function definitionPorts(app: MarathonApp): number[] {
  return (app.portDefinitions ?? []).flatMap((d) => (d.port === undefined ? [] : [d.port]));
}

function containerPorts(app: MarathonApp): number[] {
  return portMappings(app).flatMap((m) => (m.containerPort === undefined ? [] : [m.containerPort]));
}

/** What the resolver reads of an agent. */
export interface ResolvableAgent {
  readonly id: string;
  readonly hostname: string;
  readonly ips: readonly string[];
}

/** Hostname → the address HAProxy uses for it, from the snapshot's agents. */
export type HostResolver = (host: string) => string | undefined;

/**
 * A resolver over agents: an IP literal is itself, an agent hostname its first IPv4 address
 * (what `gethostbyname` would return), else its first address; anything else is unknown. Of
 * two agents with one hostname (a re-registered agent), the lowest id answers, whatever the
 * order the snapshot lists them in.
 * @example agentResolver([{ id: "S1", hostname: "a1", ips: ["10.0.1.11"] }])("a1") // "10.0.1.11"
 */
export function agentResolver(agents: readonly ResolvableAgent[]): HostResolver {
  const byHost = new Map<string, ResolvableAgent[]>();
  for (const agent of agents) {
    const list = byHost.get(agent.hostname);
    if (list === undefined) byHost.set(agent.hostname, [agent]);
    else list.push(agent);
  }
  const table = new Map<string, string | undefined>([...byHost].map(([host, sharing]) => [host, agentAddress(sharing)]));
  return (host) => (ipFamily(host) !== undefined ? host : table.get(host));
}

/**
 * The address of a hostname the agents in `sharing` all have: the lowest id's with an IP.
 * @example agentAddress([{ id: "S2", hostname: "a1", ips: ["10.0.1.12"] }, { id: "S1", hostname: "a1", ips: [] }]) // "10.0.1.12"
 */
export function agentAddress(sharing: readonly ResolvableAgent[]): string | undefined {
  for (const agent of [...sharing].sort((a, b) => compareStrings(a.id, b.id))) {
    const ip = agent.ips.find((a) => ipFamily(a) === 4) ?? agent.ips.find((a) => ipFamily(a) === 6);
    if (ip !== undefined) return ip;
  }
  return undefined;
}

/**
 * The address a task is reached on: its own first IP in `container` mode, else its host's.
 * @example taskAddress("container", { id: "t", ipAddresses: [{ ipAddress: "9.0.2.2" }] }, resolve) // "9.0.2.2"
 */
export function taskAddress(mode: NetworkingMode, task: MarathonTask, resolve: HostResolver): string | undefined {
  if (mode === "container") {
    const ip = task.ipAddresses?.[0]?.ipAddress;
    return ip !== undefined && ipFamily(ip) !== undefined ? ip : undefined;
  }
  return task.host === undefined ? undefined : resolve(task.host);
}
