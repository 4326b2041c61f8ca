/**
 * @module
 * Headers every response carries, API and dashboard alike. The Content-Security-Policy allows
 * nothing but this origin's own files: no inline script or style (the dashboard's scripts and
 * stylesheet are served as files), no framing, no form posting elsewhere, no base rewriting;
 * so even a cluster label that slipped past escaping could not run. `nosniff` keeps browsers
 * from reading JSON or text as HTML; `no-referrer` keeps cluster URLs out of other sites' logs.
 */
import type { MiddlewareHandler } from "hono";

/** The policy of every response. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * @example app.use(securityHeaders())
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
  };
}
