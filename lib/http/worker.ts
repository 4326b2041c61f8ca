/**
 * @module
 * The Cloudflare Workers entry (`wrangler.toml` `main`). Bindings configure the app exactly as
 * environment variables do on Node (see `env.ts`): `WAYFINDER_TOKEN` (a secret or `--var`) and
 * `WAYFINDER_BODY_LIMIT`. With the `SNAPSHOTS` Durable Object binding (see `wrangler.toml`),
 * `/v1/clusters/:cluster/*` (the snapshot store) and the dashboard's pages of a cluster
 * (`/ui/...?cluster=NAME`) are served by that cluster's object.
 */
import type { ExecutionContext, Hono } from "hono";
import { createApp } from "./app.ts";
import { appOptionsFromEnv } from "./env.ts";
import { bearerMatches } from "./middleware/bearer-token.ts";
import { isClusterName } from "../store/snapshot-store.ts";
import { uiAuthorized } from "./ui/session.ts";

export { SnapshotStoreObject } from "./durable-object.ts";

/** The part of a `DurableObjectNamespace` binding the entry uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The bindings this Worker reads; every one is optional. */
export interface WorkerEnv {
  WAYFINDER_TOKEN?: string;
  WAYFINDER_BODY_LIMIT?: string;
  SNAPSHOTS?: DurableObjectNamespaceLike;
}

const CLUSTER_PATH = /^\/v1\/clusters\/([^/]+)(?:\/|$)/;
/** Dashboard pages and events, which show one cluster (`?cluster=`); assets and the login do not. */
const DASHBOARD_PAGE = /^\/ui\/(?!assets\/|login$|logout$)/;

// One app per isolate, rebuilt only if the bindings change (a new deployment normally means a
// new isolate anyway): building it per request would redo the OpenAPI generation every time.
let cached: { key: string; app: Hono } | undefined;

function appFor(env: WorkerEnv): Hono {
  const options = appOptionsFromEnv({ ...env });
  const key = JSON.stringify([options.token ?? null, options.bodyLimit ?? null]);
  if (cached?.key !== key) cached = { key, app: createApp(options) };
  return cached.app;
}

/**
 * @example
 * // wrangler dev --var WAYFINDER_TOKEN:s3cret
 * // curl -H 'Authorization: Bearer s3cret' -H 'Content-Type: application/json' -d @snap.json localhost:8787/v1/reconcile
 */
export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let app: Hono;
    try {
      app = appFor(env);
    } catch (error) {
      // A bad binding is the operator's mistake, not a secret: say which one.
      return Response.json({ error: `wayfinder is misconfigured: ${(error as Error).message}` }, { status: 500 });
    }
    const url = new URL(request.url);
    const apiCluster = CLUSTER_PATH.exec(url.pathname)?.[1];
    const uiCluster = DASHBOARD_PAGE.test(url.pathname) ? (url.searchParams.get("cluster") ?? undefined) : undefined;
    const cluster = apiCluster === undefined ? uiCluster : decodeURIComponent(apiCluster);
    if (cluster !== undefined && env.SNAPSHOTS !== undefined) {
      const token = env.WAYFINDER_TOKEN === "" ? undefined : env.WAYFINDER_TOKEN;
      // Checked here as well as in the object, so an anonymous request never wakes (or
      // creates) an object; the app answers the 401 (or the login redirect) itself.
      const allowed =
        apiCluster === undefined ? uiAuthorized(request.headers, token) : token === undefined || bearerMatches(request.headers.get("authorization") ?? undefined, token);
      if (allowed) {
        if (!isClusterName(cluster)) return Response.json({ error: `'${cluster}' is not a cluster name (letters, digits, '.', '_' and '-', at most 63, starting with a letter or digit)` }, { status: 400 });
        return env.SNAPSHOTS.get(env.SNAPSHOTS.idFromName(cluster)).fetch(request);
      }
    }
    return app.fetch(request, env, ctx);
  },
};
