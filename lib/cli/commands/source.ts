/**
 * @module
 * `wayfinder source --mesos URLS [--marathon URLS] --put http://CP/v1/clusters/NAME`: follows the
 * live cluster (Marathon's event stream, and with `--operator` the masters' SUBSCRIBE stream, for
 * pushes; polling for the rest) and PUTs every changed
 * snapshot into the control plane's store, where executors long-poll their node's view. An
 * unchanged cluster is not sent again. A store that is down is retried with backoff; a snapshot
 * the store rejects (400) is reported and not resent until the cluster changes. Runs until
 * SIGINT or SIGTERM. `WAYFINDER_TOKEN` is sent as the bearer token.
 */
import { canonicalJson } from "../../net/canonical-json.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { SourceError, describeNetworkError } from "../../sources/http-json.ts";
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

  let lastSent: string | undefined;
  const put = async (snapshot: ClusterSnapshot, trigger: ReadTrigger) => {
    const key = canonicalJson({ ...snapshot, now: "" });
    if (key === lastSent) return;
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(snapshot),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new SourceError(`PUT ${target.url}`, describeNetworkError(error));
    }
    const body = await response.text();
    if (response.status === 400) {
      // Resending the same snapshot would be rejected the same way: wait for the cluster to change.
      lastSent = key;
      log.error("the store rejected the snapshot", { url: target.url, response: body.slice(0, 2000) });
      return;
    }
    if (!response.ok) throw new SourceError(`PUT ${target.url}`, `HTTP ${response.status}: ${body.slice(0, 200)}`);
    lastSent = key;
    const result = JSON.parse(body) as { generation?: number; hash?: string };
    log.info("snapshot stored", { url: target.url, generation: result.generation, hash: result.hash, trigger: trigger.reason, detail: trigger.detail, tasks: snapshot.tasks.length });
  };

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
    onSnapshot: put,
    onError: (error, trigger) => log.error("snapshot not stored; retrying", { error, trigger: trigger.reason }),
    onStream: (news) => (news.kind === "event" ? log.debug("event", { type: news.detail }) : log.info(`event stream ${news.kind}`, { url: news.url, detail: news.detail })),
  });
  const reason = await (runtime.stopSignal ?? nextSignal());
  log.info("stopping", { reason });
  controller.abort();
  await watching;
  return 0;
}
