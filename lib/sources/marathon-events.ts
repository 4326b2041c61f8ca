/**
 * @module
 * Marathon's event bus (`GET /v2/events`, server-sent events), kept open for as long as the
 * watcher runs, for push-driven updates. What marathon-lb got wrong and this gets right:
 *
 * - a stream that stays open but goes silent (marathon-lb#238: updates then came only from the
 *   5-minute fallback) is detected by an idle timeout over *any* bytes, keepalives included, and
 *   reconnected;
 * - reconnects rotate over every Marathon URL (marathon-lb#535) with jittered backoff, and a
 *   stream that lived long enough resets the backoff;
 * - every (re)connect is reported, because events sent while no stream was open are lost: the
 *   caller must resynchronise by polling then.
 *
 * Events are filtered server-side (`event_type=`, marathon-lb#541) and again here, by the JSON
 * `eventType`, which Marathon always sets (some versions send `event:` and `data:` apart).
 */
import { Backoff, sleep } from "./backoff.ts";
import { describeNetworkError } from "./http-json.ts";
import { SseParser } from "./sse-parser.ts";

/** marathon-lb's selection: what can change tasks, their health or app definitions. */
export const DEFAULT_EVENT_TYPES = ["status_update_event", "health_status_changed_event", "api_post_event"] as const;

export interface MarathonEvent {
  eventType: string;
  /** The event's JSON document. */
  data: Record<string, unknown>;
}

export interface MarathonEventsOptions {
  /** Marathon base URLs, rotated on each reconnect. */
  bases: readonly string[];
  /** Event types asked for and passed on. Default {@link DEFAULT_EVENT_TYPES}. */
  eventTypes?: readonly string[];
  /** A stream with no byte for this long is dead and reconnected. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** Time for the response headers. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** A stream that lived this long resets the backoff. Default 10 000 ms. */
  stableMs?: number;
  backoff?: Backoff;
  headers?: Record<string, string>;
  onEvent: (event: MarathonEvent) => void;
  /** A stream is open: events from before it are unknown, resynchronise now. */
  onConnect?: (url: string) => void;
  /** A stream ended; `reason` says how (`silent for 60000 ms`, `HTTP 503`, `ECONNREFUSED`, ...). */
  onDisconnect?: (url: string, reason: string) => void;
  /** An event whose data is not a JSON object (it is skipped; the stream goes on). */
  onInvalid?: (url: string, reason: string) => void;
  /** Stops the watcher. */
  signal: AbortSignal;
}

/**
 * Watches until `signal` aborts; never throws for network trouble (it reconnects).
 * @example
 * await watchMarathonEvents({ bases: ["http://10.0.0.1:8080"], onEvent: () => sync.request(), onConnect: () => sync.request(), signal });
 */
export async function watchMarathonEvents(options: MarathonEventsOptions): Promise<void> {
  if (options.bases.length === 0) throw new Error("watchMarathonEvents: at least one Marathon URL is needed");
  const backoff = options.backoff ?? new Backoff({ initialMs: 250, maxMs: 30_000 });
  const stableMs = options.stableMs ?? 10_000;
  let attempt = 0;
  while (!options.signal.aborted) {
    const base = options.bases[attempt++ % options.bases.length]!;
    const url = eventsUrl(base, options.eventTypes ?? DEFAULT_EVENT_TYPES);
    const started = Date.now();
    const reason = await streamOnce(url, options);
    if (options.signal.aborted) break;
    options.onDisconnect?.(url, reason);
    if (Date.now() - started >= stableMs) backoff.reset();
    await sleep(backoff.next(), options.signal);
  }
}

/** The events URL with marathon-lb's query: light plan format, server-side type filter. */
export function eventsUrl(base: string, eventTypes: readonly string[]): string {
  const query = new URLSearchParams([["plan-format", "light"], ...eventTypes.map((t) => ["event_type", t] as [string, string])]);
  return `${base}/v2/events?${query}`;
}

/** One connection, read until it ends; returns why it ended. */
async function streamOnce(url: string, options: MarathonEventsOptions): Promise<string> {
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
  const wanted = new Set(options.eventTypes ?? DEFAULT_EVENT_TYPES);
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: { Accept: "text/event-stream", "Cache-Control": "no-cache", ...options.headers },
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => {});
      return `HTTP ${response.status}`;
    }
    options.onConnect?.(url);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stop(`silent for ${idleMs} ms`), idleMs);
    };
    idle();
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      idle();
      for (const sse of parser.push(decoder.decode(chunk, { stream: true }))) {
        const event = marathonEvent(sse.data, sse.event);
        if (event === undefined) options.onInvalid?.(url, `event '${sse.event}' has data that is not a JSON object: ${sse.data.slice(0, 80)}`);
        else if (wanted.has(event.eventType)) options.onEvent(event);
      }
    }
    return why ?? "the server closed the stream";
  } catch (error) {
    return why ?? (options.signal.aborted ? "stopped" : describeNetworkError(error));
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", abort);
  }
}

/** An event's JSON, typed by its `eventType` (or the SSE `event:` name when it has none); junk is dropped. */
function marathonEvent(data: string, sseEvent: string): MarathonEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const eventType = typeof record.eventType === "string" ? record.eventType : sseEvent;
  return { eventType, data: record };
}
