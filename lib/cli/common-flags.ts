/**
 * @module
 * Flags several commands share, defined once so their help and checks read the same
 * everywhere: the live cluster (`agent`, `source`), the config file, the masters, timing and
 * the log level.
 */
import type { LogLevel } from "../agent/log.ts";
import { DEFAULT_CONFIG } from "./config-input.ts";
import type { FlagSpec } from "./flags.ts";

/** The log levels, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const satisfies readonly LogLevel[];

export const LOG_LEVEL_FLAG = {
  type: "string",
  value: "LEVEL",
  choices: LOG_LEVELS,
  default: "info",
  description: "the least severe log line written (JSON lines on stderr)",
} as const satisfies FlagSpec;

export const CONFIG_FLAG = {
  type: "string",
  value: "F",
  defaultNote: `${DEFAULT_CONFIG} in the working directory if there is one, else the built-in DC/OS defaults`,
  description: "the wayfinder.yaml to read (a file, not a URL)",
} as const satisfies FlagSpec;

export const MASTER_FLAG = {
  type: "string",
  value: "HOST:PORT",
  repeatable: true,
  description:
    "a Mesos master, for the master DNS records, in place of the list the input gives (the operator API gives none); for an operator-API file, the first is also taken as the leader",
} as const satisfies FlagSpec;

export const CLUSTER_NAME_FLAG = {
  type: "string",
  value: "NAME",
  defaultNote: "the Mesos cluster name, else 'default'",
  description: "the cluster's name in the snapshot",
} as const satisfies FlagSpec;

/** `--mesos`, `--operator`, `--marathon`, `--master`, `--cluster-name`: reading the live cluster. */
export const LIVE_CLUSTER_FLAGS = {
  mesos: {
    type: "string",
    value: "URLS",
    description: "the Mesos masters' /master/state: comma-separated base URLs, tried in order, the leader followed",
  },
  operator: {
    type: "string",
    value: "URLS",
    description: "the Mesos masters' operator API instead of /master/state, with its SUBSCRIBE stream for pushed changes",
  },
  marathon: {
    type: "string",
    value: "URLS",
    description: "Marathon's base URLs: its apps (for HAProxy) and its event stream (for pushed changes)",
  },
  master: MASTER_FLAG,
  "cluster-name": CLUSTER_NAME_FLAG,
} as const satisfies Record<string, FlagSpec>;

export const EVENT_TIMEOUT_FLAG = {
  type: "string",
  value: "S",
  default: "60",
  description: "seconds an event stream may stay silent before it is reconnected (marathon-lb#238)",
} as const satisfies FlagSpec;

export const TIMEOUT_FLAG = {
  type: "string",
  value: "S",
  default: "10",
  description: "seconds one HTTP request to the cluster may take",
} as const satisfies FlagSpec;
