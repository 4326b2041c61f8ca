/**
 * @module
 * How a DesiredState goes over the wire: canonical JSON (so every server sends the same bytes
 * for the same state), its content hash as a strong `ETag`, and `If-None-Match` answered with
 * 304 so polling executors only download a state when it changed.
 */
import type { Context } from "hono";
import type { DesiredState } from "../desired/schema.ts";
import { canonicalJson } from "../net/canonical-json.ts";

/**
 * The entity tag of a desired state: its hash, quoted.
 * @example etagOf(desired) // "\"9f86d081...\""
 */
export function etagOf(desired: DesiredState): string {
  return `"${desired.hash}"`;
}

/**
 * True when an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2: `*`, a list, and weak
 * comparison, so `W/"x"` matches `"x"`).
 * @example ifNoneMatchHits('W/"a", "b"', '"b"') // true
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * Responds with `desired`. With `conditional`, a matching `If-None-Match` gets an empty 304.
 * @example return desiredResponse(c, nodeView(desired, "S1"), { conditional: true });
 */
export function desiredResponse(c: Context, desired: DesiredState, options: { conditional?: boolean; headers?: Record<string, string> } = {}): Response {
  const etag = etagOf(desired);
  // no-cache: caches may keep the state but must revalidate it, or an executor could be
  // handed a state that is no longer current.
  const headers = { ETag: etag, "Cache-Control": "no-cache", ...options.headers };
  if (options.conditional === true && ifNoneMatchHits(c.req.header("if-none-match"), etag)) {
    return c.body(null, 304, headers);
  }
  return c.body(canonicalJson(desired), 200, { ...headers, "Content-Type": "application/json" });
}
