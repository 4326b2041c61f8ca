/**
 * @module
 * Reading from a running control plane (`wayfinder explain --source`, `wayfinder status`):
 * the cluster's base URL checked once, the bearer token from `WAYFINDER_TOKEN`, and every
 * answer returned with its status, because a 404 with a body ("not found, did you mean") is
 * an answer here, not a failure. A server that cannot be reached is a usage error naming it.
 */
import { describeNetworkError } from "../sources/http-json.ts";
import { usageError } from "./flags.ts";

export interface ControlPlaneAnswer {
  status: number;
  value: unknown;
}

/**
 * The base URL of a cluster in the store, from `--source`: `http://HOST:PORT/v1/clusters/NAME`.
 * @example clusterBase("http://cp:8080/v1/clusters/prod/", "status") // "http://cp:8080/v1/clusters/prod"
 */
export function clusterBase(source: string, command: string): string {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    throw usageError(command, `--source '${source}' is not a URL (give http://HOST:PORT/v1/clusters/NAME)`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (!/^https?:$/.test(url.protocol) || !/^\/v1\/clusters\/[^/]+$/.test(path) || url.username !== "" || url.password !== "") {
    throw usageError(command, `--source '${source}' is not a cluster URL (give http://HOST:PORT/v1/clusters/NAME; the token goes in WAYFINDER_TOKEN)`);
  }
  return `${url.origin}${path}`;
}

/**
 * GETs `url` as JSON with the token, whatever the status.
 * @example const { status, value } = await getFromControlPlane("http://cp:8080/v1/clusters/prod/nodes", "explain", token);
 */
export async function getFromControlPlane(url: string, command: string, token: string | undefined, timeoutMs = 15_000): Promise<ControlPlaneAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw usageError(command, `cannot reach ${url}: ${describeNetworkError(error)}`);
  }
  const text = await response.text();
  try {
    return { status: response.status, value: JSON.parse(text) };
  } catch {
    throw usageError(command, `${url} answered HTTP ${response.status} with something that is not JSON`);
  }
}

/**
 * The `error` of an error body, for messages.
 * @example errorOf({ error: "invalid bearer token" }) // "invalid bearer token"
 */
export function errorOf(value: unknown): string {
  const error = (value as { error?: unknown } | null)?.error;
  return typeof error === "string" ? error : JSON.stringify(value).slice(0, 200);
}
