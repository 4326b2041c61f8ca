/**
 * @module
 * `bench:scale`'s peer: the whole-state path, measured in the same run. The source PUTs the
 * whole snapshot for every change and each node long-polls its whole view (`?wait=` with
 * `If-None-Match`), downloading and parsing all of it whenever anything changed. The server
 * does not compress whole views; their gzip size is computed once, to compare like for like.
 */
import { gzipSync } from "node:zlib";
import { wallNow } from "./converge-probes.ts";

/** One whole view a node received. */
export interface ViewReceived {
  at: number;
  bytes: number;
  etag: string;
}

/**
 * A node long-polling its whole view; every view it gets is read whole and parsed.
 * @example const p = new LongPoller(url, "S1"); await p.start(); await p.after(wallNow(), 60_000)
 */
export class LongPoller {
  readonly received: ViewReceived[] = [];
  #etag = "";
  #stopped = false;
  readonly #abort = new AbortController();
  readonly #url: string;
  #error: Error | undefined;

  constructor(clusterUrl: string, node: string) {
    this.#url = `${clusterUrl}/desired/nodes/${encodeURIComponent(node)}`;
  }

  /** Fetches the view once (a relist: the milliseconds it took and its bytes), then long-polls in the background. */
  async start(): Promise<{ ms: number; bytes: number; gzipBytes: number }> {
    const started = wallNow();
    const { text } = await this.#get("");
    const ms = wallNow() - started;
    void this.#loop();
    return { ms, bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text).length };
  }

  /** Resolves with the first view received after wall time `at` (every change moves the zones' serial, so every view). */
  async after(at: number, timeoutMs: number): Promise<ViewReceived> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = this.received.find((r) => r.at > at);
      if (view !== undefined) return view;
      if (this.#error !== undefined) throw this.#error;
      if (Date.now() > deadline) throw new Error(`${this.#url}: no view received within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      try {
        const { text, status } = await this.#get("?wait=30");
        if (status === 200) this.received.push({ at: wallNow(), bytes: Buffer.byteLength(text), etag: this.#etag });
      } catch (error) {
        if (!this.#stopped) this.#error = error as Error;
        return;
      }
    }
  }

  async #get(query: string): Promise<{ text: string; status: number }> {
    const response = await fetch(`${this.#url}${query}`, { headers: this.#etag === "" ? {} : { "if-none-match": this.#etag }, signal: this.#abort.signal });
    if (response.status === 304) return { text: "", status: 304 };
    if (response.status !== 200) throw new Error(`${this.#url}${query}: HTTP ${response.status}: ${await response.text()}`);
    const text = await response.text();
    JSON.parse(text);
    this.#etag = response.headers.get("etag") ?? "";
    return { text, status: 200 };
  }
}
