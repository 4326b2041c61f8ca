/**
 * @module
 * Which feed `wayfinder agent` reads, from its flags: `--source URL` (the control plane),
 * `--source FILE` (a snapshot or desired state on disk), or `--mesos`/`--operator`/`--marathon`
 * URLs (the live cluster, computed on the node). Every mistake is an `Error` whose message names
 * the flag; the command turns it into a usage error.
 */
import type { DesiredState } from "../../desired/schema.ts";
import type { Config } from "../../snapshot/config.ts";
import { isUrlList, parseBaseUrls } from "../../sources/endpoints.ts";
import { LiveCluster } from "../../sources/live-cluster.ts";
import { MARATHON_ENDPOINT_PATHS } from "../../sources/marathon-api.ts";
import { MESOS_ENDPOINT_PATHS } from "../../sources/mesos-masters.ts";
import type { DesiredFeed } from "./feed.ts";
import { FileFeed } from "./file.ts";
import { LiveFeed } from "./live.ts";
import { nodeViewUrl, RemoteFeed } from "./remote.ts";

export interface FeedFlags {
  node: string;
  source?: string;
  mesos?: string;
  operator?: string;
  marathon?: string;
  masters?: readonly string[];
  clusterName?: string;
  /** Seconds. */
  pollInterval?: number;
  /** Seconds. */
  timeout?: number;
  /** Seconds: the event stream's idle timeout. */
  eventTimeout?: number;
  token?: string;
  /** Needed by the live feed only (it reconciles). */
  config: () => Promise<Config>;
  /** The remembered desired state, whose allocations a live feed keeps. */
  last?: DesiredState;
  /** Resolves `--source FILE` against the working directory. */
  resolvePath: (path: string) => string;
}

/**
 * @example await feedFromFlags({ node: "S1", source: "http://cp:8080/v1/clusters/prod", config, resolvePath })
 */
export async function feedFromFlags(flags: FeedFlags): Promise<DesiredFeed> {
  const live = flags.mesos !== undefined || flags.operator !== undefined || flags.marathon !== undefined;
  if (flags.source !== undefined && live) throw new Error("give either --source or --mesos/--operator/--marathon, not both");
  const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);
  if (flags.source !== undefined) {
    if (isUrlList(flags.source)) {
      return new RemoteFeed({
        url: nodeViewUrl(flags.source, flags.node),
        node: flags.node,
        ...(flags.token === undefined ? {} : { token: flags.token }),
        ...(flags.pollInterval === undefined ? {} : { pollIntervalMs: flags.pollInterval * 1000 }),
        ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
      });
    }
    return new FileFeed({ path: flags.resolvePath(flags.source), node: flags.node });
  }
  if (!live) throw new Error("give --source URL|FILE, or the live cluster with --mesos/--operator and/or --marathon");
  const { cluster, marathon, mesosEvents, description } = liveClusterFromFlags({ ...flags, config: await flags.config() });
  return new LiveFeed({
    cluster,
    node: flags.node,
    ...(marathon === undefined ? {} : { eventBases: marathon }),
    ...(mesosEvents === undefined ? {} : { mesosEventBases: mesosEvents }),
    ...(seconds(flags.pollInterval) === undefined ? {} : { pollIntervalMs: seconds(flags.pollInterval)! }),
    ...(seconds(flags.eventTimeout) === undefined ? {} : { idleTimeoutMs: seconds(flags.eventTimeout)! }),
    ...(flags.last === undefined ? {} : { last: flags.last }),
    description,
  });
}

/** The live-cluster flags, shared by `wayfinder agent` and `wayfinder source`. */
export interface LiveFlags {
  mesos?: string;
  operator?: string;
  marathon?: string;
  masters?: readonly string[];
  clusterName?: string;
  /** Seconds. */
  timeout?: number;
  config: Config;
}

/**
 * The LiveCluster `--mesos`/`--operator`/`--marathon` describe, the Marathon bases (for the
 * event stream) and a description for logs. Throws an `Error` naming the flag on a bad URL.
 * @example liveClusterFromFlags({ mesos: "http://m1:5050", marathon: "http://m1:8080", config }).description // "mesos http://m1:5050 + marathon http://m1:8080"
 */
export function liveClusterFromFlags(flags: LiveFlags): { cluster: LiveCluster; marathon?: string[]; mesosEvents?: string[]; description: string } {
  if (flags.mesos !== undefined && flags.operator !== undefined) throw new Error("give either --mesos or --operator, not both");
  const mesosText = flags.mesos ?? flags.operator;
  const api = flags.mesos !== undefined ? "state" : "operator";
  const mesos = mesosText === undefined ? undefined : ({ api, bases: parseBaseUrls(mesosText, `--${flags.mesos !== undefined ? "mesos" : "operator"}`, MESOS_ENDPOINT_PATHS[api]) } as const);
  const marathon = flags.marathon === undefined ? undefined : parseBaseUrls(flags.marathon, "--marathon", MARATHON_ENDPOINT_PATHS);
  if (mesos === undefined && marathon === undefined) throw new Error("give the live cluster with --mesos/--operator and/or --marathon");
  const cluster = new LiveCluster({
    ...(mesos === undefined ? {} : { mesos }),
    ...(marathon === undefined ? {} : { marathon: { bases: marathon } }),
    ...(flags.masters === undefined || flags.masters.length === 0 ? {} : { masters: flags.masters }),
    ...(flags.clusterName === undefined ? {} : { clusterName: flags.clusterName }),
    config: flags.config,
    ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
  });
  const description = [mesos && `${mesos.api === "state" ? "mesos" : "operator"} ${mesos.bases.join(",")}`, marathon && `marathon ${marathon.join(",")}`].filter(Boolean).join(" + ");
  // The operator API's masters also stream their changes (SUBSCRIBE): push for every framework.
  const mesosEvents = mesos?.api === "operator" ? [...mesos.bases] : undefined;
  return { cluster, ...(marathon === undefined ? {} : { marathon }), ...(mesosEvents === undefined ? {} : { mesosEvents }), description };
}
