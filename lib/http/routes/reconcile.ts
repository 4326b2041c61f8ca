/**
 * @module
 * `POST /v1/reconcile` and `POST /v1/reconcile/nodes/:agentId`: the pure core over HTTP. The
 * client sends a ClusterSnapshot and gets the cluster's (or one node's) DesiredState back, with
 * its hash as the `ETag`.
 */
import { Hono } from "hono";
import { reconcile } from "../../../functions/reconcile.ts";
import { nodeViewOf } from "../../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { desiredResponse } from "../desired-response.ts";
import { hasAgent, unknownAgent } from "../agent-view.ts";
import { jsonBody } from "../middleware/json-body.ts";

/**
 * @example app.route("/v1/reconcile", reconcileRoutes())
 */
export function reconcileRoutes(): Hono {
  const snapshotBody = jsonBody(ClusterSnapshot, { name: "ClusterSnapshot" });
  return new Hono()
    .post("/", snapshotBody, (c) => desiredResponse(c, reconcile(c.var.body)))
    .post("/nodes/:agentId", snapshotBody, (c) => {
      const agentId = c.req.param("agentId");
      const snapshot = c.var.body;
      // Checked before reconciling: an unknown agent should not cost a full reconcile.
      if (!hasAgent(snapshot, agentId)) return unknownAgent(c, agentId);
      return desiredResponse(c, nodeViewOf(deriveObjects(snapshot, { keepValues: true }), agentId));
    });
}
