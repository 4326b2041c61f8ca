/**
 * @module
 * The OpenAPI 3.1 document of the API, generated from the same zod schemas that validate the
 * requests, so the contract cannot drift from the code. It describes exactly the app it is
 * served by: the bearer scheme only when a token is configured, the `/v1/desired` routes only
 * when the server has a snapshot.
 */
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { DesiredState } from "../../desired/schema.ts";
import { ErrorBody } from "../errors.ts";
import { HealthBody } from "../routes/health.ts";
import { CLUSTER_COMPONENTS, clusterPaths } from "./cluster-paths.ts";
import { componentSchema } from "./component-schema.ts";
import { explainComponents, explainPath } from "./explain-paths.ts";
import { nodeComponents, nodePaths } from "./node-paths.ts";

export interface OpenApiOptions {
  /** A bearer token is configured: `/v1/*` operations require it. */
  auth: boolean;
  /** The server has a snapshot: the `GET /v1/desired` routes exist. */
  desired: boolean;
  /** The server has a snapshot store: the `/v1/clusters/...` routes exist. */
  clusters?: boolean;
  /** The request body limit in bytes, stated in the 413 description. */
  bodyLimit: number;
}

/** An OpenAPI document is plain JSON; its shape is checked by tests, not by a type. */
export type OpenApiDocument = Record<string, unknown>;

const JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/**
 * @example openApiDocument({ auth: false, desired: false, bodyLimit: 1024 }).paths["/v1/reconcile"].post
 */
export function openApiDocument(options: OpenApiOptions): OpenApiDocument {
  const v1 = options.auth ? { security: [{ bearerAuth: [] }] } : {};
  const denied = options.auth ? { 401: ref("responses", "Unauthorized") } : {};
  const paths: Record<string, unknown> = {
    "/healthz": {
      get: {
        operationId: "health",
        summary: "Liveness probe (never requires a token)",
        security: [],
        responses: { 200: jsonResponse("The server is up", ref("schemas", "Health")), 500: ref("responses", "InternalError") },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "openapi",
        summary: "This document (never requires a token)",
        security: [],
        responses: { 200: jsonResponse("The OpenAPI 3.1 document", { type: "object" }), 500: ref("responses", "InternalError") },
      },
    },
    "/v1/reconcile": {
      post: {
        operationId: "reconcile",
        summary: "The desired state of the whole cluster for a snapshot",
        ...v1,
        requestBody: ref("requestBodies", "ClusterSnapshot"),
        responses: { 200: ref("responses", "DesiredState"), ...bodyErrors(), ...denied, 500: ref("responses", "InternalError") },
      },
    },
    "/v1/reconcile/nodes/{agentId}": {
      post: {
        operationId: "reconcileNode",
        summary: "What one agent applies, for a snapshot",
        ...v1,
        parameters: [ref("parameters", "AgentId")],
        requestBody: ref("requestBodies", "ClusterSnapshot"),
        responses: {
          200: ref("responses", "DesiredState"),
          ...bodyErrors(),
          ...denied,
          404: ref("responses", "UnknownAgent"),
          500: ref("responses", "InternalError"),
        },
      },
    },
  };
  if (options.desired) {
    paths["/v1/desired"] = {
      get: {
        operationId: "desired",
        summary: "The desired state of the snapshot the server was started with",
        ...v1,
        parameters: [ref("parameters", "IfNoneMatch")],
        responses: { 200: ref("responses", "DesiredState"), 304: ref("responses", "NotModified"), ...denied, 500: ref("responses", "InternalError") },
      },
    };
    Object.assign(paths, explainPath({ prefix: "/v1", operationId: "explain", v1, denied, extraParameters: [] }));
    paths["/v1/desired/nodes/{agentId}"] = {
      get: {
        operationId: "desiredNode",
        summary: "What one agent applies, for the snapshot the server was started with",
        ...v1,
        parameters: [ref("parameters", "AgentId"), ref("parameters", "IfNoneMatch")],
        responses: {
          200: ref("responses", "DesiredState"),
          304: ref("responses", "NotModified"),
          ...denied,
          404: ref("responses", "UnknownAgent"),
          500: ref("responses", "InternalError"),
        },
      },
    };
  }

  if (options.clusters === true) {
    Object.assign(paths, clusterPaths({ v1, denied }));
    Object.assign(paths, explainPath({ prefix: "/v1/clusters/{cluster}", operationId: "clusterExplain", v1, denied, extraParameters: [ref("parameters", "Cluster")] }));
    Object.assign(paths, nodePaths({ v1, denied }));
  }
  const explaining = options.desired || options.clusters === true;
  const explainParts = explaining ? explainComponents() : { schemas: {}, parameters: {} };

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: JSON_SCHEMA_DIALECT,
    info: {
      title: "wayfinder",
      version: "v1",
      description:
        "Container-networking control plane: a ClusterSnapshot in, a DesiredState (DNS zones, VIP rules, HAProxy configs, overlay) out. " +
        "Every error is JSON ({error, issues?}); a known path asked with another method answers 405 with an Allow header, an unknown path 404.",
    },
    paths,
    components: {
      schemas: {
        ClusterSnapshot: componentSchema(ClusterSnapshot, "input"),
        DesiredState: componentSchema(DesiredState, "output"),
        Error: componentSchema(ErrorBody, "output"),
        Health: componentSchema(HealthBody, "output"),
        ...(options.clusters === true ? CLUSTER_COMPONENTS.schemas : {}),
        ...explainParts.schemas,
        ...(options.clusters === true ? nodeComponents().schemas : {}),
      },
      parameters: {
        AgentId: { name: "agentId", in: "path", required: true, description: "A Mesos agent id from snapshot.agents[].id", schema: { type: "string" } },
        IfNoneMatch: { name: "If-None-Match", in: "header", required: false, description: "The ETag of the state the client has; a match answers 304", schema: { type: "string" } },
        ...(options.clusters === true ? CLUSTER_COMPONENTS.parameters : {}),
        ...explainParts.parameters,
      },
      requestBodies: {
        ClusterSnapshot: {
          required: true,
          description: `A ClusterSnapshot as JSON (at most ${options.bodyLimit} bytes)`,
          content: { "application/json": { schema: ref("schemas", "ClusterSnapshot") } },
        },
      },
      headers: {
        ETag: { description: "The state's hash, quoted: \"<sha256 hex>\"", schema: { type: "string", pattern: '^"[0-9a-f]{64}"$' } },
      },
      responses: {
        DesiredState: { ...jsonResponse("The desired state (canonical JSON)", ref("schemas", "DesiredState")), headers: { ETag: ref("headers", "ETag") } },
        NotModified: { description: "The state still matches If-None-Match", headers: { ETag: ref("headers", "ETag") } },
        BadRequest: errorResponse("The body is not valid JSON or not a valid ClusterSnapshot; `issues` lists each JSON path and problem"),
        Unauthorized: errorResponse("Missing or wrong 'Authorization: Bearer <token>'"),
        UnknownAgent: errorResponse("The agent id is not in the snapshot"),
        PayloadTooLarge: errorResponse(`The body is larger than ${options.bodyLimit} bytes`),
        UnsupportedMediaType: errorResponse("The body is not sent as application/json"),
        InternalError: errorResponse("An unexpected server error (details are only logged)"),
      },
      ...(options.auth ? { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } } : {}),
    },
  };
}

function bodyErrors(): Record<string, unknown> {
  return {
    400: ref("responses", "BadRequest"),
    413: ref("responses", "PayloadTooLarge"),
    415: ref("responses", "UnsupportedMediaType"),
  };
}

function ref(section: string, name: string): { $ref: string } {
  return { $ref: `#/components/${section}/${name}` };
}

function jsonResponse(description: string, schema: unknown): Record<string, unknown> {
  return { description, content: { "application/json": { schema } } };
}

function errorResponse(description: string): Record<string, unknown> {
  return jsonResponse(description, ref("schemas", "Error"));
}
