/**
 * @module
 * `GET .../explain/:subject/:query`: where an answer comes from and why something is missing,
 * for a name, a VIP, a task or a Marathon app (`?limit=N` tasks of an app, `?port=tcp/5432`
 * repeated: the ports a task's or app's policy decisions are asked on). Mounted twice: at `/v1/explain` for the
 * snapshot the server was started with, and under `/v1/clusters/:cluster/explain` for each
 * stored cluster. The query is the rest of the path, so app ids keep their slashes
 * (`/v1/explain/app/shop/web`). An unknown subject is a 404 that still has the `error` of
 * every error body, plus the closest known subjects.
 */
import { Hono, type Context } from "hono";
import { ExplainSubject, type PolicyPort } from "../../../functions/explain/schema.ts";
import { parseProtocolPort } from "../../desired/policy-ports.ts";
import { jsonError } from "../errors.ts";
import type { OperatorView } from "../operator-view.ts";

/** The most tasks an app explanation lists. */
export const MAX_EXPLAIN_LIMIT = 1000;

/** Finds the view a request explains from, or answers the request itself (404, 400). */
export type ViewResolver = (c: Context) => Promise<OperatorView | Response>;

/**
 * @example app.route("/v1/explain", explainRoutes(async () => view))
 */
export function explainRoutes(resolve: ViewResolver): Hono {
  return new Hono().get("/:subject/:query{.+}", async (c) => {
    const subject = ExplainSubject.safeParse(c.req.param("subject"));
    if (!subject.success) {
      return jsonError(c, 400, `'${c.req.param("subject")}' is not something to explain (one of ${ExplainSubject.options.join(", ")})`);
    }
    const limitText = c.req.query("limit");
    const limit = limitText === undefined ? undefined : /^\d{1,6}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (limit !== undefined && !(limit >= 0 && limit <= MAX_EXPLAIN_LIMIT)) {
      return jsonError(c, 400, `limit must be a whole number from 0 to ${MAX_EXPLAIN_LIMIT} (got '${limitText}')`);
    }
    const ports: PolicyPort[] = [];
    for (const text of c.req.queries("port") ?? []) {
      const port = parseProtocolPort(text);
      if (port === undefined) return jsonError(c, 400, `port must be PROTO/PORT (tcp, udp or sctp; 1-65535), e.g. tcp/5432 (got '${text}')`, { issues: [{ path: "port", message: "not PROTO/PORT" }] });
      ports.push(port);
    }
    const view = await resolve(c);
    if (view instanceof Response) return view;
    const explained = view.explain(subject.data, c.req.param("query"), { ...(limit === undefined ? {} : { limit }), ...(ports.length === 0 ? {} : { ports }) });
    if (explained.kind === "not-found") return c.json({ error: explained.message, ...explained }, 404);
    return c.json(explained);
  });
}
