/**
 * @module
 * Where an agent's desired state comes from. Three feeds share one shape: the control plane's
 * HTTP API (long poll with ETags), a snapshot or desired-state file, and the live cluster
 * computed on the node. A feed only hands over states that passed validation; everything else
 * is an error the agent reports while it keeps its last good state.
 */
import type { DesiredState } from "../../desired/schema.ts";

/** What a feed delivered, and what asked for it. */
export interface FeedDelivery {
  /** Where it came from (a URL, a file), for logs. */
  source: string;
  /** When the change that led to it was first noticed (ms since the epoch), if the feed knows. */
  requestedAt?: number;
  /** The control plane's store generation it came from, if the feed knows. */
  generation?: number;
}

/** What `fetch` got: the desired state, and the store generation it came from if known. */
export interface Fetched {
  desired: DesiredState;
  generation?: number;
}

export interface FeedSink {
  desired(desired: DesiredState, delivery: FeedDelivery): void;
  /** `fetch`: the source could not be read; `invalid`: what it gave failed validation. */
  error(error: Error, kind: "fetch" | "invalid"): void;
  /** Things worth a log line or a metric (stream reconnects, events), not errors. */
  note?(what: string, fields: Record<string, unknown>): void;
}

export interface DesiredFeed {
  /** One line for logs: `http://cp:8080/v1/clusters/prod/desired/nodes/S1`, `file /etc/wayfinder/snapshot.json`. */
  readonly description: string;
  /** The desired state now, once (dry runs, `--once`). Throws what `watch` would report. */
  fetch(signal?: AbortSignal): Promise<Fetched>;
  /** Delivers each new desired state until `signal` aborts. `currentHash`: what the node already has. */
  watch(sink: FeedSink, signal: AbortSignal, currentHash?: string): Promise<void>;
}
