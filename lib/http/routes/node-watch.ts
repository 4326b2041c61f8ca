/**
 * @module
 * `GET /v1/clusters/:cluster/desired/nodes/:agentId?watch=true[&since=G]`: a node's changes as
 * NDJSON (docs/delta-path.md §6), gzipped when the client accepts it. Without `since` the
 * stream starts with a relist; with it, with every generation after G in one batch (or a
 * bookmark when G is current). A `since` the change log no longer holds, or one from the future
 * (a restarted control plane with a fresh log), answers 410: the client relists.
 */
import type { Context } from "hono";
import { NDJSON } from "../../desired/watch-lines.ts";
import type { ClusterStates } from "../cluster-states.ts";
import { jsonError } from "../errors.ts";

/** The watch query: `watch=true`, and `since` a generation. */
export interface WatchQuery {
  since: number | undefined;
}

/**
 * Reads `watch` and `since`: undefined when this is no watch, else the query or what is wrong with it.
 * @example watchQuery({ watch: "true", since: "41" }) // { since: 41 }
 */
export function watchQuery(query: { watch?: string | undefined; since?: string | undefined; wait?: string | undefined }): WatchQuery | { error: string } | undefined {
  if (query.watch === undefined) return query.since === undefined ? undefined : { error: "since is only for a watch (add watch=true)" };
  if (query.watch !== "true") return { error: `watch must be 'true' (got '${query.watch}')` };
  if (query.wait !== undefined) return { error: "wait is for the whole-view long poll, not for a watch (drop one of them)" };
  if (query.since === undefined) return { since: undefined };
  const since = /^\d{1,15}$/.test(query.since) ? Number(query.since) : Number.NaN;
  if (!Number.isSafeInteger(since)) return { error: `since must be a generation, a whole number from 0 (got '${query.since}')` };
  return { since };
}

/**
 * True when `Accept-Encoding` allows gzip (RFC 9110 §12.5.3: `gzip` or `*`, with a q-value above 0).
 * @example acceptsGzip("br;q=1.0, gzip;q=0.8") // true
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Answers a watch request.
 * @example routes.get("/:cluster/desired/nodes/:agentId", (c) => watchResponse(c, states, { since: 41 }))
 */
export async function watchResponse(c: Context, states: ClusterStates, query: WatchQuery): Promise<Response> {
  const cluster = c.req.param("cluster") ?? "";
  const agentId = c.req.param("agentId") ?? "";
  const state = await states.current(cluster);
  if (state === undefined) return jsonError(c, 404, `no snapshot stored for cluster '${cluster}' (PUT /v1/clusters/${cluster}/snapshot first)`);
  if (!state.stored.snapshot.objects.agents.has(agentId)) return jsonError(c, 404, `agent '${agentId}' is not in the snapshot of cluster '${cluster}' (snapshot.agents[].id)`);
  const gzip = acceptsGzip(c.req.header("accept-encoding"));
  const opened = state.hub.open(agentId, query.since, gzip, state);
  if (!("stream" in opened)) {
    const why = opened.since > opened.generation ? `is newer than the cluster's generation ${opened.generation} (the control plane restarted or lost its store)` : `is older than the change log holds (it resumes from ${opened.floor})`;
    return jsonError(c, 410, `generation ${opened.since} ${why}; relist: watch again without since`, { generation: opened.generation });
  }
  c.req.raw.signal.addEventListener("abort", () => opened.end(), { once: true });
  const headers: Record<string, string> = {
    "Content-Type": NDJSON,
    "Cache-Control": "no-cache",
    Vary: "Accept-Encoding",
    // Proxies such as nginx would otherwise buffer the stream and hold each batch back.
    "X-Accel-Buffering": "no",
    "X-Wayfinder-Generation": String(state.generation),
  };
  if (gzip) headers["Content-Encoding"] = "gzip";
  // Workers would gzip a body sent with Content-Encoding itself (buffering it) unless told it
  // is encoded already; Node ignores the option.
  return new Response(opened.stream, { status: 200, headers, encodeBody: "manual" } as ResponseInit);
}
