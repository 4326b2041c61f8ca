/**
 * @module
 * What policy speaks about: endpoints. A task is one endpoint per address it has (each on its
 * network), plus one on its agent's address for the host ports it holds (network `host`, or
 * `edge` on a public agent): a host-network task is only that, its ports on the agent's
 * address. A node (agent or master) is an endpoint too, for what the node itself sends
 * (host-network tasks, HAProxy) and for its addresses as destinations. Addresses on a bridge
 * (Docker's, Mesos's) are private to their node: they identify a source on that node only,
 * and are reached from elsewhere through host ports.
 */
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import { parseCidr, formatIp } from "../../lib/net/cidr.ts";
import { parseIp } from "../../lib/net/ip-literal.ts";
import type { Agent, ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import { isTerminal, networkContext, taskAddresses, type NetworkContext } from "../task-facts/task-networks.ts";

/** The facts selectors read about a task, shared by its endpoints. */
export interface TaskFacts {
  taskId: string;
  appId?: string;
  role?: string;
  /** Marathon app labels, or the task's own when its app is not known (Marathon copies them). */
  labels: Readonly<Record<string, string>>;
  /** The node the task runs on. */
  node: string;
}

export interface TaskEndpoint {
  kind: "task";
  task: TaskFacts;
  network: string;
  /** The address (the agent's, for host ports). */
  address: string;
  /** Endpoint elements: where the task is reached here. Empty for bridge addresses. */
  elements: string[];
  /** True when the address is the task's own (a source on its node); false for host ports. */
  own: boolean;
}

export interface NodeEndpoint {
  kind: "node";
  node: string;
  network: "host" | "edge";
  /** Every address the node sends from: underlay, VTEP, bridge gateways. */
  addresses: string[];
}

export interface Endpoints {
  tasks: TaskEndpoint[];
  nodes: NodeEndpoint[];
}

/**
 * Every endpoint of a snapshot: its tasks' (on agents it lists) and its nodes' (agents, and the
 * overlay's other nodes: masters).
 * @example clusterEndpoints(snapshot, overlayNodes).tasks[0] // { kind: "task", network: "dcos", address: "9.0.1.2", elements: ["9.0.1.2"], ... }
 */
export function clusterEndpoints(snapshot: ClusterSnapshot, overlayNodes: Readonly<Record<string, OverlayNode>>): Endpoints {
  const context = networkContext(snapshot);
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const apps = new Map(snapshot.marathonApps.map((a) => [a.id, a]));
  const tasks = snapshot.tasks.flatMap((task) => taskEndpoints(task, agents.get(task.agentId), task.appId === undefined ? undefined : apps.get(task.appId)?.labels, context));
  const nodes = snapshot.agents.map((agent) => nodeEndpoint(agent.id, agent, overlayNodes[agent.id])!);
  for (const [key, entry] of Object.entries(overlayNodes)) if (!agents.has(key)) nodes.push(nodeEndpoint(key, undefined, entry)!);
  return { tasks, nodes };
}

/**
 * A task's endpoints: none when it is terminal or its agent is unknown. `appLabels` are its
 * Marathon app's labels (undefined when the app is unknown or has none: the task's own count).
 * @example taskEndpoints(task, agent, undefined, context).map((e) => e.address) // ["9.0.1.2", "10.0.0.11"]
 */
export function taskEndpoints(task: Task, agent: Agent | undefined, appLabels: Readonly<Record<string, string>> | undefined, context: NetworkContext): TaskEndpoint[] {
  if (agent === undefined || isTerminal(task)) return [];
  const facts: TaskFacts = {
    taskId: task.id,
    ...(task.appId === undefined ? {} : { appId: task.appId }),
    ...(task.role === undefined ? {} : { role: task.role }),
    labels: (task.appId !== undefined && appLabels) || labelRecord(task),
    node: agent.id,
  };
  const out: TaskEndpoint[] = [];
  for (const { ip, network } of taskAddresses(task, context)) {
    if (context.agentIps.has(ip.address)) continue;
    out.push({ kind: "task", task: facts, network, address: ip.address, elements: network === "bridge" ? [] : [ip.address], own: true });
  }
  const ranges = task.ports.filter((r) => r.begin >= 1 && r.begin <= r.end && r.end <= 65535);
  if (ranges.length === 0) return out;
  const agentNetwork = agent.public ? "edge" : "host";
  for (const address of ipsOf(agent.ips)) {
    const elements = ranges.map((r) => `${address} ${r.begin === r.end ? r.begin : `${r.begin}-${r.end}`}`);
    out.push({ kind: "task", task: facts, network: agentNetwork, address, elements, own: false });
  }
  return out;
}

/**
 * A node's endpoint: an agent's (its addresses and its overlay entry's), or another overlay
 * node's (a master: its underlay address); undefined when it is neither.
 * @example nodeEndpoint("a1", agent, entry)?.addresses // ["10.0.0.11", "44.128.0.1"]
 */
export function nodeEndpoint(key: string, agent: Agent | undefined, overlay: OverlayNode | undefined): NodeEndpoint | undefined {
  if (agent !== undefined) return { kind: "node", node: agent.id, network: agent.public ? "edge" : "host", addresses: nodeAddresses(ipsOf(agent.ips), overlay) };
  return overlay === undefined ? undefined : { kind: "node", node: key, network: "host", addresses: nodeAddresses([overlay.ip], overlay) };
}

/** An agent's addresses that are IP literals: a snapshot may hold a hostname left unresolved (reported by DNS). */
function ipsOf(texts: readonly string[]): string[] {
  return texts.filter((text) => parseIp(text) !== undefined);
}

/** Mesos labels as a record; the first of a repeated key wins, as Marathon reads them. */
function labelRecord(task: Task): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of task.labels) if (!Object.hasOwn(out, key)) out[key] = value;
  return out;
}

/**
 * The node's own addresses: the kernel picks the VTEP address for traffic into the tunnel and
 * a bridge's address for traffic to its containers, so those are the node's too.
 */
function nodeAddresses(ips: readonly string[], overlay: OverlayNode | undefined): string[] {
  const out = new Set(ips);
  if (overlay !== undefined) {
    for (const text of [overlay.vtep.ip, overlay.vtep.ip6]) if (text !== undefined) out.add(text.slice(0, text.indexOf("/")));
    for (const o of overlay.overlays) {
      for (const bridge of [o.mesosBridge, o.dockerBridge]) {
        for (const subnet of [bridge?.subnet, bridge?.subnet6]) {
          const cidr = subnet === undefined ? undefined : parseCidr(subnet);
          if (cidr !== undefined) out.add(formatIp({ family: cidr.family, value: cidr.base + 1n }));
        }
      }
    }
  }
  return [...out];
}
