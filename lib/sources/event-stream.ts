/**
 * @module
 * A long-lived HTTP event stream kept open for as long as the watcher runs: Marathon's
 * `/v2/events` (server-sent events) and the Mesos operator API's `SUBSCRIBE` (RecordIO) share
 * it. What it guarantees, whatever the format:
 *
 * - a stream that stays open but goes silent is detected by an idle timeout over *any* bytes
 *   (keepalives and heartbeats included) and reconnected (marathon-lb#238);
 * - reconnects rotate over every base URL (marathon-lb#535) with jittered backoff, and a stream
 *   that lived long enough resets the backoff;
 * - every (re)connect is reported, because events sent while no stream was open are lost: the
 *   caller must resynchronise then.
 */
import { Backoff, sleep } from "./backoff.ts";
import { describeNetworkError } from "./http-json.ts";

/** Turns the bytes of one connection into events; a fresh one per connection. */
export interface StreamDecoder<E> {
  push(bytes: Uint8Array): E[];
}

export interface EventStreamOptions<E> {
  /** Base URLs, rotated on each reconnect. */
  bases: readonly string[];
  /** The stream's URL on a base. */
  urlOf: (base: string) => string;
  /** Method, headers and body of the request. */
  request: { method?: "GET" | "POST"; headers: Record<string, string>; body?: string };
  decoder: () => StreamDecoder<E>;
  /** A stream with no byte for this long is dead and reconnected. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Time for the response headers. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** A stream that lived this long resets the backoff. Default 10 000 ms. */
  stableMs?: number;
  backoff?: Backoff;
  onEvent: (event: E, url: string) => void;
  onConnect?: (url: string) => void;
  /** `reason`: `silent for 60000 ms`, `HTTP 503`, `ECONNREFUSED`, `the server closed the stream`, ... */
  onDisconnect?: (url: string, reason: string) => void;
  signal: AbortSignal;
}

/**
 * Watches until `signal` aborts; never throws for network trouble (it reconnects).
 * @example await watchEventStream({ bases, urlOf: (b) => `${b}/v2/events`, request: { headers: {} }, decoder: sseDecoder, onEvent, signal });
 */
export async function watchEventStream<E>(options: EventStreamOptions<E>): Promise<void> {
  if (options.bases.length === 0) throw new Error("watchEventStream: at least one base URL is needed");
  const backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
  const stableMs = options.stableMs ?? 10_000;
  let attempt = 0;
  while (!options.signal.aborted) {
    const url = options.urlOf(options.bases[attempt++ % options.bases.length]!);
    const started = Date.now();
    const reason = await streamOnce(url, options);
    if (options.signal.aborted) break;
    options.onDisconnect?.(url, reason);
    if (Date.now() - started >= stableMs) backoff.reset();
    await sleep(backoff.next(), options.signal);
  }
}

/** One connection, read until it ends; returns why it ended. */
async function streamOnce<E>(url: string, options: EventStreamOptions<E>): Promise<string> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal.addEventListener("abort", abort, { once: true });
  let why: string | undefined;
  const stop = (reason: string) => {
    why ??= reason;
    controller.abort();
  };
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const connectMs = options.connectTimeoutMs ?? 10_000;
  let timer = setTimeout(() => stop(`no response headers within ${connectMs} ms`), connectMs);
  try {
    const response = await fetch(url, {
      method: options.request.method ?? "GET",
      signal: controller.signal,
      headers: options.request.headers,
      ...(options.request.body === undefined ? {} : { body: options.request.body }),
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      return `HTTP ${response.status}`;
    }
    options.onConnect?.(url);
    const decoder = options.decoder();
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stop(`silent for ${idleMs} ms`), idleMs);
    };
    idle();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      idle();
      for (const event of decoder.push(chunk)) options.onEvent(event, url);
    }
    return why ?? "the server closed the stream";
  } catch (error) {
    return why ?? (options.signal.aborted ? "stopped" : error instanceof StreamFormatError ? error.message : describeNetworkError(error));
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", abort);
  }
}

/** Thrown by a decoder for bytes that cannot be the stream's format: the connection is dropped and reopened. */
export class StreamFormatError extends Error {
  override readonly name = "StreamFormatError";
}
