/**
 * @module
 * `wayfinder agent --node ID (--source URL|FILE | --mesos URLS [--marathon URLS]) [--apply LIST]
 * [--dry-run] [--once] [--state-dir DIR] [--metrics IP:PORT] [--l4-backend B] [--netns NAME]
 * [--cni-dir DIR]`: the on-node executor as a daemon. `--netns` points the kernel appliers at a
 * network namespace instead of the agent's own.
 * It resumes from the state it remembers (applying it again changes nothing the node still
 * runs, so a restart flushes nothing), then follows its feed and applies every new desired
 * state; failures are retried with backoff while the node keeps its last good state. SIGINT or
 * SIGTERM stop it after the apply in progress, leaving the data plane as it is.
 *
 * `--dry-run` prints what each applier would add, change and delete, and touches nothing.
 * `--once` syncs once and exits 0 when the node runs the desired state, 1 otherwise.
 */
import { resolve } from "node:path";
import type { DesiredState } from "../../desired/schema.ts";
import { applyDesired, type ApplyReport } from "../../executor/apply-desired.ts";
import { applierRequirements, createAppliers } from "../../executor/registry.ts";
import { renderArtifacts } from "../../render/artifacts.ts";
import { L4_BACKENDS, type L4BackendChoice } from "../../executor/l4lb/l4-backend.ts";
import { InputError } from "../../snapshot/issues.ts";
import { EndpointError } from "../../sources/endpoints.ts";
import { agentMetrics } from "../../agent/agent-metrics.ts";
import { AgentStateStore } from "../../agent/agent-state.ts";
import { feedFromFlags } from "../../agent/feeds/from-flags.ts";
import type { DesiredFeed, FeedSink, Fetched } from "../../agent/feeds/feed.ts";
import { jsonLogger, type Logger, type LogLevel } from "../../agent/log.ts";
import { serveMetrics, type MetricsServer } from "../../agent/metrics-server.ts";
import { terminalProgress } from "../../agent/progress.ts";
import { Syncer } from "../../agent/syncer.ts";
import { StatusReporter, statusUrl } from "../../agent/status-reporter.ts";
import type { NodeStatusReport } from "../../store/node-status.ts";
import { parseListenAddress } from "../../http/node-server.ts";
import { parseFlags } from "../args.ts";
import { readConfig } from "../config-input.ts";
import { nextSignal } from "../signals.ts";
import { CliUsageError, type CliIo } from "../io.ts";

/** The agent's flags (exported so the systemd unit's command line can be checked against them). */
export const FLAGS = {
  node: { type: "string" },
  source: { type: "string" },
  mesos: { type: "string" },
  operator: { type: "string" },
  marathon: { type: "string" },
  master: { type: "string", multiple: true },
  "cluster-name": { type: "string" },
  config: { type: "string" },
  apply: { type: "string" },
  "dry-run": { type: "boolean" },
  once: { type: "boolean" },
  "state-dir": { type: "string", default: "/var/lib/wayfinder" },
  metrics: { type: "string" },
  "l4-backend": { type: "string", default: "auto" },
  netns: { type: "string" },
  "cni-dir": { type: "string" },
  "poll-interval": { type: "string" },
  "resync-interval": { type: "string", default: "60" },
  "event-timeout": { type: "string" },
  timeout: { type: "string" },
  "log-level": { type: "string", default: "info" },
} as const;

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Hooks for tests: the stop signal and where the progress line goes. */
export interface AgentRuntime {
  /** Resolves with the reason to stop. Default: the first SIGINT or SIGTERM. */
  stopSignal?: Promise<string>;
  env?: NodeJS.ProcessEnv;
  tty?: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * @example await run(["--node", "S1", "--source", "http://cp:8080/v1/clusters/prod", "--apply", "files"], processIo)
 */
export async function run(args: string[], io: CliIo, runtime: AgentRuntime = {}): Promise<number> {
  const { values, positionals } = parseFlags("agent", args, FLAGS);
  if (positionals.length > 0) throw usage(`unexpected argument '${positionals[0]}'`);
  const node = values.node;
  if (node === undefined || node === "") throw usage("--node ID is required (the Mesos agent id this node runs as)");
  const level = values["log-level"] as LogLevel;
  if (!LEVELS.includes(level)) throw usage(`--log-level must be one of ${LEVELS.join(", ")}`);
  const seconds = (flag: keyof typeof values) => {
    const text = values[flag] as string | undefined;
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!(n >= 0) || text.trim() === "") throw usage(`--${flag}: '${text}' is not a number of seconds`);
    return n;
  };
  const stateDir = resolve(io.cwd, values["state-dir"]);
  const only = values.apply === undefined ? undefined : values.apply.split(",").map((s) => s.trim()).filter(Boolean);
  if (only?.length === 0) throw usage("--apply: name at least one applier (or leave --apply out to run them all)");
  const l4Backend = values["l4-backend"];
  if (!(L4_BACKENDS as readonly string[]).includes(l4Backend)) throw usage(`--l4-backend must be one of ${L4_BACKENDS.join(", ")}, not '${l4Backend}'`);
  const context = {
    stateDir,
    renderFiles: renderArtifacts,
    l4Backend: l4Backend as L4BackendChoice,
    ...(values.netns === undefined ? {} : { netns: values.netns }),
    ...(values["cni-dir"] === undefined ? {} : { cniDir: resolve(io.cwd, values["cni-dir"]) }),
  };
  const appliers = guard(() => createAppliers(context, only));
  const requires = applierRequirements();
  const metricsAddress = values.metrics === undefined ? undefined : guard(() => parseListenAddress(values.metrics!));
  const tty = runtime.tty ?? process.stderr;
  const progress = terminalProgress(tty);
  const log = jsonLogger({ write: (line) => (tty.isTTY === true ? progress.write(line) : io.stderr(line)), level });

  const stateStore = new AgentStateStore(stateDir);
  const remembered = values["dry-run"] ? {} : await stateStore.load(node);
  if (remembered.problem !== undefined) log.warn("ignoring the remembered state", { problem: remembered.problem });

  const env = runtime.env ?? process.env;
  const feed = await guardAsync(() =>
    feedFromFlags({
      node,
      ...pick({ source: values.source, mesos: values.mesos, operator: values.operator, marathon: values.marathon, clusterName: values["cluster-name"] }),
      ...(values.master === undefined ? {} : { masters: values.master }),
      ...pick({ pollInterval: seconds("poll-interval"), timeout: seconds("timeout"), eventTimeout: seconds("event-timeout") }),
      ...(env.WAYFINDER_TOKEN ? { token: env.WAYFINDER_TOKEN } : {}),
      config: () => configOrUsage(values.config, io),
      ...(remembered.state === undefined ? {} : { last: remembered.state.desired }),
      resolvePath: (path) => resolve(io.cwd, path),
    }),
  );

  if (values["dry-run"]) return dryRun(feed, appliers, requires, io);

  const metrics = agentMetrics();
  const reportTo = values.source === undefined ? undefined : statusUrl(values.source, node);
  const token = env.WAYFINDER_TOKEN ? env.WAYFINDER_TOKEN : undefined;
  const reporter = reportTo === undefined ? undefined : new StatusReporter({ url: reportTo, ...(token === undefined ? {} : { token }), log, reports: metrics.statusReports });
  const syncer = new Syncer({
    node,
    appliers,
    requires,
    stateStore,
    metrics,
    log,
    progress,
    resyncIntervalMs: (seconds("resync-interval") ?? 60) * 1000,
    ...(reporter === undefined ? {} : { onSynced: (status: NodeStatusReport) => reporter.report(status) }),
  });
  log.info("wayfinder agent starting", { node, source: feed.description, appliers: appliers.map((a) => a.name), stateDir, ...(reportTo === undefined ? {} : { statusTo: reportTo }) });
  if (env.WAYFINDER_TOKEN && sendsTokenInClear(values.source)) {
    log.warn("the bearer token goes to the control plane unencrypted; use https:// outside a trusted network", { source: values.source });
  }
  if (remembered.state !== undefined) {
    log.info("resuming from the remembered desired state", { hash: remembered.state.desired.hash, appliedHash: remembered.state.appliedHash });
    syncer.resume(remembered.state.desired, remembered.state.appliedHash);
  }

  if (values.once) {
    const code = await once(feed, syncer, log);
    await reporter?.idle();
    return code;
  }

  let server: MetricsServer | undefined;
  if (metricsAddress !== undefined) {
    try {
      server = await serveMetrics(metricsAddress, metrics, () => syncer.status);
      log.info("metrics and health endpoint listening", { url: server.url });
    } catch (error) {
      io.stderr(`wayfinder agent: cannot listen on ${values.metrics}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      await syncer.stop();
      return 1;
    }
  }

  const controller = new AbortController();
  const sink: FeedSink = {
    desired: (desired, delivery) => syncer.offer(desired, delivery.requestedAt, delivery.generation),
    error: (error, kind) => {
      metrics.sourceErrors.inc({ kind });
      log.error(kind === "invalid" ? "desired state rejected; keeping the last good one" : "cannot read the desired state; keeping the last good one", { source: feed.description, error });
    },
    note: (what, fields) => {
      if (what === "event stream event") metrics.sourceEvents.inc({ type: String(fields.detail) });
      if (what === "event stream disconnected") metrics.streamDisconnects.inc({ kind: String(fields.detail).startsWith("silent") ? "silent" : "other" });
      if (what === "event stream event") log.debug(what, fields);
      else log.info(what, fields);
    },
  };
  const watching = feed.watch(sink, controller.signal, remembered.state?.desired.hash);
  const reason = await (runtime.stopSignal ?? nextSignal());
  log.info("stopping: finishing the sync in progress; the data plane stays as it is", { reason });
  controller.abort();
  await watching;
  await syncer.stop();
  await reporter?.idle();
  await server?.close();
  log.info("wayfinder agent stopped", { appliedHash: syncer.status.appliedHash ?? null });
  return 0;
}

async function once(feed: DesiredFeed, syncer: Syncer, log: Logger): Promise<number> {
  let fetched: Fetched;
  try {
    fetched = await feed.fetch();
  } catch (error) {
    log.error("cannot get the desired state", { source: feed.description, error: error as Error });
    await syncer.idle();
    await syncer.stop();
    return 1;
  }
  syncer.offer(fetched.desired, undefined, fetched.generation);
  await syncer.idle();
  await syncer.stop();
  const status = syncer.status;
  return status.appliedHash === fetched.desired.hash ? 0 : 1;
}

async function dryRun(feed: DesiredFeed, appliers: ReturnType<typeof createAppliers>, requires: Record<string, readonly string[]>, io: CliIo): Promise<number> {
  let desired: DesiredState;
  try {
    desired = (await feed.fetch()).desired;
  } catch (error) {
    io.stderr(`wayfinder agent --dry-run: ${(error as Error).message}\n`);
    return 1;
  }
  const report = await applyDesired(desired, appliers, { dryRun: true, requires });
  io.stdout(planText(desired, report));
  return report.ok ? 0 : 1;
}

/**
 * The dry-run report: per applier, what it would add (+), change (~) and delete (-).
 * @example planText(desired, report) // "desired 9f86d081 (node S1)\nfiles: 2 to add, 0 to change, 1 to delete\n  + dns/mesos.zone\n..."
 */
export function planText(desired: DesiredState, report: ApplyReport): string {
  const lines = [`desired ${desired.hash.slice(0, 16)}${desired.node === undefined ? "" : ` (node ${desired.node})`}: dry run, nothing is changed`];
  for (const result of report.appliers) {
    if (result.status === "unchanged") lines.push(`${result.name}: up to date`);
    else if (result.status === "failed") lines.push(`${result.name}: cannot plan (${result.stage}): ${result.error}`);
    else if (result.status === "held") lines.push(`${result.name}: held: ${result.reason}`);
    else {
      const { adds, changes, deletes } = result.plan;
      lines.push(`${result.name}: ${adds.length} to add, ${changes.length} to change, ${deletes.length} to delete`);
      for (const key of adds) lines.push(`  + ${key}`);
      for (const key of changes) lines.push(`  ~ ${key}`);
      for (const key of deletes) lines.push(`  - ${key}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

async function configOrUsage(path: string | undefined, io: CliIo) {
  try {
    return await readConfig(path, io);
  } catch (error) {
    if (error instanceof InputError) throw usage(error.message);
    throw error;
  }
}

/** True for an `http://` source that is not on loopback. */
function sendsTokenInClear(source: string | undefined): boolean {
  if (source === undefined || !/^http:\/\//i.test(source)) return false;
  const host = new URL(source).hostname;
  return !(host === "localhost" || host === "[::1]" || host.startsWith("127."));
}

function usage(message: string): CliUsageError {
  return new CliUsageError(`wayfinder agent: ${message}`);
}

/** Flag-parsing errors (unknown applier, bad URL, bad address) as usage errors. */
function guard<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw usage((error as Error).message);
  }
}

async function guardAsync<T>(parse: () => Promise<T>): Promise<T> {
  try {
    return await parse();
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    if (error instanceof EndpointError || error instanceof InputError || error instanceof Error) throw usage(error.message);
    throw error;
  }
}

/** The entries of `record` that are defined (for exactOptionalPropertyTypes-style spreads). */
function pick<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
