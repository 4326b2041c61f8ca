/**
 * @module
 * A ClusterSnapshot read from the live cluster: the Mesos masters (`/master/state` or the
 * operator API) and Marathon, fetched in parallel, then run through the same pure adapters as
 * `wayfinder snapshot` on files. Any source failing fails the whole read: a snapshot missing
 * Marathon's apps would withdraw every HAProxy backend, so the caller keeps the last good one
 * instead (Mesos-DNS kept its previous records on any error).
 */
import type { Config } from "../snapshot/config.ts";
import { buildSnapshot, type MesosSource } from "../snapshot/build.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../snapshot/schema.ts";
import type { MarathonApp } from "../snapshot/marathon.ts";
import { snapshotFromMesosState } from "../snapshot/adapters/mesos-state.ts";
import { fromOperatorState } from "../snapshot/adapters/operator-state.ts";
import { MarathonApi } from "./marathon-api.ts";
import { MesosMasters, type MesosApi } from "./mesos-masters.ts";
import { withResolvedHosts } from "./resolve-hosts.ts";

export interface LiveClusterOptions {
  /** Mesos masters (base URLs, presumed leader first) and which API to read. */
  mesos?: { api: MesosApi; bases: readonly string[] };
  /** Marathon instances (base URLs). */
  marathon?: { bases: readonly string[] };
  /** The snapshot's `masters` (`ip:port`); default: the leader alone. */
  masters?: readonly string[];
  /** Default: the state's `cluster` field, else `default`. */
  clusterName?: string;
  config: Config;
  /** Per request. Default 10 000 ms. */
  timeoutMs?: number;
}

export interface LiveRead {
  /** Time of the read, ISO 8601 (the snapshot's `now`). */
  now: string;
  previous: PreviousAllocations;
  signal?: AbortSignal;
}

/**
 * @example
 * const live = new LiveCluster({ mesos: { api: "state", bases: ["http://10.0.0.1:5050"] }, config });
 * const snapshot = await live.snapshot({ now: new Date().toISOString(), previous: {} });
 */
export class LiveCluster {
  readonly #opts: LiveClusterOptions;
  readonly #masters: MesosMasters | undefined;
  readonly #marathon: MarathonApi | undefined;

  constructor(options: LiveClusterOptions) {
    if (options.mesos === undefined && options.marathon === undefined) throw new Error("LiveCluster: give Mesos masters, Marathon, or both");
    this.#opts = options;
    const request = { timeoutMs: options.timeoutMs };
    this.#masters = options.mesos && new MesosMasters(options.mesos.bases, { api: options.mesos.api, ...request });
    this.#marathon = options.marathon && new MarathonApi(options.marathon.bases, request);
  }

  /** Reads every source and builds the snapshot; throws `SourceError` or `InputError` naming the source. */
  async snapshot(read: LiveRead): Promise<ClusterSnapshot> {
    const [mesos, marathonApps] = await Promise.all([this.#readMesos(read.signal), this.#readMarathon(read.signal)]);
    return buildSnapshot({
      clusterName: this.#opts.clusterName ?? mesos?.clusterName ?? "default",
      now: read.now,
      mesos: mesos?.part,
      marathonApps,
      config: this.#opts.config,
      previous: read.previous,
    });
  }

  async #readMesos(signal?: AbortSignal): Promise<MesosPartRead | undefined> {
    if (this.#masters === undefined) return undefined;
    return readMesosPart(this.#masters, { ...(this.#opts.masters === undefined ? {} : { masters: this.#opts.masters }), ...(signal === undefined ? {} : { signal }) });
  }

  async #readMarathon(signal?: AbortSignal): Promise<MarathonApp[]> {
    return this.#marathon === undefined ? [] : this.#marathon.apps(signal);
  }
}

/** The Mesos part of a snapshot as read from the masters, with the cluster name `/master/state` carries. */
export interface MesosPartRead {
  part: MesosSource;
  clusterName?: string;
}

/**
 * Reads the masters and runs the matching pure adapter, hostnames resolved.
 * @example const { part } = await readMesosPart(new MesosMasters(["http://10.0.0.1:5050"], { api: "state" }));
 */
export async function readMesosPart(masters: MesosMasters, options: { masters?: readonly string[]; signal?: AbortSignal } = {}): Promise<MesosPartRead> {
  const read = await masters.read(options.signal);
  const list = options.masters === undefined ? undefined : [...options.masters];
  if (read.api === "operator") {
    const part = await withResolvedHosts((resolveHost) => fromOperatorState(read.document, { source: read.url, resolveHost, leader: read.leader, masters: list ?? [] }));
    return { part };
  }
  const part = await withResolvedHosts((resolveHost) => snapshotFromMesosState(read.document, { source: read.url, resolveHost, masters: list }));
  const cluster = (read.document as { cluster?: unknown }).cluster;
  return typeof cluster === "string" && cluster !== "" ? { part, clusterName: cluster } : { part };
}
