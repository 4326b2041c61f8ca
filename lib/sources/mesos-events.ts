/**
 * @module
 * The Mesos operator API's event stream (`POST /api/v1 {"type":"SUBSCRIBE"}`, RecordIO JSON),
 * for push-driven updates of what Marathon does not announce: tasks of every other framework
 * (Metronome jobs, SDK services), agents joining and leaving. This is how dcos-net's listener
 * followed the master. A non-leading master answers 307 to the leader, which the request
 * follows; the master heartbeats every 15 s, so the idle timeout catches a silent stream.
 */
import type { Backoff } from "./backoff.ts";
import { watchEventStream } from "./event-stream.ts";
import { RecordIoReader } from "./recordio.ts";

/** The events that can change a snapshot (HEARTBEAT and SUBSCRIBED are not among them). */
export const MESOS_CHANGE_EVENTS = [
  "TASK_ADDED",
  "TASK_UPDATED",
  "AGENT_ADDED",
  "AGENT_REMOVED",
  "FRAMEWORK_ADDED",
  "FRAMEWORK_UPDATED",
  "FRAMEWORK_REMOVED",
] as const;

export interface MesosEventsOptions {
  /** Master base URLs (the `/api/v1` path is appended), rotated on each reconnect. */
  bases: readonly string[];
  /** Default 60 000 ms (four missed heartbeats). */
  idleTimeoutMs?: number;
  backoff?: Backoff;
  headers?: Record<string, string>;
  /** A change event, by type. */
  onEvent: (type: string) => void;
  onConnect?: (url: string) => void;
  onDisconnect?: (url: string, reason: string) => void;
  signal: AbortSignal;
}

/**
 * Watches until `signal` aborts; never throws for network trouble (it reconnects).
 * @example await watchMesosEvents({ bases: ["http://10.0.0.1:5050"], onEvent: () => sync.request(), onConnect: () => sync.request(), signal });
 */
export async function watchMesosEvents(options: MesosEventsOptions): Promise<void> {
  const changes = new Set<string>(MESOS_CHANGE_EVENTS);
  await watchEventStream<unknown>({
    bases: options.bases,
    urlOf: (base) => `${base}/api/v1`,
    request: {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...options.headers },
      body: JSON.stringify({ type: "SUBSCRIBE" }),
    },
    decoder: () => new RecordIoReader(),
    signal: options.signal,
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.onConnect === undefined ? {} : { onConnect: options.onConnect }),
    ...(options.onDisconnect === undefined ? {} : { onDisconnect: options.onDisconnect }),
    onEvent: (record) => {
      const type = (record as { type?: unknown } | null)?.type;
      if (typeof type === "string" && changes.has(type)) options.onEvent(type);
    },
  });
}
