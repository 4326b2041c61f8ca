/**
 * @module
 * Validates a JSON request body against a zod schema and hands the parsed value to the route
 * as `c.var.body`. Every rejection says what to fix: 415 for a non-JSON content type, 400 for
 * JSON that does not parse, 400 with the zod issue paths for JSON that does not fit the schema.
 */
import type { z } from "zod";
import { createMiddleware } from "hono/factory";
import { inputIssues } from "../../snapshot/issues.ts";
import { jsonError } from "../errors.ts";

export interface JsonBodyOptions {
  /** What the body should be, for error messages. Default `"JSON document"`. */
  name?: string;
}

/** `application/json` and the `+json` structured-syntax types (RFC 6839), parameters allowed. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;.*)?$/i;

/**
 * @example
 * routes.post("/", jsonBody(ClusterSnapshot, { name: "ClusterSnapshot" }), (c) => c.json(reconcile(c.var.body)));
 */
export function jsonBody<S extends z.ZodType>(schema: S, options: JsonBodyOptions = {}) {
  const opts = { name: "JSON document", ...options } satisfies Required<JsonBodyOptions>;

  return createMiddleware<{ Variables: { body: z.infer<S> } }>(async function jsonBody(c, next) {
    const type = c.req.header("content-type");
    if (type === undefined || !JSON_MEDIA_TYPE.test(type)) {
      return jsonError(c, 415, `the request body must be a ${opts.name} sent as 'Content-Type: application/json' (got ${type === undefined ? "no content type" : `'${type}'`})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(await c.req.text());
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return jsonError(c, 400, `the request body is not valid JSON: ${error.message}`, {
        issues: [{ path: "", message: error.message }],
      });
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      return jsonError(c, 400, `the request body is not a valid ${opts.name}`, { issues: inputIssues(result.error) });
    }
    c.set("body", result.data);
    await next();
  });
}
