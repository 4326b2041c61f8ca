/**
 * @module
 * The network policy of a snapshot: admin rules → network isolation → the app tier → the
 * default, as keyed data every node renders into one nftables table and `explain` reads
 * (`decide.ts`). Stages: what the config decides (`compiled.ts`), endpoints (`endpoints.ts`),
 * selectors (`selectors.ts`), grantors (`grantors.ts`), profiles and identities
 * (`profiles.ts`, `identities.ts`), app labels (`app-tier.ts`, `app-tier-state.ts`), set
 * memberships (`memberships.ts`), all held by the model (`model.ts`) that takes one task or
 * node at a time. Pure and total: an app label it cannot read is a diagnostic, and the rest of
 * the policy stands.
 */
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { networkContext } from "../task-facts/task-networks.ts";
import { compilePolicy } from "./compiled.ts";
import { nodeEndpoint, taskEndpoints } from "./endpoints.ts";
import { PolicyModel } from "./model.ts";

export { PolicyModel, type PolicyPieceKind, type PolicySink } from "./model.ts";

export interface PolicyInput {
  /** The admitted snapshot (`functions/admission`). */
  snapshot: ClusterSnapshot;
  /** The snapshot's tasks that were quarantined: kept off every network. */
  quarantined: ClusterSnapshot["tasks"];
  /** The overlay's node entries: slices, VTEP and bridge addresses, masters. */
  overlayNodes: Readonly<Record<string, OverlayNode>>;
}

/**
 * The policy model of a whole snapshot, every task and node set (flush it to write its
 * pieces); undefined when the config has no `policy`.
 * @example policyModelOf({ snapshot, quarantined: [], overlayNodes })?.flush(sink)
 */
export function policyModelOf(input: PolicyInput): PolicyModel | undefined {
  const { snapshot, overlayNodes } = input;
  if (snapshot.config.policy === undefined) return undefined;
  const model = new PolicyModel(compilePolicy(snapshot.config.policy, snapshot.config.overlay));
  const context = networkContext(snapshot);
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const labels = new Map(snapshot.marathonApps.map((a) => [a.id, a.labels]));
  for (const agent of snapshot.agents) model.setNode(agent.id, nodeEndpoint(agent.id, agent, overlayNodes[agent.id]), nodeSlices(overlayNodes[agent.id]));
  for (const [key, entry] of Object.entries(overlayNodes)) if (!agents.has(key)) model.setNode(key, nodeEndpoint(key, undefined, entry), nodeSlices(entry));
  for (const [list, quarantined] of [[snapshot.tasks, false], [input.quarantined, true]] as const) {
    for (const task of list) model.setTask(task.id, taskEndpoints(task, agents.get(task.agentId), task.appId === undefined ? undefined : labels.get(task.appId), context), quarantined);
  }
  return model;
}

/**
 * A node's overlay slices: an unknown source in them is a task not programmed yet.
 * @example nodeSlices(entry) // ["9.0.1.0/24", "fd01:b::/80"]
 */
export function nodeSlices(entry: OverlayNode | undefined): string[] {
  return (entry?.overlays ?? []).flatMap((o) => [o.subnet, o.subnet6].filter((s): s is string => s !== undefined));
}
