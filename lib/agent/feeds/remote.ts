/**
 * @module
 * The desired state from the control plane's HTTP API: `GET <node view URL>` with
 * `If-None-Match: "<hash the node has>"` and `?wait=` (long poll), so a change is delivered as
 * soon as it is stored, and an unchanged state costs one held request, not a download. A server
 * that does not long-poll (it answers 304 at once) is polled every `pollIntervalMs` instead.
 */
import { Backoff, sleep } from "../../sources/backoff.ts";
import { fetchJson, SourceError } from "../../sources/http-json.ts";
import { InvalidDesiredError, validateDesired } from "../validate-desired.ts";
import type { DesiredFeed, FeedSink, Fetched } from "./feed.ts";

export interface RemoteFeedOptions {
  /** The node view URL (see `nodeViewUrl`). */
  url: string;
  node: string;
  /** Bearer token for `/v1/*`. */
  token?: string;
  /** Long-poll hold asked of the server, in seconds. Default 30. */
  waitSeconds?: number;
  /** Interval against servers that answer at once. Default 2000 ms (Minuteman polled every 2 s). */
  pollIntervalMs?: number;
  /** Per request, beyond the long-poll hold. Default 10 000 ms. */
  timeoutMs?: number;
  backoff?: Backoff;
}

/**
 * The node view URL for a `--source`: a cluster in the snapshot store
 * (`http://cp:8080/v1/clusters/prod`), the desired state of `wayfinder serve --snapshot`
 * (`http://cp:8080/v1/desired`), or a node view URL as is. Throws for anything else.
 * @example nodeViewUrl("http://cp:8080/v1/clusters/prod", "S1") // "http://cp:8080/v1/clusters/prod/desired/nodes/S1"
 */
export function nodeViewUrl(source: string, node: string): string {
  const url = new URL(source);
  if (url.username !== "" || url.password !== "") throw new Error(`--source: '${source}': credentials in URLs are not accepted (set WAYFINDER_TOKEN)`);
  const path = url.pathname.replace(/\/+$/, "");
  const nodePart = `nodes/${encodeURIComponent(node)}`;
  if (/^\/v1\/clusters\/[^/]+$/.test(path)) url.pathname = `${path}/desired/${nodePart}`;
  else if (/\/desired$/.test(path)) url.pathname = `${path}/${nodePart}`;
  else if (!/\/desired\/nodes\/[^/]+$/.test(path)) {
    throw new Error(`--source: '${source}' is not a wayfinder URL: give http://HOST:PORT/v1/clusters/NAME, http://HOST:PORT/v1/desired or a .../desired/nodes/ID URL`);
  }
  url.search = "";
  return url.toString();
}

/**
 * @example const feed = new RemoteFeed({ url: nodeViewUrl(source, "S1"), node: "S1", token });
 */
export class RemoteFeed implements DesiredFeed {
  readonly description: string;
  readonly #opts: Required<Omit<RemoteFeedOptions, "token" | "backoff">> & Pick<RemoteFeedOptions, "token">;
  readonly #backoff: Backoff;

  constructor(options: RemoteFeedOptions) {
    this.#opts = { waitSeconds: 30, pollIntervalMs: 2000, timeoutMs: 10_000, ...options };
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
    this.description = options.url;
  }

  async fetch(signal?: AbortSignal): Promise<Fetched> {
    const response = await this.#get(undefined, 0, signal);
    const generation = generationOf(response.headers);
    return { desired: validateDesired(response.value, this.#opts.node, this.#opts.url), ...(generation === undefined ? {} : { generation }) };
  }

  async watch(sink: FeedSink, signal: AbortSignal, currentHash?: string): Promise<void> {
    let etag = currentHash;
    while (!signal.aborted) {
      const started = Date.now();
      try {
        const response = await this.#get(etag, this.#opts.waitSeconds, signal);
        this.#backoff.reset();
        if (response.status === 304) {
          // An answer well before the hold ran out: the server does not long-poll.
          if (Date.now() - started < (this.#opts.waitSeconds * 1000) / 2) await sleep(this.#opts.pollIntervalMs, signal);
          continue;
        }
        // The server's tag of what it sent: valid or not, the next poll waits for something else.
        etag = response.headers.get("etag")?.replace(/^(W\/)?"|"$/g, "") ?? etag;
        const desired = validateDesired(response.value, this.#opts.node, this.#opts.url);
        etag = desired.hash;
        const generation = generationOf(response.headers);
        sink.desired(desired, { source: this.#opts.url, ...(generation === undefined ? {} : { generation }) });
      } catch (error) {
        if (signal.aborted) break;
        sink.error(error as Error, error instanceof InvalidDesiredError ? "invalid" : "fetch");
        await sleep(this.#backoff.next(), signal);
      }
    }
  }

  #get(etag: string | undefined, waitSeconds: number, signal?: AbortSignal) {
    const url = new URL(this.#opts.url);
    if (etag !== undefined && waitSeconds > 0) url.searchParams.set("wait", String(waitSeconds));
    return fetchJson(url.toString(), {
      timeoutMs: this.#opts.timeoutMs + (etag === undefined ? 0 : waitSeconds * 1000),
      headers: {
        ...(etag === undefined ? {} : { "If-None-Match": `"${etag}"` }),
        ...(this.#opts.token === undefined ? {} : { Authorization: `Bearer ${this.#opts.token}` }),
      },
      ...(signal === undefined ? {} : { signal }),
    }).then((response) => {
      if (response.status !== 304 && response.status !== 200) throw new SourceError(url.toString(), `unexpected HTTP ${response.status}`, response.status);
      return response;
    });
  }
}

/** The store generation the control plane names in `X-Wayfinder-Generation`, if any. */
function generationOf(headers: Headers): number | undefined {
  const generation = Number(headers.get("x-wayfinder-generation"));
  return Number.isSafeInteger(generation) && generation > 0 ? generation : undefined;
}
