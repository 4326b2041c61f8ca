/**
 * @module
 * Requests to the snapshot store routes through `app.request()`, shared by the PATCH and watch
 * tests, and a reader of a watch response that applies its batches to a view.
 */
import type { Hono } from "hono";
import { watchEvents, type WatchBatch, type WatchEvent } from "../../lib/desired/watch-batches.ts";

export const TOKEN = "t0ken";
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

export function send(app: Hono, method: "PUT" | "PATCH", cluster: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return Promise.resolve(
    app.request(`/v1/clusters/${cluster}/snapshot`, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export function get(app: Hono, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(app.request(path, { headers: { ...AUTH, ...headers } }));
}

/** A node's view as a client following the stream holds it. */
export class FollowedView {
  readonly values = new Map<string, unknown>();
  generation = -1;
  hash = "";

  apply(batch: WatchBatch): void {
    if (batch.reset) this.values.clear();
    for (const key of batch.deletes) this.values.delete(key);
    for (const [key, value] of batch.upserts) this.values.set(key, value);
    this.generation = batch.generation;
    this.hash = batch.hash;
  }
}

/** Reads watch events one at a time from a response body, with a timeout per event. */
export class EventReader {
  readonly #events: AsyncGenerator<WatchEvent>;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#events = watchEvents(body);
  }

  async next(timeoutMs = 5000): Promise<WatchEvent> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no watch event within ${timeoutMs} ms`)), timeoutMs)));
    try {
      const next = await Promise.race([this.#events.next(), timeout]);
      if (next.done === true) throw new Error("the watch stream ended");
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next batch; bookmarks before it (sent while nothing changes) are passed over. */
  async batch(timeoutMs?: number): Promise<WatchBatch> {
    for (;;) {
      const event = await this.next(timeoutMs);
      if (event.type === "batch") return event.batch;
    }
  }

  async close(): Promise<void> {
    await this.#events.return(undefined);
  }
}
