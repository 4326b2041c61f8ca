/**
 * @module
 * Who `explain` and `matrix` speak about, by the names people use: an app id, a task id, a
 * node (agent id), or an IP. A party is the sources it sends as (each task address on its
 * node; a host-network task sends as its node) and the destinations it is reached at (each
 * task address; its host ports on its agent's address). Quarantined tasks are parties too, so
 * `explain` can say why they get nothing.
 */
import type { DesiredState } from "../../lib/desired/schema.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import { parseElement } from "../../lib/desired/policy-elements.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { clusterEndpoints, type TaskEndpoint } from "./endpoints.ts";
import type { PolicyDecider, Source } from "./decide.ts";

/** Where a party is reached: an address, on every port or on some port ranges. */
export interface Destination {
  address: string;
  ports?: Array<[number, number]>;
}

export interface Party {
  /** How it was named: `/shop/web`, `task:shop_web.1`, `node:S1` or an IP. */
  label: string;
  sources: Source[];
  destinations: Destination[];
}

export interface Parties {
  apps: Map<string, Party>;
  tasks: Map<string, Party>;
  nodes: Map<string, Party>;
}

/**
 * Every app, task and node of the snapshot as a party. `snapshot` is the whole one (not only the
 * admitted tasks), with `desired` its reconciled state.
 * @example partiesOf(snapshot, desired).apps.get("/shop/web")!.sources.length // 2
 */
export function partiesOf(snapshot: ClusterSnapshot, desired: DesiredState): Parties {
  const endpoints = clusterEndpoints(snapshot, desired.overlay.nodes);
  const apps = new Map<string, Party>();
  const tasks = new Map<string, Party>();
  const nodes = new Map<string, Party>();
  for (const node of endpoints.nodes) {
    // One source per family: the node sends IPv4 and IPv6 from whichever address routing picks.
    const families = [node.addresses.find((a) => !a.includes(":")), node.addresses.find((a) => a.includes(":"))].filter((a): a is string => a !== undefined);
    const sources: Source[] = families.map((address) => ({ kind: "node", node: node.node, address }));
    nodes.set(node.node, { label: `node:${node.node}`, sources, destinations: node.addresses.map((a) => ({ address: a })) });
  }
  const add = (map: Map<string, Party>, key: string, label: string, endpoint: TaskEndpoint) => {
    let party = map.get(key);
    if (party === undefined) map.set(key, (party = { label, sources: [], destinations: [] }));
    addEndpoint(party, endpoint, nodes);
  };
  for (const endpoint of endpoints.tasks) {
    add(tasks, endpoint.task.taskId, `task:${endpoint.task.taskId}`, endpoint);
    if (endpoint.task.appId !== undefined) add(apps, endpoint.task.appId, endpoint.task.appId, endpoint);
  }
  return { apps, tasks, nodes };
}

function addEndpoint(party: Party, endpoint: TaskEndpoint, nodes: ReadonlyMap<string, Party>): void {
  if (endpoint.own) {
    party.sources.push({ kind: "task", node: endpoint.task.node, address: endpoint.address });
    if (endpoint.elements.length > 0) party.destinations.push({ address: endpoint.address });
    return;
  }
  // Host ports: reached on the agent's address; what the task sends is its node's.
  if (!party.sources.some((s) => s.kind === "node" && s.node === endpoint.task.node)) party.sources.push(...nodes.get(endpoint.task.node)!.sources);
  party.destinations.push({ address: endpoint.address, ports: endpoint.elements.map((e) => { const r = parseElement(e)!; return [r.portLo, r.portHi] as [number, number]; }) });
}

/**
 * The party a name stands for: an app id (`/shop/web`), a task id, `node:<agent>` or an agent
 * id, or an IP address (whoever holds it). Undefined when nothing matches.
 * @example resolveParty("/shop/web", parties, decider)?.destinations // [{ address: "9.0.0.2" }, ...]
 */
export function resolveParty(name: string, parties: Parties, decider: PolicyDecider): Party | undefined {
  if (parseIpValue(name) !== undefined) return { label: name, sources: [decider.source(name)], destinations: [{ address: name }] };
  const node = name.startsWith("node:") ? name.slice(5) : name;
  return parties.apps.get(name) ?? parties.tasks.get(name) ?? parties.nodes.get(node);
}

/**
 * Whether `destination` is reached on `port`.
 * @example reachedOn({ address: "10.0.0.11", ports: [[7000, 7000]] }, 80) // false
 */
export function reachedOn(destination: Destination, port: number): boolean {
  return destination.ports === undefined || destination.ports.some(([lo, hi]) => lo <= port && port <= hi);
}
