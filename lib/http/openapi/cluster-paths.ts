/**
 * @module
 * The OpenAPI paths of the snapshot store (`/v1/clusters/...`), present when the server has a
 * store. Responses refer to the components `document.ts` declares.
 */

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });

/** Extra components the cluster paths use. */
export const CLUSTER_COMPONENTS = {
  parameters: {
    Cluster: { name: "cluster", in: "path", required: true, description: "Cluster name: [A-Za-z0-9][A-Za-z0-9._-]{0,62}", schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$" } },
    Wait: {
      name: "wait",
      in: "query",
      required: false,
      description: "Long poll: while If-None-Match still matches, hold the request up to this many seconds (0-55) for a new snapshot",
      schema: { type: "number", minimum: 0, maximum: 55 },
    },
    Port: { name: "port", in: "query", required: false, description: "PROTO/PORT (tcp, udp, sctp), e.g. tcp/5432; repeatable for the matrix", schema: { type: "string", pattern: "^(tcp|udp|sctp)/[0-9]{1,5}$" } },
  },
  schemas: {
    PolicyExplanation: {
      type: "object",
      required: ["from", "to", "protocol", "port", "verdict", "by", "tier", "mixed", "pairs"],
      properties: {
        from: { type: "string" },
        to: { type: "string" },
        protocol: { type: "string", enum: ["tcp", "udp", "sctp"] },
        port: { type: "integer" },
        verdict: { type: "string", enum: ["allow", "deny"], description: "allow only when every pair of addresses is allowed" },
        by: { type: "string", description: "what decided: a rule's name, network:<name>, app:<id>, default, quarantine, unprogrammed, no-task or no-policy" },
        tier: { type: "string", enum: ["quarantine", "scope", "guard", "admin", "network", "app", "default"] },
        mixed: { type: "boolean", description: "the pairs did not all agree" },
        pairs: { type: "array", items: { type: "object", required: ["from", "to", "verdict", "tier", "by"], properties: { from: { type: "string" }, to: { type: "string" }, verdict: { type: "string", enum: ["allow", "deny"] }, tier: { type: "string" }, by: { type: "string" } } } },
      },
    },
    PolicyMatrix: {
      type: "object",
      required: ["ports", "cells"],
      properties: {
        ports: { type: "array", items: { type: "object", properties: { protocol: { type: "string" }, port: { type: "integer" } } } },
        cells: { type: "array", items: { type: "object", required: ["from", "to", "protocol", "port", "verdict", "by", "pairs"], properties: { from: { type: "string" }, to: { type: "string" }, protocol: { type: "string" }, port: { type: "integer" }, verdict: { type: "string", enum: ["allow", "deny", "mixed"] }, by: { type: "array", items: { type: "string" } }, pairs: { type: "integer" } } } },
      },
    },
    PolicyChanges: {
      type: "object",
      required: ["ports", "changes"],
      properties: {
        ports: { type: "array", items: { type: "object", properties: { protocol: { type: "string" }, port: { type: "integer" } } } },
        changes: { type: "array", items: { type: "object", required: ["from", "to", "protocol", "port", "before", "after", "by"], properties: { from: { type: "string" }, to: { type: "string" }, protocol: { type: "string" }, port: { type: "integer" }, before: { type: "string", enum: ["allow", "deny", "mixed", "absent"] }, after: { type: "string", enum: ["allow", "deny", "mixed", "absent"] }, by: { type: "array", items: { type: "string" } } } } },
      },
    },
    PutSnapshotResult: {
      type: "object",
      required: ["cluster", "generation", "storedAt", "hash", "diagnostics"],
      properties: {
        cluster: { type: "string" },
        generation: { type: "integer", minimum: 1 },
        storedAt: { type: "string", format: "date-time" },
        hash: { type: "string" },
        diagnostics: { type: "integer", minimum: 0 },
      },
    },
  },
};

/**
 * @example Object.keys(clusterPaths({ v1: {}, denied: {} })) // ["/v1/clusters/{cluster}/snapshot", ...]
 */
export function clusterPaths(options: { v1: Record<string, unknown>; denied: Record<string, unknown> }): Record<string, unknown> {
  const { v1, denied } = options;
  const errors = { ...denied, 500: ref("responses", "InternalError") };
  const missing = { description: "No snapshot stored for the cluster, or an unknown agent", content: { "application/json": { schema: ref("schemas", "Error") } } };
  const badRequest = ref("responses", "BadRequest");
  const conditional = [ref("parameters", "IfNoneMatch"), ref("parameters", "Wait")];
  return {
    "/v1/clusters/{cluster}/snapshot": {
      parameters: [ref("parameters", "Cluster")],
      put: {
        operationId: "putSnapshot",
        summary: "Store the cluster's snapshot (a bad one is rejected and the stored one keeps serving)",
        ...v1,
        requestBody: ref("requestBodies", "ClusterSnapshot"),
        responses: {
          200: { description: "Stored", headers: { ETag: ref("headers", "ETag") }, content: { "application/json": { schema: ref("schemas", "PutSnapshotResult") } } },
          400: badRequest,
          413: ref("responses", "PayloadTooLarge"),
          415: ref("responses", "UnsupportedMediaType"),
          503: { description: "The store could not persist it; the previous snapshot keeps serving", content: { "application/json": { schema: ref("schemas", "Error") } } },
          ...errors,
        },
      },
      get: {
        operationId: "getSnapshot",
        summary: "The stored snapshot",
        ...v1,
        responses: { 200: { description: "The snapshot", content: { "application/json": { schema: ref("schemas", "ClusterSnapshot") } } }, 400: badRequest, 404: missing, ...errors },
      },
    },
    "/v1/clusters/{cluster}/desired": {
      parameters: [ref("parameters", "Cluster")],
      get: {
        operationId: "clusterDesired",
        summary: "The desired state of the stored snapshot",
        ...v1,
        parameters: conditional,
        responses: { 200: ref("responses", "DesiredState"), 304: ref("responses", "NotModified"), 400: badRequest, 404: missing, ...errors },
      },
    },
    "/v1/clusters/{cluster}/policy/explain": {
      parameters: [ref("parameters", "Cluster")],
      get: {
        operationId: "policyExplain",
        summary: "Why one connection is allowed or denied: the verdict, the deciding rule, network, app or default, per pair of addresses",
        ...v1,
        parameters: [
          { name: "from", in: "query", required: true, description: "The source: an app id, task id, agent id (node:ID) or IP", schema: { type: "string" } },
          { name: "to", in: "query", required: true, description: "The destination, named as from", schema: { type: "string" } },
          { ...ref("parameters", "Port") },
        ],
        responses: { 200: { description: "The answer", content: { "application/json": { schema: ref("schemas", "PolicyExplanation") } } }, 400: badRequest, 404: missing, ...errors },
      },
    },
    "/v1/clusters/{cluster}/policy/matrix": {
      parameters: [ref("parameters", "Cluster")],
      get: {
        operationId: "policyMatrix",
        summary: "The truth table of apps (and nodes) × apps × ports; ports default to those the policy names",
        ...v1,
        parameters: [ref("parameters", "Port")],
        responses: { 200: { description: "The matrix", content: { "application/json": { schema: ref("schemas", "PolicyMatrix") } } }, 400: badRequest, 404: missing, ...errors },
      },
      post: {
        operationId: "policyMatrixChanges",
        summary: "A dry run: what a candidate snapshot would open or close against the stored one (nothing is stored)",
        ...v1,
        parameters: [ref("parameters", "Port")],
        requestBody: ref("requestBodies", "ClusterSnapshot"),
        responses: {
          200: { description: "The cells that change", content: { "application/json": { schema: ref("schemas", "PolicyChanges") } } },
          400: badRequest,
          404: missing,
          413: ref("responses", "PayloadTooLarge"),
          415: ref("responses", "UnsupportedMediaType"),
          ...errors,
        },
      },
    },
    "/v1/clusters/{cluster}/desired/nodes/{agentId}": {
      parameters: [ref("parameters", "Cluster"), ref("parameters", "AgentId")],
      get: {
        operationId: "clusterDesiredNode",
        summary: "What one agent applies, for the stored snapshot (executors poll this)",
        ...v1,
        parameters: conditional,
        responses: { 200: ref("responses", "DesiredState"), 304: ref("responses", "NotModified"), 400: badRequest, 404: missing, ...errors },
      },
    },
  };
}
