/**
 * @module
 * The dashboard's login: when a token is configured, the browser is asked for it once and
 * keeps a session cookie (HttpOnly, so no script can read it; SameSite=Strict, so no other
 * site can make the browser use it; Secure on https). The cookie holds an HMAC of the token,
 * not the token itself: a copy taken from a browser opens the dashboard, not the API. The
 * bearer header is accepted too, for tools that already send it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { bearerMatches } from "../middleware/bearer-token.ts";

export const SESSION_COOKIE = "wayfinder_session";

/**
 * The session value of a token.
 * @example sessionValue("s3cret") // "5b1c...", 64 hex digits
 */
export function sessionValue(token: string): string {
  return createHmac("sha256", token).update("wayfinder dashboard session v1").digest("hex");
}

/**
 * True when the request may see the dashboard: no token configured, the bearer token, or a
 * session cookie made from it.
 * @example uiAuthorized(request.headers, "s3cret")
 */
export function uiAuthorized(headers: Headers, token: string | undefined): boolean {
  if (token === undefined) return true;
  if (bearerMatches(headers.get("authorization") ?? undefined, token)) return true;
  const presented = cookieValue(headers.get("cookie") ?? "", SESSION_COOKIE);
  if (presented === undefined || !/^[0-9a-f]{64}$/.test(presented)) return false;
  return timingSafeEqual(Buffer.from(presented, "hex"), Buffer.from(sessionValue(token), "hex"));
}

/**
 * The `Set-Cookie` header that logs the browser in (or out, with `undefined`).
 * @example sessionCookie(sessionValue("s3cret"), true) // "wayfinder_session=...; Path=/ui; HttpOnly; SameSite=Strict; Secure"
 */
export function sessionCookie(value: string | undefined, secure: boolean): string {
  const base = `${SESSION_COOKIE}=${value ?? ""}; Path=/ui; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  return value === undefined ? `${base}; Max-Age=0` : base;
}

/**
 * Where to go after logging in: only a dashboard path of this origin, so the login form
 * cannot be used to send someone elsewhere.
 * @example safeNext("/ui/nodes?cluster=prod") // "/ui/nodes?cluster=prod"
 * @example safeNext("//evil.example/") // "/ui/"
 */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/ui\/[^\\\s]*$/.test(next) && !next.startsWith("//") ? next : "/ui/";
}

function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}
