/**
 * @module
 * Bearer-token authentication (RFC 6750) against one shared token. Missing or wrong tokens get
 * a JSON 401 with a `WWW-Authenticate` challenge.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { jsonError } from "../errors.ts";

export interface BearerTokenOptions {
  /** The token clients must present as `Authorization: Bearer <token>`. Must not be empty. */
  token: string;
  /** The `realm` of the challenge. Default `"wayfinder"`. */
  realm?: string;
}

/**
 * Rejects requests that do not carry the configured bearer token.
 * @example app.use("/v1/*", bearerToken({ token: env.WAYFINDER_TOKEN }))
 */
export function bearerToken(options: BearerTokenOptions): MiddlewareHandler {
  const opts = { realm: "wayfinder", ...options } satisfies Required<BearerTokenOptions>;
  if (opts.token === "") throw new Error("bearerToken: the token must not be empty");
  // Comparing digests, not the tokens, keeps the comparison constant-time even when the
  // lengths differ: timingSafeEqual alone would throw early and so reveal the token's length.
  const expected = digest(opts.token);
  const challenge = `Bearer realm="${opts.realm}"`;

  return async function bearerToken(c, next) {
    const presented = bearerCredentials(c.req.header("authorization"));
    if (presented === undefined) {
      return jsonError(c, 401, "missing bearer token (send 'Authorization: Bearer <token>')", {
        headers: { "WWW-Authenticate": challenge },
      });
    }
    if (!timingSafeEqual(digest(presented), expected)) {
      return jsonError(c, 401, "invalid bearer token", {
        headers: { "WWW-Authenticate": `${challenge}, error="invalid_token"` },
      });
    }
    await next();
  };
}

/**
 * The token of an `Authorization: Bearer` header (the scheme is case-insensitive, RFC 9110 §11.1).
 * @example bearerCredentials("bearer abc") // "abc"
 */
export function bearerCredentials(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * True when the `Authorization` header carries `token`, compared in constant time. For callers
 * that must decide before any route runs (the Workers entry, before waking a Durable Object).
 * @example bearerMatches("Bearer s3cret", "s3cret") // true
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = bearerCredentials(header);
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
