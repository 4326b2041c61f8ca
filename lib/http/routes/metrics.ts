/**
 * @module
 * `GET /metrics`: the control plane's Prometheus series for every cluster this process holds
 * (`cluster-metrics.ts`). Behind the bearer token when one is configured, like `/v1/*`: node
 * ids and hashes describe the cluster. On Workers each cluster lives in its own Durable
 * Object, so there it is `GET /v1/clusters/:cluster/metrics` instead.
 */
import { Hono } from "hono";
import type { ClusterStates } from "../cluster-states.ts";
import { clusterMetricsText, type ClusterRows } from "../cluster-metrics.ts";
import { nodeRows } from "../node-convergence.ts";

/**
 * @example app.route("/metrics", metricsRoutes(states))
 */
export function metricsRoutes(states: ClusterStates): Hono {
  return new Hono().get("/", async (c) => {
    const clusters: ClusterRows[] = [];
    for (const cluster of await states.clusters()) {
      const state = await states.current(cluster);
      if (state !== undefined) clusters.push({ cluster, state, rows: nodeRows(state, await states.nodeStatuses(cluster), states.now()) });
    }
    return c.body(clusterMetricsText(clusters), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
