/**
 * @module
 * Keeps a live cluster's snapshot current: reads it at start, on every Marathon event that can
 * change tasks and every Mesos operator-API event (when subscribed), after every (re)connect of
 * an event stream (events sent while it was down are lost, so a full read resynchronises),
 * every `pollIntervalMs` (changes no stream announces, and the fallback when there is none),
 * and after a failed read with jittered backoff. Reads never overlap and requests during a read collapse into one more.
 */
import { Backoff } from "./backoff.ts";
import { CoalescingRunner } from "./coalescing-runner.ts";
import type { LiveCluster } from "./live-cluster.ts";
import { watchMarathonEvents, type MarathonEvent } from "./marathon-events.ts";
import { watchMesosEvents } from "./mesos-events.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../snapshot/schema.ts";

/** Why a read happened: the first request coalesced into it, and when that came. */
export interface ReadTrigger {
  reason: "start" | "poll" | "event" | "stream-connect" | "retry";
  /** For `event`: the Marathon event type. */
  detail?: string;
  /** When the first request of this read was made (ms since the epoch). */
  requestedAt: number;
}

export interface LiveWatchOptions {
  cluster: LiveCluster;
  /** Marathon base URLs to take events from. */
  eventBases?: readonly string[];
  /** Mesos master base URLs to SUBSCRIBE to (operator API). */
  mesosEventBases?: readonly string[];
  /** Default 30 000 ms (DC/OS ran Mesos-DNS with a 30 s refresh). */
  pollIntervalMs?: number;
  /** Passed to the event stream. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** The allocations to keep stable: called before each read. */
  previous: () => PreviousAllocations;
  /** The clock (the snapshot's `now`). Default `() => new Date()`. */
  now?: () => Date;
  /** A new snapshot; awaited, so the consumer's work is serialised with the reads. */
  onSnapshot: (snapshot: ClusterSnapshot, trigger: ReadTrigger) => Promise<void> | void;
  onError: (error: Error, trigger: ReadTrigger) => void;
  /** Event-stream news for logs and metrics. */
  onStream?: (news: { kind: "connected" | "disconnected" | "event" | "invalid"; url: string; detail?: string }) => void;
  backoff?: Backoff;
  signal: AbortSignal;
}

/**
 * Runs until `signal` aborts.
 * @example await watchLiveCluster({ cluster, eventBases: ["http://m1:8080"], previous: () => ({}), onSnapshot, onError, signal });
 */
export async function watchLiveCluster(options: LiveWatchOptions): Promise<void> {
  const now = options.now ?? (() => new Date());
  const backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
  let trigger: ReadTrigger | undefined;
  let retry: NodeJS.Timeout | undefined;

  const runner = new CoalescingRunner(async () => {
    const current = trigger ?? { reason: "poll", requestedAt: Date.now() };
    trigger = undefined;
    if (options.signal.aborted) return;
    try {
      const snapshot = await options.cluster.snapshot({ now: now().toISOString(), previous: options.previous(), signal: options.signal });
      backoff.reset();
      await options.onSnapshot(snapshot, current);
    } catch (error) {
      if (options.signal.aborted) return;
      options.onError(error as Error, current);
      clearTimeout(retry);
      retry = setTimeout(() => request({ reason: "retry" }), backoff.next());
    }
  });
  const request = (t: Omit<ReadTrigger, "requestedAt">) => {
    trigger ??= { ...t, requestedAt: Date.now() };
    runner.request();
  };

  request({ reason: "start" });
  const poll = setInterval(() => request({ reason: "poll" }), options.pollIntervalMs ?? 30_000);
  const events =
    options.eventBases === undefined || options.eventBases.length === 0
      ? undefined
      : watchMarathonEvents({
          bases: options.eventBases,
          ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
          signal: options.signal,
          onEvent: (event: MarathonEvent) => {
            options.onStream?.({ kind: "event", url: "", detail: event.eventType });
            request({ reason: "event", detail: event.eventType });
          },
          onConnect: (url) => {
            options.onStream?.({ kind: "connected", url });
            request({ reason: "stream-connect" });
          },
          onDisconnect: (url, reason) => options.onStream?.({ kind: "disconnected", url, detail: reason }),
          onInvalid: (url, reason) => options.onStream?.({ kind: "invalid", url, detail: reason }),
        });

  const mesosEvents =
    options.mesosEventBases === undefined || options.mesosEventBases.length === 0
      ? undefined
      : watchMesosEvents({
          bases: options.mesosEventBases,
          ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
          signal: options.signal,
          onEvent: (type) => {
            options.onStream?.({ kind: "event", url: "", detail: type });
            request({ reason: "event", detail: type });
          },
          onConnect: (url) => {
            options.onStream?.({ kind: "connected", url });
            request({ reason: "stream-connect" });
          },
          onDisconnect: (url, reason) => options.onStream?.({ kind: "disconnected", url, detail: reason }),
        });

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  clearInterval(poll);
  clearTimeout(retry);
  await events;
  await mesosEvents;
  await runner.idle();
}
