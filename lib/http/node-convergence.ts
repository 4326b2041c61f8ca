/**
 * @module
 * Which node runs what: each agent of the current generation against its latest report. A node
 * has converged when the hash it reports applied is the hash of its view now; it is silent when
 * it never reported or not for `STALE_AFTER_SECONDS`; an applier is failing when the node's
 * last sync reported it failed or held back. `wayfinder status`, `/metrics` and the dashboard
 * all read these rows, so they always agree.
 */
import { z } from "zod";
import { compareStrings } from "../net/compare.ts";
import { ApplierStatus, StoredNodeStatus } from "../store/node-status.ts";
import type { Agent } from "../snapshot/schema.ts";
import type { ClusterState } from "./cluster-states.ts";

/** Three missed resyncs of the agent's default 60 s: the node (or its agent) is likely gone. */
export const STALE_AFTER_SECONDS = 180;

/** One agent of the snapshot, with its latest report if any. */
export const NodeRow = z.object({
  agentId: z.string(),
  hostname: z.string(),
  /** The hash of the node's view in the current generation. */
  viewHash: z.string(),
  converged: z.boolean(),
  /** No report, or none for `STALE_AFTER_SECONDS`. */
  silent: z.boolean(),
  failing: z.array(ApplierStatus),
  status: StoredNodeStatus.optional(),
});
export type NodeRow = z.infer<typeof NodeRow>;

/** The nodes of a cluster in numbers, with the laggards and the failing appliers. */
export const NodesSummary = z.object({
  cluster: z.string(),
  generation: z.number().int(),
  /** The cluster's desired-state hash in this generation. */
  hash: z.string(),
  total: z.number().int(),
  reporting: z.number().int(),
  converged: z.number().int(),
  silent: z.number().int(),
  /** Nodes not on their current view, oldest report first (never reported last), at most `limit`. */
  laggards: z.array(z.object({ agentId: z.string(), hostname: z.string(), appliedHash: z.string().nullable(), appliedGeneration: z.number().int().nullable(), receivedAt: z.string().nullable(), silent: z.boolean() })),
  /** Per applier that fails somewhere: how many nodes, and the first few with their error. */
  failing: z.array(z.object({ applier: z.string(), nodes: z.number().int(), examples: z.array(z.object({ agentId: z.string(), stage: z.string().optional(), error: z.string().optional() })) })),
});
export type NodesSummary = z.infer<typeof NodesSummary>;

/**
 * Every agent of `state`, sorted by id. A node's view hash is the keyed state's own (no view is
 * assembled), and asked only for nodes that reported.
 * @example nodeRows(state, statuses, new Date()).filter((r) => !r.converged).map((r) => r.agentId)
 */
export function nodeRows(state: ClusterState, statuses: ReadonlyMap<string, StoredNodeStatus>, now: Date): NodeRow[] {
  const agents = [...state.stored.snapshot.objects.agents.values()].sort((a, b) => compareStrings(a.id, b.id));
  return agents.map((agent) => nodeRow(state, agent, statuses.get(agent.id), now));
}

/**
 * One agent against its latest report.
 * @example nodeRow(state, agent, statuses.get(agent.id), new Date()).converged // true
 */
export function nodeRow(state: ClusterState, agent: Pick<Agent, "id" | "hostname">, status: StoredNodeStatus | undefined, now: Date): NodeRow {
  const viewHash = status === undefined ? "" : state.viewHash(agent.id);
  const silent = status === undefined || now.getTime() - Date.parse(status.receivedAt) > STALE_AFTER_SECONDS * 1000;
  return {
    agentId: agent.id,
    hostname: agent.hostname,
    viewHash,
    converged: status !== undefined && status.appliedHash === viewHash,
    silent,
    failing: status?.appliers.filter((a) => a.result === "failed" || a.result === "held") ?? [],
    ...(status === undefined ? {} : { status }),
  };
}

/**
 * @example nodesSummary("prod", state, rows, 20) // { total: 40, converged: 38, laggards: [...], ... }
 */
export function nodesSummary(cluster: string, state: ClusterState, rows: readonly NodeRow[], limit: number): NodesSummary {
  const laggards = rows
    .filter((r) => !r.converged)
    .sort((a, b) => compareStrings(a.status?.receivedAt ?? "~", b.status?.receivedAt ?? "~") || compareStrings(a.agentId, b.agentId))
    .slice(0, limit)
    .map((r) => ({
      agentId: r.agentId,
      hostname: r.hostname,
      appliedHash: r.status?.appliedHash ?? null,
      appliedGeneration: r.status?.appliedGeneration ?? null,
      receivedAt: r.status?.receivedAt ?? null,
      silent: r.silent,
    }));
  const byApplier = new Map<string, Array<{ agentId: string; stage?: string; error?: string }>>();
  for (const row of rows) {
    for (const applier of row.failing) {
      const list = byApplier.get(applier.name) ?? [];
      list.push({ agentId: row.agentId, ...(applier.stage === undefined ? {} : { stage: applier.stage }), ...(applier.error === undefined ? {} : { error: applier.error }) });
      byApplier.set(applier.name, list);
    }
  }
  const failing = [...byApplier]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([applier, nodes]) => ({ applier, nodes: nodes.length, examples: nodes.slice(0, 5) }));
  return {
    cluster,
    generation: state.stored.generation,
    hash: state.desired().hash,
    total: rows.length,
    reporting: rows.filter((r) => r.status !== undefined).length,
    converged: rows.filter((r) => r.converged).length,
    silent: rows.filter((r) => r.silent).length,
    laggards,
    failing,
  };
}
