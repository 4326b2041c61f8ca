/**
 * @module
 * `wayfinder source`'s flags and their parsing into `SourceOptions` (the wiring is in `source.ts`).
 */
import type { LogLevel } from "../../agent/log.ts";
import { isClusterName } from "../../store/snapshot-store.ts";
import { CONFIG_FLAG, EVENT_TIMEOUT_FLAG, LIVE_CLUSTER_FLAGS, LOG_LEVEL_FLAG, TIMEOUT_FLAG } from "../common-flags.ts";
import { seconds } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const SOURCE_COMMAND = {
  name: "source",
  summary: "follow the live cluster and PUT each changed snapshot to the control plane",
  synopsis: ["source (--mesos URLS | --operator URLS | --marathon URLS) --put http://HOST:PORT/v1/clusters/NAME [flags]"],
  flags: {
    mesos: LIVE_CLUSTER_FLAGS.mesos,
    operator: LIVE_CLUSTER_FLAGS.operator,
    marathon: LIVE_CLUSTER_FLAGS.marathon,
    master: LIVE_CLUSTER_FLAGS.master,
    config: CONFIG_FLAG,
    put: {
      type: "string",
      value: "URL",
      description: "the control plane's cluster, http(s)://HOST:PORT/v1/clusters/NAME (required): every changed snapshot is PUT to its /snapshot",
    },
    "poll-interval": { type: "string", value: "S", default: "30", description: "seconds between full reads of the cluster, besides the pushed changes" },
    "event-timeout": EVENT_TIMEOUT_FLAG,
    timeout: TIMEOUT_FLAG,
    "log-level": LOG_LEVEL_FLAG,
  },
  notes: [
    "An unchanged cluster is not sent again; a store that is down is retried with backoff; a snapshot the store rejects (400) is logged and not resent until the cluster changes. environment: WAYFINDER_TOKEN is sent as the bearer token.",
    "Runs until SIGINT or SIGTERM. exit codes: 0 stopped by a signal; 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

export interface SourceOptions {
  /** Where snapshots are PUT, and the cluster name taken from it. */
  target: { url: string; cluster: string };
  /** The live cluster, as given (checked when it is built). */
  live: { mesos?: string; operator?: string; marathon?: string; masters?: readonly string[] };
  configPath?: string;
  pollIntervalMs: number;
  eventTimeoutMs: number;
  /** Seconds. */
  timeout: number;
  logLevel: LogLevel;
}

/**
 * @example parseSourceOptions(["--mesos", "http://m1:5050", "--put", "http://cp:8080/v1/clusters/prod"]).target
 * // { url: "http://cp:8080/v1/clusters/prod/snapshot", cluster: "prod" }
 */
export function parseSourceOptions(args: readonly string[]): SourceOptions {
  const { values, positionals } = parseFlags(SOURCE_COMMAND, args);
  if (positionals.length > 0) throw usageError("source", `unexpected argument '${positionals[0]}'`);
  if (values.put === undefined) throw usageError("source", "--put http://HOST:PORT/v1/clusters/NAME is required (where snapshots are stored)");
  const positive = (flag: "poll-interval" | "event-timeout" | "timeout") => seconds("source", `--${flag}`, values[flag], { positive: true });
  return {
    target: storeTarget(values.put),
    live: {
      ...(values.mesos === undefined ? {} : { mesos: values.mesos }),
      ...(values.operator === undefined ? {} : { operator: values.operator }),
      ...(values.marathon === undefined ? {} : { marathon: values.marathon }),
      ...(values.master.length === 0 ? {} : { masters: values.master }),
    },
    ...(values.config === undefined ? {} : { configPath: values.config }),
    pollIntervalMs: positive("poll-interval") * 1000,
    eventTimeoutMs: positive("event-timeout") * 1000,
    timeout: positive("timeout"),
    logLevel: values["log-level"] as LogLevel,
  };
}

/** `http://cp/v1/clusters/NAME` → the PUT URL and the cluster name. */
function storeTarget(text: string): { url: string; cluster: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usageError("source", `--put: '${text}' is not a URL`);
  }
  const match = /^\/v1\/clusters\/([^/]+)\/?$/.exec(url.pathname);
  const cluster = match === null ? "" : decodeURIComponent(match[1]!);
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !isClusterName(cluster) || url.username !== "" || url.search !== "") {
    throw usageError("source", `--put: '${text}' must be http(s)://HOST:PORT/v1/clusters/NAME (no credentials, no query; NAME of letters, digits, '.', '_', '-')`);
  }
  url.pathname = `/v1/clusters/${cluster}/snapshot`;
  return { url: url.toString(), cluster };
}
