/**
 * @module
 * The agent on the delta path: the view it persisted is loaded (and applied once, so a restart
 * brings the node back to its last good state with or without the control plane), the watch
 * stream is followed from that generation, each verified batch goes to the keyed syncer, and
 * the syncer persists what it applied. When the server does not watch, `runDeltaAgent`
 * returns "unsupported" before touching anything, and the caller falls back to the whole-view
 * long poll.
 */
import { ObjectKeys } from "../desired/object-keys.ts";
import { collectGarbage } from "../runtime/collect-garbage.ts";
import type { KeyedApplier } from "../executor/keyed-applier.ts";
import type { AgentMetrics } from "./agent-metrics.ts";
import { KeyedSyncer, type KeyedSyncStatus } from "./keyed-syncer.ts";
import type { Logger } from "./log.ts";
import { NodeViewReader } from "./view/view-reader.ts";
import { ViewStore } from "./view/view-store.ts";
import { WatchFeed } from "./watch/watch-feed.ts";
import type { NodeStatusReport } from "../store/node-status.ts";

export interface DeltaAgentOptions {
  node: string;
  /** The node view URL. */
  url: string;
  token?: string;
  stateDir: string;
  appliers: readonly KeyedApplier[];
  requires: Readonly<Record<string, readonly string[]>>;
  /** Keep DNS values in the view too (the `files` applier renders the zones). */
  keepDnsValues: boolean;
  metrics: AgentMetrics;
  log: Logger;
  resyncIntervalMs?: number;
  /** Watch-stream idle timeout, ms. */
  idleTimeoutMs?: number;
  /** Resolves when the agent is to stop. */
  stop: Promise<string>;
  /** Called once the syncer exists, for the health endpoint. */
  onStatus?: (status: () => KeyedSyncStatus) => void;
  /** Told after every sync (the status report the node PUTs to the control plane). */
  onSynced?: (status: NodeStatusReport) => void;
}

/**
 * Which values the view keeps when the DNS server holds the zones: everything but `dns/`, except
 * the forwarding settings (one small value the assembled desired state needs).
 * @example keepsWithoutDns("dns/records/task/web.1") // false
 */
export function keepsWithoutDns(key: string): boolean {
  return !key.startsWith("dns/") || key === ObjectKeys.dnsForwarding;
}

/**
 * @example const outcome = await runDeltaAgent({ node: "S1", url, stateDir, appliers, requires, keepDnsValues: false, metrics, log, stop });
 */
export async function runDeltaAgent(options: DeltaAgentOptions): Promise<"stopped" | "unsupported"> {
  const { metrics, log } = options;
  const keeps = options.keepDnsValues ? () => true : keepsWithoutDns;
  const { store, view, problems } = await ViewStore.open(options.stateDir, options.node, keeps);
  for (const problem of problems) log.error("the persisted view is damaged; relisting", { problem });
  const feed = new WatchFeed({ url: options.url, ...(options.token === undefined ? {} : { token: options.token }), ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }) });
  const reader = new NodeViewReader(view, options.node);
  // A relist's batch is garbage once applied and persisted; collected then, not whenever V8 would.
  let relisted = false;
  const syncer = new KeyedSyncer({
    appliers: options.appliers,
    requires: options.requires,
    view: reader,
    persist: (changes) => store.append(changes, view),
    relist: (reason, applier, takes) => {
      log.warn("an applier needs every value again; relisting", { applier, reason });
      metrics.watchRelists.inc({ reason: "values" });
      feed.relist(applier, takes);
    },
    metrics,
    log,
    ...(options.resyncIntervalMs === undefined ? {} : { resyncIntervalMs: options.resyncIntervalMs }),
    onSynced: (status) => {
      options.onSynced?.(status);
      if (!relisted) return;
      relisted = false;
      // After the run returns, so its frames no longer hold the batch's changes.
      setImmediate(collectGarbage);
    },
  });
  options.onStatus?.(() => syncer.status);
  if (view.generation !== undefined) {
    log.info("resuming from the persisted view", { generation: view.generation, keys: view.size });
    syncer.start();
  }

  const controller = new AbortController();
  const following = feed.follow(
    view,
    {
      batch: (batch, receivedAt) => {
        metrics.watchBatches.inc({ kind: batch.reset ? "relist" : "change" });
        if (batch.reset || batch.upserts.size + batch.deletes.size > 0) log.debug("batch", { generation: batch.generation, upserts: batch.upserts.size, deletes: batch.deletes.size, reset: batch.reset });
        relisted ||= batch.reset;
        syncer.offer(batch, receivedAt);
      },
      error: (error, kind) => {
        metrics.sourceErrors.inc({ kind });
        log.error(kind === "invalid" ? "watch batch refused; the view keeps what it has" : "cannot follow the watch stream; the node keeps its state", { source: feed.description, error });
      },
      note: (what, fields) => {
        if (what === "bytes") metrics.watchBytes.inc({}, fields.bytes as number);
        else if (what === "relist") {
          metrics.watchRelists.inc({ reason: String(fields.reason) });
          log.info("relisting", fields);
        } else if (what === "connected") log.info("watching", fields);
      },
    },
    controller.signal,
  );
  const outcome = await Promise.race([following, options.stop.then((reason) => ({ stop: reason }))]);
  if (typeof outcome === "object") log.info("stopping: finishing the sync in progress; the data plane stays as it is", { reason: outcome.stop });
  controller.abort();
  const followed = await following;
  await syncer.stop();
  await store.close();
  return followed === "unsupported" ? "unsupported" : "stopped";
}
