/**
 * @module
 * `GET /ui/events?cluster=NAME`: server-sent events for the dashboard's live pages. Each new
 * generation and each node report is one `change` event; a comment every 25 s keeps proxies
 * from closing an idle stream. Pages fetch themselves again on a change, so the stream
 * carries only what changed, never cluster data.
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { ClusterStates } from "../cluster-states.ts";

/** Under the 60 s idle timeout of common proxies. */
const KEEPALIVE_MS = 25_000;

/**
 * @example app.get("/ui/events", (c) => clusterEvents(c, states))
 */
export function clusterEvents(c: Context, states: ClusterStates, cluster: string): Response {
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    const unsubscribe = states.subscribe(cluster, (event) => {
      void stream.writeSSE({ event: "change", data: JSON.stringify(event) });
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    await stream.writeSSE({ event: "hello", data: JSON.stringify({ cluster }) });
    while (!stream.aborted && !stream.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, KEEPALIVE_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!stream.aborted && !stream.closed) await stream.write(": keepalive\n\n");
    }
    unsubscribe();
  });
}
