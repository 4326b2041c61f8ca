/**
 * @module
 * Marathon's event bus (`GET /v2/events`, server-sent events) for push-driven updates. The
 * stream itself (silence detection, reconnects rotating over every Marathon, resync on
 * connect) is `event-stream.ts`; marathon-lb lacked the first (marathon-lb#238: updates then
 * came only from its 5-minute fallback) and the second (marathon-lb#535).
 *
 * Events are filtered server-side (`event_type=`, marathon-lb#541) and again here, by the JSON
 * `eventType`, which Marathon always sets (some versions send `event:` and `data:` apart).
 */
import type { Backoff } from "./backoff.ts";
import { watchEventStream } from "./event-stream.ts";
import { SseParser, type SseEvent } from "./sse-parser.ts";

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
  const eventTypes = options.eventTypes ?? DEFAULT_EVENT_TYPES;
  const wanted = new Set(eventTypes);
  await watchEventStream<SseEvent>({
    bases: options.bases,
    urlOf: (base) => eventsUrl(base, eventTypes),
    request: { headers: { Accept: "text/event-stream", "Cache-Control": "no-cache", ...options.headers } },
    decoder: () => {
      const parser = new SseParser();
      const text = new TextDecoder();
      return { push: (bytes) => parser.push(text.decode(bytes, { stream: true })) };
    },
    ...pick(options),
    onEvent: (sse, url) => {
      const event = marathonEvent(sse.data, sse.event);
      if (event === undefined) options.onInvalid?.(url, `event '${sse.event}' has data that is not a JSON object: ${sse.data.slice(0, 80)}`);
      else if (wanted.has(event.eventType)) options.onEvent(event);
    },
  });
}

/** The stream settings passed through unchanged. */
function pick(options: MarathonEventsOptions) {
  const { idleTimeoutMs, connectTimeoutMs, stableMs, backoff, onConnect, onDisconnect, signal } = options;
  return {
    signal,
    ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    ...(stableMs === undefined ? {} : { stableMs }),
    ...(backoff === undefined ? {} : { backoff }),
    ...(onConnect === undefined ? {} : { onConnect }),
    ...(onDisconnect === undefined ? {} : { onDisconnect }),
  };
}

/** The events URL with marathon-lb's query: light plan format, server-side type filter. */
export function eventsUrl(base: string, eventTypes: readonly string[]): string {
  const query = new URLSearchParams([["plan-format", "light"], ...eventTypes.map((t) => ["event_type", t] as [string, string])]);
  return `${base}/v2/events?${query}`;
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
