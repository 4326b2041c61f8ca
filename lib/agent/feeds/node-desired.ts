/**
 * @module
 * A node's desired state computed on the node itself, from a snapshot: the same pure
 * reconcile the control plane runs, then the node's projection. The node must be one of the
 * snapshot's agents: a typo in `--node` would otherwise apply an empty overlay.
 */
import { desiredStateOf, nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import type { DesiredState } from "../../desired/schema.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { InvalidDesiredError } from "../validate-desired.ts";

/**
 * @example nodeDesired(snapshot, "S1", "snapshot.json").node // "S1"
 */
export function nodeDesired(snapshot: ClusterSnapshot, node: string, source: string): { cluster: DesiredState; node: DesiredState } {
  if (!snapshot.agents.some((agent) => agent.id === node)) {
    const known = snapshot.agents.map((agent) => agent.id).slice(0, 10).join(", ");
    throw new InvalidDesiredError(`${source}: node '${node}' is not an agent of cluster '${snapshot.cluster.name}' (agents: ${known || "none"})`);
  }
  const objects = deriveObjects(snapshot, { keepValues: true });
  return { cluster: desiredStateOf(objects), node: nodeViewOf(objects, node) };
}
