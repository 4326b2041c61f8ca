/**
 * @module
 * The desired state computed on the node from the live cluster: the Mesos masters and
 * Marathon read directly (push from Marathon's event stream, polling for the rest), reconciled
 * here. No control plane in the path, so nothing between a Marathon event and the node but one
 * read and one reconcile; the price is that every node reads the masters.
 */
import type { DesiredState } from "../../desired/schema.ts";
import { InputError } from "../../snapshot/issues.ts";
import { previousFromDocument } from "../../snapshot/previous.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../../snapshot/schema.ts";
import { withStableNow } from "../../sources/stable-now.ts";
import type { LiveCluster } from "../../sources/live-cluster.ts";
import { watchLiveCluster } from "../../sources/live-watch.ts";
import type { DesiredFeed, FeedSink, Fetched } from "./feed.ts";
import { nodeDesired } from "./node-desired.ts";

export interface LiveFeedOptions {
  cluster: LiveCluster;
  node: string;
  /** Marathon base URLs for the event stream. */
  eventBases?: readonly string[];
  /** Mesos master base URLs to SUBSCRIBE to (operator API). */
  mesosEventBases?: readonly string[];
  /** Default 30 000 ms. */
  pollIntervalMs?: number;
  /** Event-stream idle timeout. Default 60 000 ms. */
  idleTimeoutMs?: number;
  /** The last desired state the node had, whose allocations stay put. */
  last?: DesiredState;
  /** Names the feed in logs: the URLs read. */
  description: string;
}

/**
 * @example const feed = new LiveFeed({ cluster, node: "S1", eventBases: marathon, description: "mesos http://m1:5050" });
 */
export class LiveFeed implements DesiredFeed {
  readonly description: string;
  readonly #opts: LiveFeedOptions;
  #previous: PreviousAllocations;
  #lastSnapshot: ClusterSnapshot | undefined;

  constructor(options: LiveFeedOptions) {
    this.#opts = options;
    this.description = options.description;
    this.#previous = options.last === undefined ? {} : previousFromDocument(options.last, "the last desired state");
  }

  async fetch(signal?: AbortSignal): Promise<Fetched> {
    const snapshot = await this.#opts.cluster.snapshot({ now: new Date().toISOString(), previous: this.#previous, ...(signal === undefined ? {} : { signal }) });
    return { desired: this.#desired(snapshot) };
  }

  async watch(sink: FeedSink, signal: AbortSignal): Promise<void> {
    await watchLiveCluster({
      cluster: this.#opts.cluster,
      ...(this.#opts.eventBases === undefined ? {} : { eventBases: this.#opts.eventBases }),
      ...(this.#opts.mesosEventBases === undefined ? {} : { mesosEventBases: this.#opts.mesosEventBases }),
      ...(this.#opts.pollIntervalMs === undefined ? {} : { pollIntervalMs: this.#opts.pollIntervalMs }),
      ...(this.#opts.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: this.#opts.idleTimeoutMs }),
      previous: () => this.#previous,
      signal,
      onSnapshot: (snapshot, trigger) => {
        try {
          sink.desired(this.#desired(snapshot), { source: this.description, requestedAt: trigger.requestedAt });
        } catch (error) {
          sink.error(error as Error, "invalid");
        }
      },
      onError: (error) => sink.error(error, error instanceof InputError ? "invalid" : "fetch"),
      onStream: (news) => sink.note?.(`event stream ${news.kind}`, { url: news.url, ...(news.detail === undefined ? {} : { detail: news.detail }) }),
    });
  }

  #desired(read: ClusterSnapshot): DesiredState {
    const snapshot = withStableNow(this.#lastSnapshot, read);
    this.#lastSnapshot = snapshot;
    const { cluster, node } = nodeDesired(snapshot, this.#opts.node, this.description);
    // The whole cluster's allocations (not only this node's) feed the next read.
    this.#previous = previousFromDocument(cluster, "the computed desired state");
    return node;
  }
}

