/**
 * @module
 * The snapshot store over HTTP. A source (or any client) PUTs a cluster's snapshot or PATCHes a
 * change to it; executors watch their node's changes, or GET the cluster's desired state or
 * their node's view with `If-None-Match` and `?wait=SECONDS` (a long poll held until the state
 * changes).
 *
 * - `PUT /v1/clusters/:cluster/snapshot`: a ClusterSnapshot (validated; a bad one is a 400 with
 *   issue paths and the stored one keeps serving).
 * - `PATCH /v1/clusters/:cluster/snapshot`: a change against `baseGeneration` (docs/delta-path.md
 *   §4): 200 with the new `generation` and `hash`, 409 when the cluster moved on, 400 with issue
 *   paths for a malformed change or one deleting an unknown id; nothing of a refused change applies.
 * - `GET /v1/clusters/:cluster/snapshot`: the stored snapshot.
 * - `GET /v1/clusters/:cluster/desired[/nodes/:agentId][?wait=S]`: 200 with ETag, or 304.
 * - `GET /v1/clusters/:cluster/desired/nodes/:agentId?watch=true[&since=G]`: NDJSON changes (`node-watch.ts`).
 * - `GET /v1/clusters/:cluster/explain/:subject/:query`: `explain` from the stored generation.
 * - `.../nodes[/:agentId/status]`, `.../metrics`: which node runs what (`nodes.ts`).
 */
import { Hono, type Context } from "hono";
import type { DesiredState } from "../../desired/schema.ts";
import { canonicalJson } from "../../net/canonical-json.ts";
import { ClusterSnapshot } from "../../snapshot/schema.ts";
import { SnapshotPatch } from "../../store/snapshot-patch.ts";
import { isClusterName } from "../../store/snapshot-store.ts";
import type { ClusterState, ClusterStates, WriteRefusal, WriteResult } from "../cluster-states.ts";
import { desiredResponse, etagOf, ifNoneMatchHits } from "../desired-response.ts";
import { jsonError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { watchQuery, watchResponse } from "./node-watch.ts";
import { explainRoutes } from "./explain.ts";
import { nodeRoutes } from "./nodes.ts";

/** The store generation a response comes from. */
export const GENERATION_HEADER = "X-Wayfinder-Generation";

/** The longest `?wait=` honoured, in seconds: under the 60 s idle timeout of common proxies. */
export const MAX_WAIT_SECONDS = 55;

/** What `PUT .../snapshot` answers. */
export interface PutSnapshotResult {
  cluster: string;
  generation: number;
  storedAt: string;
  /** The hash of the cluster's new desired state (also the ETag of `GET .../desired`). */
  hash: string;
  diagnostics: number;
}

/** What `PATCH .../snapshot` answers. */
export interface PatchSnapshotResult {
  cluster: string;
  generation: number;
  storedAt: string;
  /** The hash of the cluster's new desired state (also the ETag of `GET .../desired`). */
  hash: string;
}

/**
 * @example app.route("/v1/clusters", clusterRoutes(new ClusterStates(store)))
 */
export function clusterRoutes(states: ClusterStates): Hono {
  const snapshotBody = jsonBody(ClusterSnapshot, { name: "ClusterSnapshot" });
  const patchBody = jsonBody(SnapshotPatch, { name: "snapshot change" });
  const routes = new Hono();

  routes.use("/:cluster/*", async function clusterName(c, next) {
    const cluster = c.req.param("cluster") ?? "";
    if (!isClusterName(cluster)) {
      return jsonError(c, 400, `'${cluster}' is not a cluster name (letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit)`);
    }
    await next();
  });

  routes.put("/:cluster/snapshot", snapshotBody, async (c) => {
    const cluster = c.req.param("cluster");
    const snapshot = c.var.body;
    if (snapshot.cluster.name !== cluster) {
      return jsonError(c, 400, `the snapshot is of cluster '${snapshot.cluster.name}', not '${cluster}'`, {
        issues: [{ path: "cluster.name", message: `expected '${cluster}' (the cluster in the URL)` }],
      });
    }
    const written = await stored(c, () => states.put(cluster, snapshot));
    if (written instanceof Response) return written;
    // Counted, not assembled: the whole DesiredState of a 100k-task cluster is hundreds of MiB,
    // which the PUT held until the next generation and the first PATCH after it paid to collect.
    const result: PutSnapshotResult = { cluster, generation: written.generation, storedAt: written.storedAt, hash: written.hash, diagnostics: written.state.derivation.diagnosticCount() };
    return c.json(result, 200, { ETag: `"${written.hash}"` });
  });

  routes.patch("/:cluster/snapshot", patchBody, async (c) => {
    const cluster = c.req.param("cluster");
    const written = await stored(c, () => states.patch(cluster, c.var.body));
    if (written instanceof Response) return written;
    const result: PatchSnapshotResult = { cluster, generation: written.generation, storedAt: written.storedAt, hash: written.hash };
    return c.json(result, 200, { ETag: `"${written.hash}"` });
  });

  routes.get("/:cluster/snapshot", async (c) => {
    const state = await states.current(c.req.param("cluster"));
    if (state === undefined) return noSnapshot(c);
    return c.body(canonicalJson(state.stored.snapshot.toSnapshot()), 200, { "Content-Type": "application/json", [GENERATION_HEADER]: String(state.generation) });
  });

  routes.route(
    "/:cluster/explain",
    explainRoutes(async (c) => (await states.current(c.req.param("cluster") ?? ""))?.operator() ?? noSnapshot(c)),
  );
  routes.route("/", nodeRoutes(states));
  routes.get("/:cluster/desired", (c) => longPoll(c, states, (state) => state.desired()));
  routes.get("/:cluster/desired/nodes/:agentId", (c) => {
    const watch = watchQuery({ watch: c.req.query("watch"), since: c.req.query("since"), wait: c.req.query("wait") });
    if (watch === undefined) return longPoll(c, states, (state) => state.view(c.req.param("agentId")));
    if ("error" in watch) return jsonError(c, 400, watch.error);
    return watchResponse(c, states, watch);
  });
  return routes;
}

/** Runs a write; a refusal or a storage failure becomes its error response. */
async function stored(c: Context, write: () => Promise<WriteResult | WriteRefusal>): Promise<WriteResult | Response> {
  let outcome: WriteResult | WriteRefusal;
  try {
    outcome = await write();
  } catch (error) {
    // A full disk or a storage error: the client may retry, and nothing it could not store is served.
    return jsonError(c, 503, `could not store the snapshot (${(error as Error).message}); the previous one keeps serving`);
  }
  if (!("status" in outcome)) return outcome;
  if (outcome.status === 400) return jsonError(c, 400, outcome.error, { issues: outcome.issues });
  if (outcome.status === 409) return jsonError(c, 409, outcome.error, { generation: outcome.generation });
  return jsonError(c, 404, outcome.error);
}

/**
 * Answers with the state `pick` chooses; while it still matches `If-None-Match` and `?wait=`
 * time remains, waits for the next generation and looks again.
 */
async function longPoll(c: Context, states: ClusterStates, pick: (state: ClusterState) => DesiredState | undefined): Promise<Response> {
  const cluster = c.req.param("cluster") ?? "";
  const wait = parseWait(c.req.query("wait"));
  if (wait === undefined) return jsonError(c, 400, `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS} (got '${c.req.query("wait")}')`);
  const deadline = Date.now() + wait * 1000;
  const signal = c.req.raw.signal;
  for (;;) {
    const state = await states.current(cluster);
    if (state === undefined) return noSnapshot(c);
    const desired = pick(state);
    if (desired === undefined) return jsonError(c, 404, `agent '${c.req.param("agentId")}' is not in the snapshot of cluster '${cluster}' (snapshot.agents[].id)`);
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal.aborted || !ifNoneMatchHits(c.req.header("if-none-match"), etagOf(desired))) {
      // The generation tells an agent which store write it applied (its status report says so).
      return desiredResponse(c, desired, { conditional: true, headers: { [GENERATION_HEADER]: String(state.stored.generation) } });
    }
    await states.waitForChange(cluster, remaining, signal);
  }
}

function parseWait(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return 0;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return seconds >= 0 && seconds <= MAX_WAIT_SECONDS ? seconds : undefined;
}

function noSnapshot(c: Context): Response {
  const cluster = c.req.param("cluster");
  return jsonError(c, 404, `no snapshot stored for cluster '${cluster}' (PUT /v1/clusters/${cluster}/snapshot first)`);
}
