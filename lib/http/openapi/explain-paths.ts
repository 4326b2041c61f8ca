/**
 * @module
 * The OpenAPI paths of `explain`: `/v1/explain/{subject}/{query}` when the server has a
 * snapshot, `/v1/clusters/{cluster}/explain/{subject}/{query}` when it has a store. Both
 * answer the same schemas, generated from the pure core's zod schemas.
 */
import { Explanation, ExplainSubject, NotFound } from "../../../functions/explain/schema.ts";
import { MAX_EXPLAIN_LIMIT } from "../routes/explain.ts";
import { componentSchema } from "./component-schema.ts";

const ref = (section: string, name: string) => ({ $ref: `#/components/${section}/${name}` });

/** Components the explain paths use. */
export function explainComponents() {
  const notFound = componentSchema(NotFound, "output") as { properties: Record<string, unknown>; required: string[] };
  return {
    schemas: {
      Explanation: componentSchema(Explanation, "output"),
      ExplainNotFound: { ...notFound, properties: { error: { type: "string" }, ...notFound.properties }, required: ["error", ...notFound.required] },
    },
    parameters: {
      ExplainSubject: { name: "subject", in: "path", required: true, description: "What to explain", schema: { type: "string", enum: ExplainSubject.options } },
      ExplainQuery: {
        name: "query",
        in: "path",
        required: true,
        description: "A DNS name (web.marathon.mesos), a VIP (IP:PORT, [IPv6]:PORT or a VIP name, optionally /tcp or /udp), a task id, or a Marathon app id (slashes kept: app/shop/web)",
        schema: { type: "string" },
      },
      ExplainLimit: { name: "limit", in: "query", required: false, description: `The most tasks an app explanation lists (default 50)`, schema: { type: "integer", minimum: 0, maximum: MAX_EXPLAIN_LIMIT } },
      ExplainPort: {
        name: "port",
        in: "query",
        required: false,
        description: "A task or app: a port to list the network policy's decisions on, PROTO/PORT (tcp/5432); repeat for more. Default: its host ports, then the ports the policy names (a few)",
        schema: { type: "array", items: { type: "string", pattern: "^(tcp|udp|sctp)/[0-9]{1,5}$" } },
        style: "form",
        explode: true,
      },
    },
  };
}

/**
 * The explain operation under `prefix` (`/v1` or `/v1/clusters/{cluster}`).
 * @example explainPath({ prefix: "/v1", v1: {}, denied: {}, extraParameters: [] })["/v1/explain/{subject}/{query}"].get.operationId // "explain"
 */
export function explainPath(options: { prefix: string; operationId: string; v1: Record<string, unknown>; denied: Record<string, unknown>; extraParameters: unknown[] }): Record<string, unknown> {
  const missing = options.extraParameters.length > 0 ? " (or no snapshot stored for the cluster)" : "";
  return {
    [`${options.prefix}/explain/{subject}/{query}`]: {
      get: {
        operationId: options.operationId,
        summary: "Where an answer comes from and why something is missing: a name's records and owners, a VIP's backends, a task's or app's every artifact and policy decision",
        ...options.v1,
        parameters: [...options.extraParameters, ref("parameters", "ExplainSubject"), ref("parameters", "ExplainQuery"), ref("parameters", "ExplainLimit"), ref("parameters", "ExplainPort")],
        responses: {
          200: { description: "The explanation", content: { "application/json": { schema: ref("schemas", "Explanation") } } },
          400: ref("responses", "BadRequest"),
          404: { description: `Nothing matches the query: the closest known subjects${missing}`, content: { "application/json": { schema: ref("schemas", "ExplainNotFound") } } },
          ...options.denied,
          500: ref("responses", "InternalError"),
        },
      },
    },
  };
}
