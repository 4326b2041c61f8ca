/**
 * @module
 * `wayfinder snapshot`'s flags and their parsing into `SnapshotOptions` (the wiring, which
 * reads files and URLs and resolves names, is in `snapshot.ts`).
 */
import { z } from "zod";
import { splitHostPort } from "../../net/host-port.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { isUrlList } from "../../sources/endpoints.ts";
import { CLUSTER_NAME_FLAG, CONFIG_FLAG, MASTER_FLAG, TIMEOUT_FLAG } from "../common-flags.ts";
import { seconds } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

const URLS_NOTE = "a file, or comma-separated base URLs tried in order";

export const SNAPSHOT_COMMAND = {
  name: "snapshot",
  summary: "build a ClusterSnapshot from Mesos, operator-API and Marathon payloads",
  synopsis: [
    "snapshot (--mesos-state F|URLS | --operator-state F|URLS) [--marathon-apps F|URLS] [flags]",
    "snapshot --marathon-apps F|URLS [flags]",
    "snapshot --empty [flags]",
  ],
  flags: {
    "mesos-state": { type: "string", value: "F|URLS", description: `Mesos /master/state: ${URLS_NOTE} (the leader is followed)` },
    "operator-state": {
      type: "string",
      value: "F|URLS",
      description: `the Mesos operator API (GET_STATE, or a SUBSCRIBE stream): ${URLS_NOTE}; it names no masters, so give --master`,
    },
    "marathon-apps": { type: "string", value: "F|URLS", description: `Marathon /v2/apps?embed=apps.tasks: ${URLS_NOTE}` },
    empty: {
      type: "boolean",
      description: "write a cluster with no agents, frameworks, tasks or apps (only the config and previous allocations) instead of requiring an input",
    },
    config: CONFIG_FLAG,
    previous: {
      type: "string",
      value: "F",
      description: "a previous DesiredState (or allocations file) whose overlay and VIP allocations the snapshot keeps",
    },
    "overlay-release": {
      type: "string",
      value: "IP",
      repeatable: true,
      description: "release the overlay allocations of the node with this underlay IPv4 (a node that is gone for good)",
    },
    "cluster-name": CLUSTER_NAME_FLAG,
    master: MASTER_FLAG,
    now: { type: "string", value: "ISO", defaultNote: "the current time", description: "the snapshot's time, ISO 8601 with a zone (2026-01-01T00:00:00Z)" },
    output: { type: "string", value: "F", short: "o", defaultNote: "stdout", description: "the file to write (replaced atomically, only once everything was read and checked)" },
    timeout: TIMEOUT_FLAG,
  },
  notes: [
    "On success a one-line summary (agents, frameworks, tasks, apps, output) goes to stderr.",
    "exit codes: 0 written; 1 a live source did not answer; 2 usage, or an input that cannot be read or is invalid (the file and JSON path are named, nothing is written).",
  ],
} as const satisfies CommandSpec;

/** Where the Mesos part comes from: a file or a URL list, of `/master/state` or the operator API. */
export interface MesosInput {
  api: "state" | "operator";
  flag: "--mesos-state" | "--operator-state";
  /** A file path or a URL list, as given. */
  text: string;
}

export interface SnapshotOptions {
  mesos?: MesosInput;
  marathonApps?: string;
  /** True for `--empty`: no input is read. */
  empty: boolean;
  configPath?: string;
  previousPath?: string;
  /** IPv4 addresses, normalised. */
  overlayRelease: string[];
  clusterName?: string;
  /** `--master` entries split, hostnames not yet resolved. */
  masters: { host: string; port: number }[];
  /** Absent: the time the snapshot is taken. */
  now?: string;
  output?: string;
  timeoutMs: number;
}

const IsoTime = z.iso.datetime({ offset: true });

/**
 * @example parseSnapshotOptions(["--operator-state", "state.json", "--master", "10.0.0.1:5050", "-o", "snap.json"])
 * // { mesos: { api: "operator", flag: "--operator-state", text: "state.json" }, masters: [{ host: "10.0.0.1", port: 5050 }], output: "snap.json", ... }
 */
export function parseSnapshotOptions(args: readonly string[]): SnapshotOptions {
  const { values, positionals } = parseFlags(SNAPSHOT_COMMAND, args);
  const fail = (message: string) => usageError("snapshot", message);
  if (positionals.length > 0) throw fail(`unexpected argument '${positionals[0]}' (inputs are given with flags)`);
  for (const flag of ["config", "previous"] as const) {
    if (isUrlList(values[flag] ?? "")) throw fail(`--${flag}: give a file; only --mesos-state, --operator-state and --marathon-apps read URLs`);
  }
  const timeout = seconds("snapshot", "--timeout", values.timeout, { positive: true });
  if (values["mesos-state"] !== undefined && values["operator-state"] !== undefined) throw fail("give either --mesos-state or --operator-state, not both");
  if (values.now !== undefined && !IsoTime.safeParse(values.now).success) {
    throw fail(`--now: '${values.now}' is not an ISO 8601 time with a zone (2026-01-01T00:00:00Z)`);
  }
  const masters = values.master.map((entry) => {
    const hostPort = splitHostPort(entry);
    if (hostPort === undefined || hostPort.host === "") throw fail(`--master: '${entry}' is not host:port (e.g. 10.0.0.1:5050)`);
    return hostPort;
  });
  const overlayRelease = values["overlay-release"].map((ip) => {
    const parsed = parseIp(ip);
    if (parsed?.family !== 4) throw fail(`--overlay-release: '${ip}' is not an IPv4 address (overlay nodes are keyed by their underlay IPv4)`);
    return parsed.address;
  });
  const mesos: MesosInput | undefined =
    values["mesos-state"] !== undefined
      ? { api: "state", flag: "--mesos-state", text: values["mesos-state"] }
      : values["operator-state"] !== undefined
        ? { api: "operator", flag: "--operator-state", text: values["operator-state"] }
        : undefined;
  const hasInput = mesos !== undefined || values["marathon-apps"] !== undefined;
  if (values.empty && hasInput) throw fail("--empty reads no input: leave out --mesos-state, --operator-state and --marathon-apps, or --empty");
  if (!values.empty && !hasInput) {
    throw fail("no cluster to read: give --mesos-state, --operator-state or --marathon-apps (files or URLs), or --empty for a cluster with nothing in it");
  }
  return {
    ...(mesos === undefined ? {} : { mesos }),
    ...(values["marathon-apps"] === undefined ? {} : { marathonApps: values["marathon-apps"] }),
    empty: values.empty,
    ...(values.config === undefined ? {} : { configPath: values.config }),
    ...(values.previous === undefined ? {} : { previousPath: values.previous }),
    overlayRelease,
    ...(values["cluster-name"] === undefined ? {} : { clusterName: values["cluster-name"] }),
    masters,
    ...(values.now === undefined ? {} : { now: values.now }),
    ...(values.output === undefined ? {} : { output: values.output }),
    timeoutMs: timeout * 1000,
  };
}
