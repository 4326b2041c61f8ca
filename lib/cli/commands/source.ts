/**
 * @module
 * `wayfinder source --mesos URLS [--marathon URLS] --put http://CP/v1/clusters/NAME`: follows the
 * live cluster (Marathon's event stream, and with `--operator` the masters' SUBSCRIBE stream, for
 * pushes; polling for the rest) and sends every change into the control plane's store, where
 * agents watch their node's view: the whole snapshot (PUT) at start and to resynchronise (a
 * stream reconnected, the store moved on or refused a change), otherwise only the objects that
 * changed, by id (PATCH with `baseGeneration`; `lib/sources/snapshot-sender.ts`). An unchanged
 * cluster is not sent again. A store that is down is retried with backoff; a snapshot the
 * store rejects (400) is reported and not resent until the cluster changes. Runs until SIGINT
 * or SIGTERM. `WAYFINDER_TOKEN` is sent as the bearer token.
 */
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { SnapshotSender } from "../../sources/snapshot-sender.ts";
import { watchLiveCluster, type ReadTrigger } from "../../sources/live-watch.ts";
import { liveClusterFromFlags } from "../../agent/feeds/from-flags.ts";
import { jsonLogger } from "../../agent/log.ts";
import { readConfig } from "../config-input.ts";
import { checked } from "../flag-values.ts";
import { usageError } from "../flags.ts";
import { nextSignal } from "../signals.ts";
import type { CliIo } from "../io.ts";
import { InputError } from "../../snapshot/issues.ts";
import { parseSourceOptions } from "./source-options.ts";

/**
 * @example await run(["--mesos", "http://m1:5050", "--marathon", "http://m1:8080", "--put", "http://cp:8080/v1/clusters/prod"], io, { stopSignal })
 */
export async function run(args: string[], io: CliIo, runtime: { stopSignal?: Promise<string>; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const options = parseSourceOptions(args);
  const { target } = options;
  let config: Awaited<ReturnType<typeof readConfig>>;
  try {
    config = await readConfig(options.configPath, io);
  } catch (error) {
    if (error instanceof InputError) throw usageError("source", error.message);
    throw error;
  }
  const live = checked("source", () => liveClusterFromFlags({ ...options.live, clusterName: target.cluster, timeout: options.timeout, config }));
  const log = jsonLogger({ write: (line) => io.stderr(line), level: options.logLevel });
  const token = (runtime.env ?? process.env).WAYFINDER_TOKEN;
  const timeoutMs = options.timeout * 1000;

  const sender = new SnapshotSender({ url: target.url, token, timeoutMs, log });
  // An event stream that (re)connected may have missed events: that read goes as a whole PUT.
  const send = (snapshot: ClusterSnapshot, trigger: ReadTrigger) => sender.send(snapshot, { resync: trigger.reason === "stream-connect", reason: trigger.reason }).then(() => {});

  const controller = new AbortController();
  log.info("wayfinder source starting", { from: live.description, to: target.url });
  const watching = watchLiveCluster({
    cluster: live.cluster,
    ...(live.marathon === undefined ? {} : { eventBases: live.marathon }),
    ...(live.mesosEvents === undefined ? {} : { mesosEventBases: live.mesosEvents }),
    pollIntervalMs: options.pollIntervalMs,
    idleTimeoutMs: options.eventTimeoutMs,
    // The store carries allocations over from its own desired state.
    previous: () => ({}),
    signal: controller.signal,
    onSnapshot: send,
    onError: (error, trigger) => log.error("snapshot not stored; retrying", { error, trigger: trigger.reason }),
    onStream: (news) => (news.kind === "event" ? log.debug("event", { type: news.detail }) : log.info(`event stream ${news.kind}`, { url: news.url, detail: news.detail })),
  });
  const reason = await (runtime.stopSignal ?? nextSignal());
  log.info("stopping", { reason });
  controller.abort();
  await watching;
  return 0;
}
