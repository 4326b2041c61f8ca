/**
 * @module
 * `wayfinder agent`: the on-node executor as a daemon, wired together from `AgentOptions`
 * (parsed in `agent-options.ts`). It resumes from the state it remembers (applying it again
 * changes nothing the node still runs, so a restart flushes nothing), then follows its feed and
 * applies every new desired state; failures are retried with backoff while the node keeps its
 * last good state. SIGINT or SIGTERM stop it after the apply in progress, leaving the data
 * plane as it is.
 *
 * `--dry-run` prints what each applier would add, change and delete, and touches nothing.
 * `--once` syncs once and exits 0 when the node runs the desired state, 1 otherwise.
 */
import { resolve } from "node:path";
import type { DesiredState } from "../../desired/schema.ts";
import { applyDesired, type ApplyReport } from "../../executor/apply-desired.ts";
import { applierRequirements, createAppliers } from "../../executor/registry.ts";
import { renderArtifacts } from "../../render/artifacts.ts";
import { agentMetrics, type AgentMetrics } from "../../agent/agent-metrics.ts";
import { collectPolicyCounters } from "../../agent/policy-metrics.ts";
import { AgentStateStore } from "../../agent/agent-state.ts";
import { feedFromFlags } from "../../agent/feeds/from-flags.ts";
import type { DesiredFeed, FeedSink, Fetched } from "../../agent/feeds/feed.ts";
import { jsonLogger, type Logger } from "../../agent/log.ts";
import { serveMetrics, type MetricsServer } from "../../agent/metrics-server.ts";
import { formatListenAddress } from "../../net/listen-address.ts";
import { terminalProgress } from "../../agent/progress.ts";
import { Syncer } from "../../agent/syncer.ts";
import { StatusReporter, statusUrl } from "../../agent/status-reporter.ts";
import type { NodeStatusReport } from "../../store/node-status.ts";
import { readConfig } from "../config-input.ts";
import { checked } from "../flag-values.ts";
import { usageError } from "../flags.ts";
import { nextSignal } from "../signals.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { parseAgentOptions, type AgentOptions } from "./agent-options.ts";

/** Hooks for tests: the stop signal and where the progress line goes. */
export interface AgentRuntime {
  /** Resolves with the reason to stop. Default: the first SIGINT or SIGTERM. */
  stopSignal?: Promise<string>;
  env?: NodeJS.ProcessEnv;
  tty?: { isTTY?: boolean; write(text: string): unknown };
}

/**
 * @example await run(["--node", "S1", "--source", "http://cp:8080/v1/clusters/prod", "--apply", "files"], processIo())
 */
export async function run(args: string[], io: CliIo, runtime: AgentRuntime = {}): Promise<number> {
  return runAgent(parseAgentOptions(args, io.cwd), io, runtime);
}

/**
 * Wires the agent together from its options and runs it until it is told to stop (or, with
 * `--once` or `--dry-run`, for one sync).
 * @example await runAgent(parseAgentOptions(["--node", "S1", "--source", "snap.json", "--once"], cwd), io)
 */
export async function runAgent(options: AgentOptions, io: CliIo, runtime: AgentRuntime = {}): Promise<number> {
  const { node, stateDir } = options;
  const context = {
    stateDir,
    renderFiles: renderArtifacts,
    l4Backend: options.l4Backend,
    ...(options.netns === undefined ? {} : { netns: options.netns }),
    ...(options.cniDir === undefined ? {} : { cniDir: options.cniDir }),
  };
  const tty = runtime.tty ?? process.stderr;
  const progress = terminalProgress(tty);
  const log = jsonLogger({ write: (line) => (tty.isTTY === true ? progress.write(line) : io.stderr(line)), level: options.logLevel });
  // An applier refuses what it cannot use (a network namespace name with a slash): usage.
  const appliers = checked("agent", () => createAppliers({ ...context, log }, options.appliers));
  const requires = applierRequirements();

  const stateStore = new AgentStateStore(stateDir);
  const remembered = options.mode === "dry-run" ? {} : await stateStore.load(node);
  if (remembered.problem !== undefined) log.error("ignoring the remembered state; waiting for the source", { problem: remembered.problem });

  const env = runtime.env ?? process.env;
  const feed = await feedOrUsage(options, io, env.WAYFINDER_TOKEN, remembered.state?.desired);
  if (options.mode === "dry-run") return dryRun(feed, appliers, requires, io);

  const metrics = agentMetrics();
  collectPolicyCounters(metrics, appliers);
  const reporter = statusReporter(options, env.WAYFINDER_TOKEN, log, metrics);
  const syncer = new Syncer({
    node,
    appliers,
    requires,
    stateStore,
    metrics,
    log,
    progress,
    resyncIntervalMs: options.resyncIntervalMs,
    ...(reporter === undefined ? {} : { onSynced: (status: NodeStatusReport) => reporter.report(status) }),
  });
  log.info("wayfinder agent starting", { node, source: feed.description, appliers: appliers.map((a) => a.name), stateDir, ...(reporter === undefined ? {} : { statusTo: reporter.url }) });
  if (env.WAYFINDER_TOKEN && sendsTokenInClear(options.feed.source)) {
    log.warn("the bearer token goes to the control plane unencrypted; use https:// outside a trusted network", { source: options.feed.source });
  }
  if (remembered.state !== undefined) {
    log.info("resuming from the remembered desired state", { hash: remembered.state.desired.hash, appliedHash: remembered.state.appliedHash });
    syncer.resume(remembered.state.desired, remembered.state.appliedHash);
  }

  if (options.mode === "once") {
    const code = await once(feed, syncer, log);
    await reporter?.idle();
    return code;
  }

  let server: MetricsServer | undefined;
  if (options.metrics !== undefined) {
    try {
      server = await serveMetrics(options.metrics, metrics, () => syncer.status);
      log.info("metrics and health endpoint listening", { url: server.url });
    } catch (error) {
      const address = formatListenAddress(options.metrics);
      io.stderr(`wayfinder agent: cannot listen on ${address}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      await syncer.stop();
      return 1;
    }
  }

  const controller = new AbortController();
  const watching = feed.watch(feedSink(syncer, metrics, log, feed), controller.signal, remembered.state?.desired.hash);
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

/** The feed the options name; its complaints (no source, a bad URL, a bad config) are usage errors. */
async function feedOrUsage(options: AgentOptions, io: CliIo, token: string | undefined, last: DesiredState | undefined): Promise<DesiredFeed> {
  try {
    return await feedFromFlags({
      node: options.node,
      ...options.feed,
      ...(token ? { token } : {}),
      config: () => readConfig(options.configPath, io),
      ...(last === undefined ? {} : { last }),
      resolvePath: (path) => resolve(io.cwd, path),
    });
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    if (error instanceof Error) throw usageError("agent", error.message);
    throw error;
  }
}

/** Reports each sync to the control plane when the agent follows its store (`--source http://CP/v1/clusters/NAME`). */
function statusReporter(options: AgentOptions, token: string | undefined, log: Logger, metrics: AgentMetrics): StatusReporter | undefined {
  const url = options.feed.source === undefined ? undefined : statusUrl(options.feed.source, options.node);
  if (url === undefined) return undefined;
  return new StatusReporter({ url, ...(token ? { token } : {}), log, reports: metrics.statusReports });
}

/** Where the feed delivers: desired states to the syncer, errors and stream news to the log and metrics. */
function feedSink(syncer: Syncer, metrics: AgentMetrics, log: Logger, feed: DesiredFeed): FeedSink {
  return {
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

/** True for an `http://` source that is not on loopback. */
function sendsTokenInClear(source: string | undefined): boolean {
  if (source === undefined || !/^http:\/\//i.test(source)) return false;
  const host = new URL(source).hostname;
  return !(host === "localhost" || host === "[::1]" || host.startsWith("127."));
}
