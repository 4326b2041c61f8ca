/**
 * @module
 * `GET /v1/desired` and `GET /v1/desired/nodes/:agentId`: the desired state of the snapshot the
 * server was started with, for executors that poll with `If-None-Match` (304 while unchanged).
 * Only mounted when the server has a snapshot (`wayfinder serve --snapshot F`).
 */
import { Hono } from "hono";
import { nodeView } from "../../../functions/node-view.ts";
import type { DesiredState } from "../../desired/schema.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { desiredResponse } from "../desired-response.ts";
import { hasAgent, unknownAgent } from "../agent-view.ts";

/**
 * `desired` is the snapshot's, reconciled once by the caller: the snapshot never changes for
 * the life of the app, and every poll would otherwise pay for a full reconcile.
 * @example app.route("/v1/desired", desiredRoutes(snapshot, reconcile(snapshot)))
 */
export function desiredRoutes(snapshot: ClusterSnapshot, desired: DesiredState): Hono {
  const views = new Map<string, DesiredState>();
  const viewOf = (agentId: string): DesiredState => {
    let view = views.get(agentId);
    if (view === undefined) views.set(agentId, (view = nodeView(desired, agentId)));
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
