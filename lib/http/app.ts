/**
 * @module
 * The wayfinder HTTP API: one Hono app for every runtime (the Workers entry `worker.ts` and
 * `wayfinder serve` on Node). It uses only web-standard APIs plus `node:crypto`, which Workers
 * provide under `nodejs_compat`.
 *
 * Request pipeline, in order: security headers on every response → 405 for a known path with
 * another method → bearer token on `/v1/*` and `/metrics` (when configured; the dashboard at
 * `/ui/` checks it or its session cookie itself) → body size limit → the route. Authentication
 * runs before the body limit so an anonymous client cannot make the server buffer a body at all.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import { errorHandler, jsonError, methodNotAllowedResponse, notFound } from "./errors.ts";
import { bearerToken } from "./middleware/bearer-token.ts";
import { openApiDocument } from "./openapi/document.ts";
import { desiredRoutes } from "./routes/desired.ts";
import { healthRoutes } from "./routes/health.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { reconcileRoutes } from "./routes/reconcile.ts";
import { clusterRoutes } from "./routes/clusters.ts";
import { policyRoutes } from "./routes/policy.ts";
import { ClusterStates, type ClusterStatesOptions } from "./cluster-states.ts";
import { OperatorView } from "./operator-view.ts";
import { explainRoutes } from "./routes/explain.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { uiRoutes } from "./ui/routes.tsx";
import type { SnapshotStore } from "../store/snapshot-store.ts";

/** 32 MiB: a 10,000-task snapshot is a few MiB of JSON; this leaves room without inviting abuse. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

export interface AppOptions {
  /**
   * When set (non-empty), every `/v1/*` and `/metrics` request needs `Authorization: Bearer <token>`.
   * `/healthz` and `/openapi.json` stay open: probes carry no credentials and neither reveals
   * anything about the cluster. Default: no authentication.
   */
  token?: string | undefined;
  /** Largest accepted request body in bytes, chunked bodies included. Default {@link DEFAULT_BODY_LIMIT}. */
  bodyLimit?: number | undefined;
  /** A snapshot to serve at `GET /v1/desired` (executors poll it). Default: those routes are absent. */
  snapshot?: ClusterSnapshot | undefined;
  /**
   * Where PUT snapshots are kept, enabling the `/v1/clusters/:cluster/...` routes (snapshot
   * store, desired state and node views with long polling). Default: those routes are absent.
   */
  store?: SnapshotStore | undefined;
  /** Tuning of the cluster routes' change logs and watch streams. Default: {@link ClusterStatesOptions}' defaults. */
  clusters?: ClusterStatesOptions | undefined;
  /** When it aborts (shutdown), open watch streams end cleanly, so the server can close at once. */
  signal?: AbortSignal | undefined;
  /** Where unexpected errors are logged in full. Default `console.error`. */
  log?: ((line: string) => void) | undefined;
}

interface ResolvedAppOptions {
  token: string | undefined;
  bodyLimit: number;
  snapshot: ClusterSnapshot | undefined;
  store: SnapshotStore | undefined;
  clusters: ClusterStatesOptions;
  signal: AbortSignal | undefined;
  log: (line: string) => void;
}

/**
 * @example
 * const app = createApp({ token: "s3cret" });
 * await app.request("/healthz"); // 200 {"status":"ok"}
 */
export function createApp(options: AppOptions = {}): Hono {
  const opts = resolveOptions(options);
  const app = new Hono();
  app.onError(errorHandler(opts.log));
  app.notFound(notFound);
  app.use(securityHeaders());
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  if (opts.token !== undefined) {
    const guard = bearerToken({ token: opts.token });
    app.use("/v1/*", guard);
    app.use("/metrics", guard);
  }
  app.use(
    bodyLimit({
      maxSize: opts.bodyLimit,
      onError: (c) => jsonError(c, 413, `the request body is larger than the limit of ${opts.bodyLimit} bytes`),
    }),
  );

  app.route("/healthz", healthRoutes());
  const document = openApiDocument({
    auth: opts.token !== undefined,
    desired: opts.snapshot !== undefined,
    clusters: opts.store !== undefined,
    bodyLimit: opts.bodyLimit,
  });
  app.route("/openapi.json", openApiRoutes(document));
  app.route("/v1/reconcile", reconcileRoutes());
  const snapshot = opts.snapshot;
  if (snapshot !== undefined) {
    app.route("/v1/desired", desiredRoutes(snapshot));
    // Provenance is reported by a derivation of its own, made at the first explanation.
    let view: OperatorView | undefined;
    app.route("/v1/explain", explainRoutes(async () => (view ??= OperatorView.reconcile(snapshot))));
  }
  const states = opts.store === undefined ? undefined : new ClusterStates(opts.store, opts.clusters);
  if (states !== undefined) {
    opts.signal?.addEventListener("abort", () => void states.endWatches(), { once: true });
    app.route("/v1/clusters", clusterRoutes(states));
    app.route("/v1/clusters", policyRoutes(states));
    app.route("/metrics", metricsRoutes(states));
  }
  app.route("/", uiRoutes({ states, token: opts.token }));
  return app;
}

function resolveOptions(options: AppOptions): ResolvedAppOptions {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit <= 0) {
    throw new RangeError(`createApp: bodyLimit must be a positive whole number of bytes (got ${bodyLimit})`);
  }
  return {
    // An empty token is treated as unset, so `WAYFINDER_TOKEN=` cannot lock everyone out
    // with a token nobody can send.
    token: options.token === "" ? undefined : options.token,
    bodyLimit,
    snapshot: options.snapshot,
    store: options.store,
    clusters: options.clusters ?? {},
    signal: options.signal,
    log: options.log ?? ((line) => console.error(line)),
  };
}
