/**
 * @module
 * The Cloudflare Workers entry (`wrangler.toml` `main`). Bindings configure the app exactly as
 * environment variables do on Node (see `env.ts`): `WAYFINDER_TOKEN` (a secret or `--var`) and
 * `WAYFINDER_BODY_LIMIT`.
 */
import type { ExecutionContext, Hono } from "hono";
import { createApp } from "./app.ts";
import { appOptionsFromEnv } from "./env.ts";

/** The bindings this Worker reads; every one is optional. */
export interface WorkerEnv {
  WAYFINDER_TOKEN?: string;
  WAYFINDER_BODY_LIMIT?: string;
}

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
    return app.fetch(request, env, ctx);
  },
};
