/**
 * @module
 * `GET /healthz`: liveness. It stays outside bearer auth (see `createApp`): probes from load
 * balancers and orchestrators carry no credentials, and the answer reveals nothing.
 */
import { z } from "zod";
import { Hono } from "hono";

/** The body of `GET /healthz`. */
export const HealthBody = z.object({ status: z.literal("ok") });
export type HealthBody = z.infer<typeof HealthBody>;

/**
 * @example app.route("/healthz", healthRoutes()) // GET /healthz → {"status":"ok"}
 */
export function healthRoutes(): Hono {
  return new Hono().get("/", (c) => c.json({ status: "ok" } satisfies HealthBody));
}
