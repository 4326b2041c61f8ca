/**
 * @module
 * The node-view routes share one rule: a view is only served for an agent the snapshot knows.
 * `nodeView` itself would happily project any id (and return an empty overlay), which would
 * hide a typo in an executor's `--node` behind a 200.
 */
import type { Context } from "hono";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import { jsonError } from "./errors.ts";

/**
 * @example hasAgent(snapshot, "S1") // true when snapshot.agents has an agent with id "S1"
 */
export function hasAgent(snapshot: ClusterSnapshot, agentId: string): boolean {
  return snapshot.agents.some((agent) => agent.id === agentId);
}

/**
 * The 404 for an agent id the snapshot does not list.
 * @example if (!hasAgent(snapshot, id)) return unknownAgent(c, id);
 */
export function unknownAgent(c: Context, agentId: string): Response {
  return jsonError(c, 404, `agent '${agentId}' is not in the snapshot (snapshot.agents[].id)`);
}
