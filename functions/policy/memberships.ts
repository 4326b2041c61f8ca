/**
 * @module
 * What one task or one node adds to the policy's address sets (`PolicyMembership`): a set is
 * the elements the config puts in it and those its members add, so a task that comes or goes
 * rewrites its own membership, not the sets that list the whole cluster (`known`, a network's
 * members, a broad selector's). Pure.
 */
import type { PolicyMembership } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { CompiledPolicy } from "./compiled.ts";
import type { NodeEndpoint, TaskEndpoint } from "./endpoints.ts";

/** Set key → elements, as they are collected. */
type Collected = Map<string, string[]>;

/**
 * A quarantined task's membership: its endpoints, in `quarantine`.
 * @example quarantinedMembership(endpoints) // { quarantine: ["10.200.1.5"] }
 */
export function quarantinedMembership(endpoints: readonly TaskEndpoint[]): PolicyMembership | undefined {
  const out: Collected = new Map();
  for (const e of endpoints) add(out, "quarantine", e.elements);
  return membership(out);
}

/**
 * An admitted task's membership. `destinations(e)`: the rules' destination sets `e` is in;
 * `members`: its app's member set, when the app has a tier.
 * @example taskMembership(endpoints, policy, (e) => ["e-1f2e3d4c5b6a"], undefined) // { "e-1f2e3d4c5b6a": ["9.0.0.2"], known: ["9.0.0.2"] }
 */
export function taskMembership(endpoints: readonly TaskEndpoint[], policy: CompiledPolicy, destinations: (e: TaskEndpoint) => readonly string[], members: string | undefined): PolicyMembership | undefined {
  const out: Collected = new Map();
  for (const e of endpoints) {
    for (const key of destinations(e)) add(out, key, e.elements);
    for (const d of policy.destinations.blocks) if (d.selector.matchesTask(e)) add(out, d.key, e.elements);
    if (members !== undefined) add(out, members, e.elements);
    if (!e.own) add(out, "hostports", e.elements);
    else if (e.network !== "bridge") {
      add(out, "known", [e.address]);
      const isolated = policy.isolated.get(e.network);
      if (isolated !== undefined) add(out, isolated, [e.address]);
    }
  }
  return membership(out);
}

/**
 * A node's membership: its addresses in `cluster`, in its network's member set when that is
 * isolated, and in the destination sets whose selectors match them.
 * @example nodeMembership(node, policy) // { cluster: ["10.0.0.11", "44.128.0.1"] }
 */
export function nodeMembership(node: NodeEndpoint, policy: CompiledPolicy): PolicyMembership | undefined {
  const out: Collected = new Map();
  add(out, "cluster", node.addresses);
  const isolated = policy.isolated.get(node.network);
  if (isolated !== undefined) add(out, isolated, node.addresses);
  for (const d of policy.destinations.nodes) add(out, d.key, node.addresses.filter((a) => d.selector.matchesNode(node, a)));
  return membership(out);
}

function add(out: Collected, key: string, elements: readonly string[]): void {
  if (elements.length === 0) return;
  const list = out.get(key);
  if (list === undefined) out.set(key, [...elements]);
  else list.push(...elements);
}

function membership(out: Collected): PolicyMembership | undefined {
  if (out.size === 0) return undefined;
  return Object.fromEntries([...out].sort(([a], [b]) => compareStrings(a, b)).map(([key, elements]) => [key, normalizeElements(elements)]));
}
