/**
 * @module
 * `wayfinder agent`'s flags and their parsing into `AgentOptions`, a plain value with every
 * default filled in and every flag checked (CoreDNS's `parse`; the wiring is in `agent.ts`).
 * Where the desired state comes from (`--source`, or the live cluster) is checked when the feed
 * is built, by the same code the feeds use.
 */
import { resolve } from "node:path";
import type { FeedFlags } from "../../agent/feeds/from-flags.ts";
import type { LogLevel } from "../../agent/log.ts";
import { APPLIERS, type ApplierName } from "../../executor/registry.ts";
import { L4_BACKENDS, type L4BackendChoice } from "../../executor/l4lb/l4-backend.ts";
import { parseListenAddress, type ListenAddress } from "../../net/listen-address.ts";
import { CONFIG_FLAG, EVENT_TIMEOUT_FLAG, LIVE_CLUSTER_FLAGS, LOG_LEVEL_FLAG, TIMEOUT_FLAG } from "../common-flags.ts";
import { checked, seconds } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

const APPLIER_NAMES: readonly string[] = APPLIERS.map((a) => a.name);

/** The agent's command: synopsis, flags and notes (the systemd unit's command line is checked against the flags). */
export const AGENT_COMMAND = {
  name: "agent",
  summary: "the on-node executor: follow a desired state and apply it",
  synopsis: ["agent --node ID (--source URL|FILE | --mesos URLS | --operator URLS | --marathon URLS) [flags]"],
  flags: {
    node: { type: "string", value: "ID", description: "the Mesos agent id this node runs as (required)" },
    source: {
      type: "string",
      value: "URL|FILE",
      description:
        "the control plane's cluster URL (http://HOST:PORT/v1/clusters/NAME), long-polled for this node's view and told the node's status after every sync, or a snapshot or desired-state file, followed",
    },
    ...LIVE_CLUSTER_FLAGS,
    config: { ...CONFIG_FLAG, description: "the wayfinder.yaml of a live cluster (with --mesos, --operator or --marathon)" },
    apply: {
      type: "string",
      value: "LIST",
      defaultNote: "all, in this order",
      description: `the appliers to run, comma-separated: ${APPLIER_NAMES.join(", ")}`,
    },
    "dry-run": { type: "boolean", description: "print what each applier would add, change and delete, and change nothing" },
    once: { type: "boolean", description: "sync once and exit: 0 when the node then runs the desired state, 1 otherwise" },
    "state-dir": {
      type: "string",
      value: "DIR",
      default: "/var/lib/wayfinder",
      description: "where the agent remembers the last desired state it accepted and keeps the files it installs",
    },
    metrics: { type: "string", value: "IP:PORT", defaultNote: "off", description: "serve GET /metrics (Prometheus) and GET /healthz here" },
    "l4-backend": {
      type: "string",
      value: "BACKEND",
      choices: L4_BACKENDS,
      default: "auto",
      description: "what programs the VIPs: auto takes IPVS where the kernel has it, else nftables",
    },
    netns: { type: "string", value: "NAME", description: "program this network namespace instead of the agent's own" },
    "haproxy-groups": {
      type: "string",
      value: "LIST",
      defaultNote: "every group placed on this node",
      description: "run HAProxy only for these LB groups, comma-separated, of those the control plane places on this node (haproxy.placement); a group not placed here is not run",
    },
    "cni-dir": { type: "string", value: "DIR", defaultNote: "the config's overlay.cni.dir", description: "install the CNI configs here" },
    "poll-interval": {
      type: "string",
      value: "S",
      defaultNote: "2 against a control plane that does not long-poll, 1 for a file, 30 for the live cluster",
      description: "seconds between polls of the source",
    },
    "resync-interval": {
      type: "string",
      value: "S",
      default: "60",
      description: "seconds between re-applies of the current desired state, which repair what changed on the node (0: never)",
    },
    "event-timeout": EVENT_TIMEOUT_FLAG,
    timeout: TIMEOUT_FLAG,
    "log-level": LOG_LEVEL_FLAG,
  },
  notes: [
    "It resumes from the state it remembers (applying it again changes nothing the node still runs, so a restart flushes nothing), then applies every new desired state; a failing applier keeps its last good state and is retried with backoff. SIGINT or SIGTERM stop it after the apply in progress, leaving the data plane as it is.",
    "environment: WAYFINDER_TOKEN is sent to the control plane as a bearer token.",
    "exit codes: 0 stopped by a signal, or (--once, --dry-run) the node runs or would run the desired state; 1 it does not, or the metrics address cannot be bound; 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

/** What `wayfinder agent` was asked to do: every flag checked and every default filled in. */
export interface AgentOptions {
  node: string;
  /**
   * Where the desired state comes from, as given (checked when the feed is built); seconds, a
   * `pollInterval` left out takes the feed's own default.
   */
  feed: Pick<FeedFlags, "source" | "mesos" | "operator" | "marathon" | "masters" | "clusterName" | "pollInterval"> & { timeout: number; eventTimeout: number };
  configPath?: string;
  /** The appliers to run, in registry order; absent: all of them. */
  appliers?: ApplierName[];
  /** `daemon` follows the source until a signal; `once` syncs once; `dry-run` only plans. */
  mode: "daemon" | "once" | "dry-run";
  /** Absolute. */
  stateDir: string;
  metrics?: ListenAddress;
  l4Backend: L4BackendChoice;
  netns?: string;
  /** `--haproxy-groups`: the LB groups HAProxy may run, of those placed on the node. */
  haproxyGroups?: string[];
  /** Absolute. */
  cniDir?: string;
  resyncIntervalMs: number;
  logLevel: LogLevel;
}

/**
 * @example parseAgentOptions(["--node", "S1", "--source", "snap.json", "--once"], "/srv")
 * // { node: "S1", feed: { source: "snap.json", timeout: 10, eventTimeout: 60 }, mode: "once", stateDir: "/var/lib/wayfinder", ... }
 */
export function parseAgentOptions(args: readonly string[], cwd: string): AgentOptions {
  const { values, positionals } = parseFlags(AGENT_COMMAND, args);
  const fail = (message: string) => usageError("agent", message);
  if (positionals.length > 0) throw fail(`unexpected argument '${positionals[0]}'`);
  if (values.node === undefined || values.node === "") throw fail("--node ID is required (the Mesos agent id this node runs as)");
  if (values["dry-run"] && values.once) throw fail("give --dry-run or --once, not both");
  const secondsOf = (flag: "poll-interval" | "resync-interval" | "event-timeout" | "timeout", text: string) => seconds("agent", `--${flag}`, text);
  return {
    node: values.node,
    feed: {
      ...definedOnly({ source: values.source, mesos: values.mesos, operator: values.operator, marathon: values.marathon, clusterName: values["cluster-name"] }),
      ...(values.master.length === 0 ? {} : { masters: values.master }),
      ...(values["poll-interval"] === undefined ? {} : { pollInterval: secondsOf("poll-interval", values["poll-interval"]) }),
      timeout: secondsOf("timeout", values.timeout),
      eventTimeout: secondsOf("event-timeout", values["event-timeout"]),
    },
    ...(values.config === undefined ? {} : { configPath: values.config }),
    ...(values.apply === undefined ? {} : { appliers: applierList(values.apply) }),
    mode: values["dry-run"] ? "dry-run" : values.once ? "once" : "daemon",
    stateDir: resolve(cwd, values["state-dir"]),
    ...(values.metrics === undefined ? {} : { metrics: checked("agent", () => parseListenAddress(values.metrics!)) }),
    l4Backend: values["l4-backend"] as L4BackendChoice,
    ...(values.netns === undefined ? {} : { netns: values.netns }),
    ...(values["haproxy-groups"] === undefined ? {} : { haproxyGroups: groupList(values["haproxy-groups"]) }),
    ...(values["cni-dir"] === undefined ? {} : { cniDir: resolve(cwd, values["cni-dir"]) }),
    resyncIntervalMs: secondsOf("resync-interval", values["resync-interval"]) * 1000,
    logLevel: values["log-level"] as LogLevel,
  };
}

/** `--apply dns,files`: known names only, in registry order whatever order they were given in. */
function applierList(text: string): ApplierName[] {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw usageError("agent", "--apply: name at least one applier (or leave --apply out to run them all)");
  const unknown = names.filter((name) => !APPLIER_NAMES.includes(name));
  if (unknown.length > 0) {
    throw usageError("agent", `--apply: unknown applier ${unknown.map((n) => `'${n}'`).join(", ")} (known: ${APPLIER_NAMES.join(", ")})`);
  }
  return APPLIERS.map((a) => a.name).filter((name) => names.includes(name));
}

/** `--haproxy-groups external,internal`: names as `haproxy.groups` spells them, each once. */
function groupList(text: string): string[] {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw usageError("agent", "--haproxy-groups: name at least one LB group (or leave the flag out to run every group placed on this node)");
  const bad = names.find((name) => !/^(?:\*|[A-Za-z0-9][A-Za-z0-9_.-]*)$/.test(name));
  if (bad !== undefined) throw usageError("agent", `--haproxy-groups: '${bad}' is not an LB group name (letters, digits, '_', '.', '-', or '*')`);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw usageError("agent", `--haproxy-groups: '${repeated}' is named twice`);
  return names;
}

/** The entries of `record` that are defined. */
function definedOnly<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}
