/**
 * @module
 * Which node runs what, over HTTP, for one stored cluster:
 * - `PUT /v1/clusters/:cluster/nodes/:agentId/status`: an agent's report after a sync
 *   (validated: 400 with issue paths; 404 for an agent the cluster does not have);
 * - `GET /v1/clusters/:cluster/nodes/:agentId/status`: that node's latest report and whether
 *   it runs its current view;
 * - `GET /v1/clusters/:cluster/nodes[?limit=N]`: nodes converged X of Y, the laggards and the
 *   failing appliers (what `wayfinder status` prints);
 * - `GET /v1/clusters/:cluster/metrics`: the same in Prometheus text, for one cluster.
 */
import { Hono, type Context } from "hono";
import { NodeStatusReport } from "../../store/node-status.ts";
import type { ClusterState, ClusterStates } from "../cluster-states.ts";
import { clusterMetricsText } from "../cluster-metrics.ts";
import { jsonError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { nodeRow, nodeRows, nodesSummary } from "../node-convergence.ts";

/** Laggards listed by `GET .../nodes` unless `?limit=` says otherwise. */
export const DEFAULT_LAGGARDS = 20;
const MAX_LAGGARDS = 10_000;

/** What `PUT .../status` answers: where the node stands in the current generation. */
export interface PutStatusResult {
  agentId: string;
  generation: number;
  /** The hash of the node's view now. */
  viewHash: string;
  converged: boolean;
}

/**
 * @example routes.route("/", nodeRoutes(states))
 */
export function nodeRoutes(states: ClusterStates): Hono {
  const now = () => states.now();
  const statusBody = jsonBody(NodeStatusReport, { name: "NodeStatusReport" });
  const routes = new Hono();

  routes.put("/:cluster/nodes/:agentId/status", statusBody, async (c) => {
    const cluster = c.req.param("cluster");
    const agentId = c.req.param("agentId");
    let kept: Awaited<ReturnType<ClusterStates["putNodeStatus"]>>;
    try {
      kept = await states.putNodeStatus(cluster, agentId, c.var.body);
    } catch (error) {
      return jsonError(c, 503, `could not store the status of '${agentId}' (${(error as Error).message})`);
    }
    if (kept === "no-snapshot") return noSnapshot(c);
    if (kept === "unknown-agent") return unknownAgent(c);
    const viewHash = kept.state.view(agentId)!.hash;
    const result: PutStatusResult = { agentId, generation: kept.state.stored.generation, viewHash, converged: kept.status.appliedHash === viewHash };
    return c.json(result);
  });

  routes.get("/:cluster/nodes/:agentId/status", async (c) => {
    const state = await states.current(c.req.param("cluster"));
    if (state === undefined) return noSnapshot(c);
    const agentId = c.req.param("agentId");
    if (!state.hasAgent(agentId)) return unknownAgent(c);
    const status = (await states.nodeStatuses(c.req.param("cluster"))).get(agentId);
    if (status === undefined) return jsonError(c, 404, `node '${agentId}' has not reported a status yet`);
    const agent = state.stored.snapshot.objects.agents.get(agentId)!;
    return c.json(nodeRow(state, agent, status, now()));
  });

  routes.get("/:cluster/nodes", async (c) => {
    const limitText = c.req.query("limit");
    const limit = limitText === undefined ? DEFAULT_LAGGARDS : /^\d{1,6}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 0 && limit <= MAX_LAGGARDS)) return jsonError(c, 400, `limit must be a whole number from 0 to ${MAX_LAGGARDS} (got '${limitText}')`);
    const found = await rowsOf(c, states, now);
    if (found instanceof Response) return found;
    return c.json(nodesSummary(c.req.param("cluster")!, found.state, found.rows, limit));
  });

  routes.get("/:cluster/metrics", async (c) => {
    const found = await rowsOf(c, states, now);
    if (found instanceof Response) return found;
    return c.body(clusterMetricsText([{ cluster: c.req.param("cluster")!, ...found }]), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return routes;
}

async function rowsOf(c: Context, states: ClusterStates, now: () => Date): Promise<{ state: ClusterState; rows: ReturnType<typeof nodeRows> } | Response> {
  const cluster = c.req.param("cluster") ?? "";
  const state = await states.current(cluster);
  if (state === undefined) return noSnapshot(c);
  return { state, rows: nodeRows(state, await states.nodeStatuses(cluster), now()) };
}

function noSnapshot(c: Context): Response {
  const cluster = c.req.param("cluster");
  return jsonError(c, 404, `no snapshot stored for cluster '${cluster}' (PUT /v1/clusters/${cluster}/snapshot first)`);
}

function unknownAgent(c: Context): Response {
  return jsonError(c, 404, `agent '${c.req.param("agentId")}' is not in the snapshot of cluster '${c.req.param("cluster")}' (snapshot.agents[].id)`);
}
