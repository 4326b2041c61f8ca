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
import { InputError } from "../../snapshot/issues.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { SnapshotSender } from "../../sources/snapshot-sender.ts";
import { watchLiveCluster, type ReadTrigger } from "../../sources/live-watch.ts";
import { isClusterName } from "../../store/snapshot-store.ts";
import { liveClusterFromFlags } from "../../agent/feeds/from-flags.ts";
import { jsonLogger, type LogLevel } from "../../agent/log.ts";
import { parseFlags } from "../args.ts";
import { readConfig } from "../config-input.ts";
import { nextSignal } from "../signals.ts";
import { CliUsageError, type CliIo } from "../io.ts";

const FLAGS = {
  mesos: { type: "string" },
  operator: { type: "string" },
  marathon: { type: "string" },
  master: { type: "string", multiple: true },
  config: { type: "string" },
  put: { type: "string" },
  "poll-interval": { type: "string", default: "30" },
  "event-timeout": { type: "string", default: "60" },
  timeout: { type: "string", default: "10" },
  "log-level": { type: "string", default: "info" },
} as const;

/**
 * @example await run(["--mesos", "http://m1:5050", "--marathon", "http://m1:8080", "--put", "http://cp:8080/v1/clusters/prod"], io, { stopSignal })
 */
export async function run(args: string[], io: CliIo, runtime: { stopSignal?: Promise<string>; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const { values, positionals } = parseFlags("source", args, FLAGS);
  if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]}'`);
  if (values.put === undefined) throw usage("--put http://HOST:PORT/v1/clusters/NAME is required (where snapshots are stored)");
  const target = storeTarget(values.put);
  const number = (flag: "poll-interval" | "event-timeout" | "timeout") => {
    const n = Number(values[flag]);
    if (!(n > 0)) throw usage(`--${flag}: '${values[flag]}' is not a positive number of seconds`);
    return n;
  };
  let config: Awaited<ReturnType<typeof readConfig>>;
  try {
    config = await readConfig(values.config, io);
  } catch (error) {
    if (error instanceof InputError) throw usage(error.message);
    throw error;
  }
  let live: ReturnType<typeof liveClusterFromFlags>;
  try {
    live = liveClusterFromFlags({
      ...(values.mesos === undefined ? {} : { mesos: values.mesos }),
      ...(values.operator === undefined ? {} : { operator: values.operator }),
      ...(values.marathon === undefined ? {} : { marathon: values.marathon }),
      ...(values.master === undefined ? {} : { masters: values.master }),
      clusterName: target.cluster,
      timeout: number("timeout"),
      config,
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const level = values["log-level"] as LogLevel;
  const log = jsonLogger({ write: (line) => io.stderr(line), level });
  const token = (runtime.env ?? process.env).WAYFINDER_TOKEN;
  const timeoutMs = number("timeout") * 1000;

  const sender = new SnapshotSender({ url: target.url, token, timeoutMs, log });
  // An event stream that (re)connected may have missed events: that read goes as a whole PUT.
  const send = (snapshot: ClusterSnapshot, trigger: ReadTrigger) => sender.send(snapshot, { resync: trigger.reason === "stream-connect", reason: trigger.reason }).then(() => {});

  const controller = new AbortController();
  log.info("wayfinder source starting", { from: live.description, to: target.url });
  const watching = watchLiveCluster({
    cluster: live.cluster,
    ...(live.marathon === undefined ? {} : { eventBases: live.marathon }),
    ...(live.mesosEvents === undefined ? {} : { mesosEventBases: live.mesosEvents }),
    pollIntervalMs: number("poll-interval") * 1000,
    idleTimeoutMs: number("event-timeout") * 1000,
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

/** `http://cp/v1/clusters/NAME` → the PUT URL and the cluster name. */
function storeTarget(text: string): { url: string; cluster: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--put: '${text}' is not a URL`);
  }
  const match = /^\/v1\/clusters\/([^/]+)\/?$/.exec(url.pathname);
  const cluster = match === null ? "" : decodeURIComponent(match[1]!);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !isClusterName(cluster) || url.username !== "" || url.search !== "") {
    throw usage(`--put: '${text}' must be http(s)://HOST:PORT/v1/clusters/NAME (no credentials, no query; NAME of letters, digits, '.', '_', '-')`);
  }
  url.pathname = `/v1/clusters/${cluster}/snapshot`;
  return { url: url.toString(), cluster };
}

function usage(message: string): CliUsageError {
  return new CliUsageError(`wayfinder source: ${message}`);
}
