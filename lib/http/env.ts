/**
 * @module
 * App options from environment variables, read the same way on both runtimes: Workers pass
 * their bindings (`[vars]`, secrets, `wrangler dev --var`), Node passes `process.env`.
 *
 * - `WAYFINDER_TOKEN`: bearer token for `/v1/*` (empty or absent: no authentication).
 * - `WAYFINDER_BODY_LIMIT`: request body limit in bytes (absent: the default).
 */
import type { AppOptions } from "./app.ts";

/**
 * @example appOptionsFromEnv({ WAYFINDER_TOKEN: "s3cret" }) // { token: "s3cret", bodyLimit: undefined }
 */
export function appOptionsFromEnv(env: Readonly<Record<string, unknown>>): Pick<AppOptions, "token" | "bodyLimit"> {
  const token = env["WAYFINDER_TOKEN"];
  const limit = env["WAYFINDER_BODY_LIMIT"];
  if (token !== undefined && typeof token !== "string") throw new Error("WAYFINDER_TOKEN must be a string");
  return {
    token: token === "" ? undefined : token,
    bodyLimit: limit === undefined || limit === "" ? undefined : parseBodyLimit(String(limit), "WAYFINDER_BODY_LIMIT"),
  };
}

/**
 * A body limit in bytes: a positive whole number, nothing else (no units, so no ambiguity
 * between MB and MiB). Throws an error naming `source` otherwise.
 * @example parseBodyLimit("1048576", "--body-limit") // 1048576
 */
export function parseBodyLimit(text: string, source: string): number {
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(`${source} must be a positive whole number of bytes (got '${text}')`);
  }
  return bytes;
}
