/**
 * @module
 * One JSON request to a cluster component, with everything that can go wrong turned into a
 * `SourceError` naming the URL: refused connections, a server that accepts and never answers
 * (the timeout covers the body too, not just the headers), non-2xx answers, oversized bodies
 * and JSON that does not parse. Redirects are followed (a non-leading Mesos master redirects to
 * the leader), and the URL that finally answered is returned.
 */

/** A fetch from a live source that failed; `url` is the one asked, `reason` says why. */
export class SourceError extends Error {
  override readonly name = "SourceError";
  constructor(
    readonly url: string,
    readonly reason: string,
    /** The HTTP status when the server answered. */
    readonly status?: number,
  ) {
    super(`${url}: ${reason}`);
  }
}

export interface JsonRequest {
  method?: "GET" | "POST";
  /** A JSON body (POST). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Whole request, body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Largest body read, in bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
}

export interface JsonResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  value: unknown;
  headers: Headers;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * @example const { value, url } = await fetchJson("http://10.0.0.1:5050/master/state", { timeoutMs: 5000 });
 */
export async function fetchJson(url: string, request: JsonRequest = {}): Promise<JsonResponse> {
  const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([timeout, request.signal]);
  const method = request.method ?? "GET";
  const failed = (reason: string, status?: number) => new SourceError(`${method} ${url}`, reason, status);
  try {
    const response = await fetch(url, {
      method,
      signal,
      redirect: "follow",
      headers: {
        Accept: "application/json",
        ...(request.body === undefined ? {} : { "Content-Type": "application/json" }),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    // Only asked for with If-None-Match: "what you have is current", no body.
    if (response.status === 304) return { url: response.url || url, status: 304, value: undefined, headers: response.headers };
    const text = await readBody(response, request.maxBytes ?? DEFAULT_MAX_BYTES);
    if (text === undefined) throw failed(`the body is larger than ${request.maxBytes ?? DEFAULT_MAX_BYTES} bytes`, response.status);
    if (!response.ok) throw failed(`HTTP ${response.status}${snippet(text)}`, response.status);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw failed(`the answer is not valid JSON: ${(error as Error).message}`, response.status);
    }
    return { url: response.url || url, status: response.status, value, headers: response.headers };
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (timeout.aborted) throw failed(`no complete answer within ${timeoutMs} ms`);
    if (request.signal?.aborted) throw failed("aborted");
    throw failed(describeNetworkError(error));
  }
}

/** The body as text, or `undefined` once it grows past `maxBytes` (the rest is not read). */
async function readBody(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return "";
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel();
    return undefined;
  }
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > maxBytes) return undefined;
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

function snippet(text: string): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line === "" ? "" : `: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`;
}

/**
 * undici reports every network failure as `TypeError: fetch failed` with the real reason in
 * `cause`; the cause (ECONNREFUSED, ENOTFOUND, ...) is what an operator needs.
 */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code !== undefined) return `${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  return cause?.message ?? (error as Error).message ?? String(error);
}
