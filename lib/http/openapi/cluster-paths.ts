/**
 * @module
 * The OpenAPI paths of the snapshot store (`/v1/clusters/...`), present when the server has a
 * store. Responses refer to the components `document.ts` declares; the change and the watch
 * lines are generated from the zod schemas that check them.
 */
import { z } from "zod";
import { WatchLine } from "../../desired/watch-lines.ts";
import { SnapshotPatch } from "../../store/snapshot-patch.ts";

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });

function componentSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

const generation = { type: "integer", minimum: 0 };

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
    Watch: {
      name: "watch",
      in: "query",
      required: false,
      description: "true: stream the node's changes as NDJSON (application/x-ndjson, gzip when accepted) instead of answering its whole view",
      schema: { type: "string", enum: ["true"] },
    },
    Since: {
      name: "since",
      in: "query",
      required: false,
      description: "With watch: the generation the client has applied; the stream starts with every generation after it. Absent: a relist (reset ... commit). 410 when the change log no longer holds it or it is newer than the cluster's.",
      schema: generation,
    },
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
    SnapshotPatch: componentSchema(SnapshotPatch, "input"),
    WatchLine: componentSchema(WatchLine, "output"),
    PatchSnapshotResult: {
      type: "object",
      required: ["cluster", "generation", "storedAt", "hash"],
      properties: { cluster: { type: "string" }, generation: { type: "integer", minimum: 1 }, storedAt: { type: "string", format: "date-time" }, hash: { type: "string" } },
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
  const withGeneration = (description: string) => ({
    description,
    content: { "application/json": { schema: { allOf: [ref("schemas", "Error"), { type: "object", required: ["generation"], properties: { generation } }] } } },
  });
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
      patch: {
        operationId: "patchSnapshot",
        summary: "Apply a change (tasks, apps, agents, frameworks upserted or deleted by id) computed against baseGeneration; nothing of a refused change applies",
        ...v1,
        requestBody: { required: true, content: { "application/json": { schema: ref("schemas", "SnapshotPatch") } } },
        responses: {
          200: { description: "Stored as the next generation", headers: { ETag: ref("headers", "ETag") }, content: { "application/json": { schema: ref("schemas", "PatchSnapshotResult") } } },
          400: { description: "Not JSON, not a valid change (issues name each JSON path, e.g. upsert.tasks[3].agentId), or an id to delete that is not stored, or upserted too", content: { "application/json": { schema: ref("schemas", "Error") } } },
          404: missing,
          409: withGeneration("baseGeneration is not the stored generation (given in `generation`): read again or PUT the whole snapshot"),
          413: ref("responses", "PayloadTooLarge"),
          415: ref("responses", "UnsupportedMediaType"),
          503: { description: "The store could not persist it; the previous generation keeps serving", content: { "application/json": { schema: ref("schemas", "Error") } } },
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
        summary: "What one agent applies, for the stored snapshot: its whole view (long-polled with If-None-Match and wait), or with watch=true its changes as a stream",
        ...v1,
        parameters: [...conditional, ref("parameters", "Watch"), ref("parameters", "Since")],
        responses: {
          200: {
            description:
              "The node's view (application/json, ETag), or with watch=true one JSON object per line (application/x-ndjson): upsert/delete lines, a commit per generation with the view's hash, reset before a relist, bookmarks while nothing changes. Apply a batch only at its commit.",
            headers: { ETag: ref("headers", "ETag") },
            content: { "application/json": { schema: ref("schemas", "DesiredState") }, "application/x-ndjson": { schema: ref("schemas", "WatchLine") } },
          },
          304: ref("responses", "NotModified"),
          400: badRequest,
          404: missing,
          410: withGeneration("since is older than the change log holds or newer than the cluster's generation (given in `generation`): relist by watching without since"),
          ...errors,
        },
      },
    },
  };
}
