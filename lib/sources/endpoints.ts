/**
 * @module
 * Where the live sources live: lists of base URLs as operators write them on the command line
 * (`http://m1:5050,http://m2:5050`), checked once, up front. A base may carry a path prefix (a
 * DC/OS admin router serves Marathon under `/marathon`), and a full endpoint URL pasted from a
 * browser (`http://m1:5050/master/state`) is accepted too: the known endpoint path is stripped.
 */

/** A URL list that cannot be used; the message names the flag and the entry. */
export class EndpointError extends Error {
  override readonly name = "EndpointError";
}

/**
 * True when `text` looks like an HTTP(S) URL list rather than a file path.
 * @example isUrlList("http://m1:5050") // true
 */
export function isUrlList(text: string): boolean {
  return /^https?:\/\//i.test(text.trim());
}

/**
 * Splits a comma-separated list of base URLs, in the order given (the first is tried first).
 * Entries must be `http://` or `https://` with a host, no query, no fragment, no credentials
 * (they would end up in logs and metrics; use a header instead). `endpointPaths` are stripped
 * from the end of an entry's path, and a trailing `/` is removed.
 * @example parseBaseUrls("http://m1:5050/master/state, http://m2:5050", "--mesos", ["/master/state"])
 * // ["http://m1:5050", "http://m2:5050"]
 */
export function parseBaseUrls(text: string, flag: string, endpointPaths: readonly string[] = []): string[] {
  const entries = text.split(",").map((e) => e.trim()).filter((e) => e !== "");
  if (entries.length === 0) throw new EndpointError(`${flag}: no URL given`);
  return [...new Set(entries.map((entry) => baseUrl(entry, flag, endpointPaths)))];
}

function baseUrl(entry: string, flag: string, endpointPaths: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new EndpointError(`${flag}: '${entry}' is not a URL (e.g. http://10.0.0.1:5050)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new EndpointError(`${flag}: '${entry}' must be http:// or https://`);
  if (url.username !== "" || url.password !== "") throw new EndpointError(`${flag}: '${entry}': credentials in URLs are not accepted (they would be logged)`);
  if (url.search !== "" || url.hash !== "") throw new EndpointError(`${flag}: '${entry}': a base URL takes no query or fragment`);
  let path = url.pathname.replace(/\/+$/, "");
  for (const suffix of endpointPaths) {
    if (path.endsWith(suffix)) {
      path = path.slice(0, -suffix.length);
      break;
    }
  }
  return `${url.protocol}//${url.host}${path}`;
}
