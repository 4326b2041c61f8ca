/**
 * @module
 * The OpenAPI paths of "which node runs what" (`routes/nodes.ts`, `routes/metrics.ts`),
 * present when the server has a store; schemas from the same zod schemas that validate and
 * build the bodies.
 */
import { NodeStatusReport } from "../../store/node-status.ts";
import { NodeRow, NodesSummary } from "../node-convergence.ts";
import { componentSchema } from "./component-schema.ts";

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });
const json = (description: string, schema: unknown) => ({ description, content: { "application/json": { schema } } });
const prometheus = { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: { type: "string" } } } };

/** Components the node paths use. */
export function nodeComponents() {
  return {
    schemas: {
      NodeStatusReport: componentSchema(NodeStatusReport, "input"),
      NodeRow: componentSchema(NodeRow, "output"),
      NodesSummary: componentSchema(NodesSummary, "output"),
      PutStatusResult: {
        type: "object",
        required: ["agentId", "generation", "viewHash", "converged"],
        properties: { agentId: { type: "string" }, generation: { type: "integer" }, viewHash: { type: "string" }, converged: { type: "boolean" } },
      },
    },
  };
}

/**
 * @example Object.keys(nodePaths({ v1: {}, denied: {} })) // ["/v1/clusters/{cluster}/nodes/{agentId}/status", ...]
 */
export function nodePaths(options: { v1: Record<string, unknown>; denied: Record<string, unknown> }): Record<string, unknown> {
  const { v1, denied } = options;
  const errors = { ...denied, 500: ref("responses", "InternalError") };
  const cluster = ref("parameters", "Cluster");
  const missing = json("No snapshot stored for the cluster, or an agent it does not list", ref("schemas", "Error"));
  return {
    "/v1/clusters/{cluster}/nodes/{agentId}/status": {
      put: {
        operationId: "putNodeStatus",
        summary: "An agent's report after a sync: applied hash and generation, each applier's result, durations, counters",
        ...v1,
        parameters: [cluster, ref("parameters", "AgentId")],
        requestBody: { required: true, content: { "application/json": { schema: ref("schemas", "NodeStatusReport") } } },
        responses: {
          200: json("Kept; where the node stands in the current generation", ref("schemas", "PutStatusResult")),
          400: ref("responses", "BadRequest"),
          404: missing,
          413: ref("responses", "PayloadTooLarge"),
          415: ref("responses", "UnsupportedMediaType"),
          503: json("The store could not keep it", ref("schemas", "Error")),
          ...errors,
        },
      },
      get: {
        operationId: "getNodeStatus",
        summary: "A node's latest report and whether it runs its current view",
        ...v1,
        parameters: [cluster, ref("parameters", "AgentId")],
        responses: { 200: json("The node", ref("schemas", "NodeRow")), 400: ref("responses", "BadRequest"), 404: json("No snapshot, an unknown agent, or no report yet", ref("schemas", "Error")), ...errors },
      },
    },
    "/v1/clusters/{cluster}/nodes": {
      get: {
        operationId: "getNodes",
        summary: "Nodes converged X of Y, the laggards and the failing appliers",
        ...v1,
        parameters: [cluster, { name: "limit", in: "query", required: false, description: "The most laggards listed (default 20)", schema: { type: "integer", minimum: 0, maximum: 10000 } }],
        responses: { 200: json("The summary", ref("schemas", "NodesSummary")), 400: ref("responses", "BadRequest"), 404: missing, ...errors },
      },
    },
    "/v1/clusters/{cluster}/metrics": {
      get: { operationId: "clusterMetrics", summary: "One cluster's node convergence in Prometheus text", ...v1, parameters: [cluster], responses: { 200: prometheus, 400: ref("responses", "BadRequest"), 404: missing, ...errors } },
    },
    "/metrics": {
      get: { operationId: "metrics", summary: "Every stored cluster's node convergence in Prometheus text", ...v1, responses: { 200: prometheus, ...errors } },
    },
  };
}
