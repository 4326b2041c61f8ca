/**
 * @module
 * `wayfinder agent`: the on-node executor as a daemon, wired together from `AgentOptions`
 * (parsed in `agent-options.ts`). It resumes from the state it remembers (applying it again
 * changes nothing the node still runs, so a restart flushes nothing), then follows its feed and
 * applies every new desired state; failures are retried with backoff while the node keeps its
 * last good state. SIGINT or SIGTERM stop it after the apply in progress, leaving the data
 * plane as it is. Against a control plane that streams changes (`wayfinder serve`'s cluster
 * store) it takes the delta path (`lib/agent/delta-agent.ts`): a keyed view followed batch by
 * batch, each applier handed the keys that changed; otherwise it long-polls the node's whole view.
 *
 * `--dry-run` prints what each applier would add, change and delete, and touches nothing.
 * `--once` syncs once and exits 0 when the node runs the desired state, 1 otherwise.
 */
import { resolve } from "node:path";
import type { DesiredState } from "../../desired/schema.ts";
import { applyDesired, type ApplyReport } from "../../executor/apply-desired.ts";
import type { Applier } from "../../executor/applier.ts";
import { applierRequirements, createAppliers, createKeyedAppliers, type ApplierContext } from "../../executor/registry.ts";
import { runDeltaAgent } from "../../agent/delta-agent.ts";
import { RemoteFeed } from "../../agent/feeds/remote.ts";
import type { SyncStatus } from "../../agent/syncer.ts";
import { renderArtifacts } from "../../render/artifacts.ts";
import { agentMetrics, type AgentMetrics } from "../../agent/agent-metrics.ts";
import { collectPolicyCounters, type RunningApplier } from "../../agent/policy-metrics.ts";
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
    ...(options.haproxyGroups === undefined ? {} : { haproxyGroups: options.haproxyGroups }),
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
  // The delta path runs appliers of its own: the counters are read from whichever path runs.
  let running: readonly RunningApplier[] = appliers;
  collectPolicyCounters(metrics, () => running);
  const reporter = statusReporter(options, env.WAYFINDER_TOKEN, log, metrics);
  const stopping = runtime.stopSignal ?? nextSignal();
  if (feed instanceof RemoteFeed && options.mode === "daemon") {
    const outcome = await runOnWatch({
      options,
      context: { ...context, log },
      feed,
      requires,
      metrics,
      log,
      io,
      token: env.WAYFINDER_TOKEN,
      stopping,
      names: appliers.map((a) => a.name),
      running: (keyed) => (running = keyed),
      reporter,
    });
    running = appliers;
    if (outcome !== "unsupported") return outcome;
    log.info("the control plane does not stream changes: following its whole view instead (long poll)", { source: feed.description });
  }
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
    const code = await once(feed, syncer, log).finally(() => closeAppliers(appliers));
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
  const reason = await stopping;
  log.info("stopping: finishing the sync in progress; the data plane stays as it is", { reason });
  controller.abort();
  await watching;
  await syncer.stop();
  await reporter?.idle();
  await server?.close();
  await closeAppliers(appliers);
  log.info("wayfinder agent stopped", { appliedHash: syncer.status.appliedHash ?? null });
  return 0;
}

/** Ends what appliers keep open between syncs (long-lived nft processes). */
async function closeAppliers(appliers: ReadonlyArray<Pick<Applier, "close">>): Promise<void> {
  await Promise.all(appliers.map((applier) => applier.close?.()));
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

/**
 * The delta path (`runDeltaAgent`) with its metrics and health endpoint; "unsupported" when the
 * control plane does not watch, before anything was applied.
 */
async function runOnWatch(wiring: {
  options: AgentOptions;
  context: ApplierContext;
  feed: RemoteFeed;
  requires: Record<string, readonly string[]>;
  metrics: AgentMetrics;
  log: Logger;
  io: CliIo;
  token: string | undefined;
  stopping: Promise<string>;
  names: readonly string[];
  /** Told which appliers run (for the policy counters). */
  running: (appliers: readonly RunningApplier[]) => void;
  reporter: StatusReporter | undefined;
}): Promise<number | "unsupported"> {
  const { options, feed, metrics, log, io } = wiring;
  let status: () => SyncStatus = () => ({ consecutiveFailures: 0 });
  let server: MetricsServer | undefined;
  if (options.metrics !== undefined) {
    try {
      server = await serveMetrics(options.metrics, metrics, () => status());
      log.info("metrics and health endpoint listening", { url: server.url });
    } catch (error) {
      io.stderr(`wayfinder agent: cannot listen on ${formatListenAddress(options.metrics)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 1;
    }
  }
  const { reporter } = wiring;
  log.info("wayfinder agent starting", { node: options.node, source: feed.description, mode: "watch", appliers: wiring.names, stateDir: options.stateDir, ...(reporter === undefined ? {} : { statusTo: reporter.url }) });
  const appliers = createKeyedAppliers(wiring.context, options.node, options.appliers);
  wiring.running(appliers);
  const outcome = await runDeltaAgent({
    node: options.node,
    url: feed.description,
    ...(wiring.token ? { token: wiring.token } : {}),
    stateDir: options.stateDir,
    appliers,
    requires: wiring.requires,
    keepDnsValues: wiring.names.includes("files"),
    metrics,
    log,
    resyncIntervalMs: options.resyncIntervalMs,
    stop: wiring.stopping,
    onStatus: (read) => (status = read),
    ...(reporter === undefined ? {} : { onSynced: (report: NodeStatusReport) => reporter.report(report) }),
  });
  await reporter?.idle();
  await server?.close();
  await closeAppliers(appliers);
  if (outcome === "unsupported") return outcome;
  log.info("wayfinder agent stopped", { appliedHash: status().appliedHash ?? null });
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

/** True for an `http://` source that is not on loopback. */
function sendsTokenInClear(source: string | undefined): boolean {
  if (source === undefined || !/^http:\/\//i.test(source)) return false;
  const host = new URL(source).hostname;
  return !(host === "localhost" || host === "[::1]" || host.startsWith("127."));
}
