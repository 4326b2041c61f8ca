/**
 * @module
 * The control plane's Prometheus series, from the same node rows as `wayfinder status`: per
 * cluster its generation, nodes converged, reporting and silent, diagnostics by level; per node
 * whether it converged, when it last reported, its failing appliers and sync duration.
 */
import { Gauge, Registry } from "../metrics/registry.ts";
import type { ClusterState } from "./cluster-states.ts";
import type { NodeRow } from "./node-convergence.ts";

/** One cluster's state and node rows. */
export interface ClusterRows {
  cluster: string;
  state: ClusterState;
  rows: readonly NodeRow[];
}

/**
 * @example clusterMetricsText([{ cluster: "prod", state, rows }]) // "# HELP wayfinder_cluster_nodes ...\nwayfinder_cluster_nodes{cluster=\"prod\"} 40\n..."
 */
export function clusterMetricsText(clusters: readonly ClusterRows[]): string {
  const registry = new Registry();
  const gauge = (name: string, help: string, labels: readonly string[]) => registry.add(new Gauge(name, help, labels));
  const CLUSTER = ["cluster"];
  const NODE = ["cluster", "node"];
  const generation = gauge("wayfinder_cluster_generation", "The stored snapshot's generation", CLUSTER);
  const nodes = gauge("wayfinder_cluster_nodes", "Agents in the stored snapshot", CLUSTER);
  const reporting = gauge("wayfinder_cluster_nodes_reporting", "Agents that have reported a status", CLUSTER);
  const converged = gauge("wayfinder_cluster_nodes_converged", "Agents that report applying their current view", CLUSTER);
  const silent = gauge("wayfinder_cluster_nodes_silent", "Agents with no report, or none within the stale limit", CLUSTER);
  const diagnostics = gauge("wayfinder_cluster_diagnostics", "Diagnostics of the desired state, by level", ["cluster", "level"]);
  const nodeConverged = gauge("wayfinder_node_converged", "1 when the node reports applying its current view", NODE);
  const lastReport = gauge("wayfinder_node_last_report_timestamp_seconds", "When the node's latest report arrived", NODE);
  const failures = gauge("wayfinder_node_consecutive_failures", "Failed syncs since the node's last good one, as it reported", NODE);
  const duration = gauge("wayfinder_node_sync_duration_seconds", "The duration of the node's last reported sync", NODE);
  const failing = gauge("wayfinder_node_applier_failing", "1 per applier that failed or was held in the node's last sync", ["cluster", "node", "applier", "stage"]);
  for (const { cluster, state, rows } of clusters) {
    generation.set(state.stored.generation, { cluster });
    nodes.set(rows.length, { cluster });
    reporting.set(rows.filter((r) => r.status !== undefined).length, { cluster });
    converged.set(rows.filter((r) => r.converged).length, { cluster });
    silent.set(rows.filter((r) => r.silent).length, { cluster });
    for (const level of ["error", "warning", "info"] as const) diagnostics.set(state.desired().diagnostics.filter((d) => d.level === level).length, { cluster, level });
    for (const row of rows) {
      const node = { cluster, node: row.agentId };
      nodeConverged.set(row.converged ? 1 : 0, node);
      if (row.status === undefined) continue;
      lastReport.set(Date.parse(row.status.receivedAt) / 1000, node);
      failures.set(row.status.counters.consecutiveFailures, node);
      duration.set(row.status.durationMs / 1000, node);
      for (const applier of row.failing) failing.set(1, { ...node, applier: applier.name, stage: applier.stage ?? applier.result });
    }
  }
  return registry.render();
}
