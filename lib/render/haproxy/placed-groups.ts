/**
 * @module
 * The LB groups a node view asks its node to run (`haproxy.nodes`, written by placement in
 * `functions/haproxy/placement.ts`). Shared by `wayfinder render --node` and the HAProxy
 * applier, so both install the same groups. A whole state (no `node`) and a state written
 * before placement (no `haproxy.nodes`) run every group, as every node did before.
 */
import type { DesiredState, HaproxyGroup } from "../../desired/schema.ts";

/**
 * The names of the groups `desired`'s node runs, in the order of `haproxy.groups`.
 * @example placedGroupNames({ node: "S3", haproxy: { groups: { external: g, internal: g }, nodes: { S3: { groups: ["external"] } } } }) // ["external"]
 * @example placedGroupNames({ node: "M1", haproxy: { groups: { external: g }, nodes: {} } }) // [] (not an agent)
 */
export function placedGroupNames(desired: Pick<DesiredState, "node" | "haproxy">): string[] {
  const all = Object.keys(desired.haproxy.groups);
  const nodes = desired.haproxy.nodes;
  if (desired.node === undefined || nodes === undefined) return all;
  const placed = new Set(nodes[desired.node]?.groups ?? []);
  return all.filter((group) => placed.has(group));
}

/**
 * The rendered groups `desired`'s node runs.
 * @example Object.keys(placedGroupsOf(nodeView(desired, "S3"))) // ["external"]
 */
export function placedGroupsOf(desired: Pick<DesiredState, "node" | "haproxy">): Record<string, HaproxyGroup> {
  return Object.fromEntries(placedGroupNames(desired).map((group) => [group, desired.haproxy.groups[group]!]));
}
