/**
 * @module
 * Every error the API returns has one shape, `{ error, issues? }`, whatever produced it: a
 * route, a middleware, the router (404/405) or an unexpected exception (500). Clients and the
 * OpenAPI document rely on that; nothing ever answers with HTML or plain text.
 */
import { z } from "zod";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { InputIssue } from "../snapshot/issues.ts";

/** One reason a request body was rejected: where (JSON path, empty for the whole body) and why. */
export const ErrorIssue = z.object({ path: z.string(), message: z.string() }) satisfies z.ZodType<InputIssue>;

/**
 * The body of every non-2xx response. `issues` is present on 400s about the request body;
 * `generation` (the cluster's current one) on a 409 to a stale change and a 410 to a stale watch.
 */
export const ErrorBody = z.object({
  error: z.string(),
  issues: z.array(ErrorIssue).optional(),
  generation: z.number().int().nonnegative().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/**
 * A JSON error response.
 * @example return jsonError(c, 404, "unknown agent 'S9'");
 */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  error: string,
  extra: { issues?: InputIssue[]; generation?: number; headers?: Record<string, string> } = {},
): Response {
  const body: ErrorBody = { error };
  if (extra.issues !== undefined) body.issues = extra.issues;
  if (extra.generation !== undefined) body.generation = extra.generation;
  return c.json(body, status, extra.headers);
}

/**
 * The app's `notFound` handler.
 * @example app.notFound(notFound) // GET /nope → 404 {"error":"no route for GET /nope"}
 */
export const notFound: NotFoundHandler = function notFound(c) {
  return jsonError(c, 404, `no route for ${c.req.method} ${c.req.path}`);
};

/**
 * Answers a known path asked with the wrong method (hono's `methodNotAllowed` calls it).
 * @example methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse })
 */
export function methodNotAllowedResponse(c: Context, allowed: string[]): Response {
  const allow = allowed.join(", ");
  return jsonError(c, 405, `${c.req.method} is not allowed on ${c.req.path} (allowed: ${allow})`, {
    headers: { Allow: allow },
  });
}

/**
 * The app's `onError` handler. An `HTTPException` (thrown by hono itself or a middleware) keeps
 * its status and message; anything else is a bug: it is logged in full for the operator, and
 * the client gets a bare 500, because stack traces and messages can leak internals.
 * @example app.onError(errorHandler((line) => console.error(line)))
 */
export function errorHandler(log: (line: string) => void): ErrorHandler {
  return function onError(error, c) {
    if (error instanceof HTTPException) {
      return jsonError(c, error.status as ContentfulStatusCode, error.message || "request failed");
    }
    log(`wayfinder http: ${c.req.method} ${c.req.path} failed: ${error.stack ?? String(error)}`);
    return jsonError(c, 500, "internal error");
  };
}
