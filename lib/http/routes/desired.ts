/**
 * @module
 * `GET /v1/desired` and `GET /v1/desired/nodes/:agentId`: the desired state of the snapshot the
 * server was started with, for executors that poll with `If-None-Match` (304 while unchanged).
 * Only mounted when the server has a snapshot (`wayfinder serve --snapshot F`).
 */
import { Hono } from "hono";
import { desiredStateOf, nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import type { DesiredState } from "../../desired/schema.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { desiredResponse } from "../desired-response.ts";
import { hasAgent, unknownAgent } from "../agent-view.ts";

/**
 * @example app.route("/v1/desired", desiredRoutes(ClusterSnapshot.parse(json)))
 */
export function desiredRoutes(snapshot: ClusterSnapshot): Hono {
  // Reconciled once: the snapshot never changes for the life of the app, and every poll
  // would otherwise pay for a full reconcile.
  const objects = deriveObjects(snapshot, { keepValues: true });
  const desired = desiredStateOf(objects);
  const views = new Map<string, DesiredState>();
  const viewOf = (agentId: string): DesiredState => {
    let view = views.get(agentId);
    if (view === undefined) views.set(agentId, (view = nodeViewOf(objects, agentId)));
    return view;
  };

  return new Hono()
    .get("/", (c) => desiredResponse(c, desired, { conditional: true }))
    .get("/nodes/:agentId", (c) => {
      const agentId = c.req.param("agentId");
      if (!hasAgent(snapshot, agentId)) return unknownAgent(c, agentId);
      return desiredResponse(c, viewOf(agentId), { conditional: true });
    });
}
