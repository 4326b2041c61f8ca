/**
 * @module
 * The agent's sync loop, kube-proxy style: whatever triggers it (a new desired state, a retry,
 * the periodic resync), one run applies the newest accepted desired state through every
 * applier; runs never overlap, and triggers during a run collapse into one more. A failed run
 * is retried with jittered backoff and leaves every failing applier on its last good state;
 * the periodic resync re-observes the node, so anything changed behind the agent's back is put
 * right. The newest accepted state is saved before it is applied, so a restart resumes towards
 * it rather than from scratch.
 */
import type { DesiredState } from "../desired/schema.ts";
import { applyDesired, type ApplierResult, type ApplyReport } from "../executor/apply-desired.ts";
import type { Applier } from "../executor/applier.ts";
import { Backoff } from "../sources/backoff.ts";
import { CoalescingRunner } from "../sources/coalescing-runner.ts";
import type { AgentMetrics } from "./agent-metrics.ts";
import type { AgentStateStore } from "./agent-state.ts";
import type { Logger } from "./log.ts";
import type { ProgressLine } from "./progress.ts";
import { ApplierTimer, SyncReports } from "./status-report.ts";
import type { NodeStatusReport } from "../store/node-status.ts";

export interface SyncerOptions {
  node: string;
  appliers: readonly Applier[];
  requires?: Readonly<Record<string, readonly string[]>>;
  /** Where the accepted state is remembered; none: nothing is written (tests). */
  stateStore?: AgentStateStore;
  metrics: AgentMetrics;
  log: Logger;
  progress?: ProgressLine;
  backoff?: Backoff;
  /** Periodic resync, in ms (jittered by ±10%). Default 60 000; 0 turns it off. */
  resyncIntervalMs?: number;
  /** The clock. Default `Date.now`. */
  now?: () => number;
  /**
   * Told after every sync, whatever its result (the status reporter). Must not block: the
   * next sync does not wait for it, and what it throws is ignored.
   */
  onSynced?: (status: NodeStatusReport) => void;
}

/** What the health endpoint and `--once` report. */
export interface SyncStatus {
  /** The newest accepted desired state's hash. */
  desiredHash?: string;
  /** The hash every applier last took. */
  appliedHash?: string;
  lastReport?: ApplyReport;
  consecutiveFailures: number;
  /** When the node last ran its desired state fully (ms since the epoch). */
  lastSuccessAt?: number;
  /** The store generation `appliedHash` came from, when the feed said. */
  appliedGeneration?: number;
}

/**
 * @example
 * const syncer = new Syncer({ node: "S1", appliers, metrics, log });
 * syncer.offer(desired, { source: url });
 * await syncer.stop();
 */
export class Syncer {
  readonly #opts: SyncerOptions;
  readonly #runner: CoalescingRunner;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  #target: DesiredState | undefined;
  /** The store generation of `#target`, when the feed knows it. */
  #targetGeneration: number | undefined;
  readonly #reports: SyncReports;
  /** When the change behind `#target` was noticed, for the convergence histogram. */
  #requestedAt: number | undefined;
  #status: SyncStatus = { consecutiveFailures: 0 };
  #retry: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The hash last saved to the state store. */
  #saved: string | undefined;

  constructor(options: SyncerOptions) {
    this.#opts = options;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
    this.#now = options.now ?? Date.now;
    this.#runner = new CoalescingRunner(() => this.#run());
    this.#reports = new SyncReports(options.onSynced, options.log);
  }

  get status(): SyncStatus {
    return { ...this.#status };
  }

  /**
   * Resumes from what a previous run remembered: it becomes the target, applied at once (a
   * no-op when the node still runs it).
   */
  resume(desired: DesiredState, appliedHash: string | null): void {
    this.#target = desired;
    this.#saved = desired.hash;
    this.#status.desiredHash = desired.hash;
    if (appliedHash !== null) this.#status.appliedHash = appliedHash;
    this.#opts.metrics.desired.only(1, { hash: desired.hash });
    this.#request();
  }

  /** A new valid desired state from the feed, with the store generation it came from if known. */
  offer(desired: DesiredState, requestedAt?: number, generation?: number): void {
    if (this.#stopped) return;
    const changed = desired.hash !== this.#target?.hash;
    this.#target = desired;
    if (generation !== undefined || changed) this.#targetGeneration = generation;
    if (changed) {
      this.#requestedAt = requestedAt ?? this.#requestedAt;
      this.#status.desiredHash = desired.hash;
      this.#opts.metrics.desired.only(1, { hash: desired.hash });
      this.#opts.log.info("new desired state", { hash: desired.hash, diagnostics: desired.diagnostics.length });
    } else if (this.#status.appliedHash === desired.hash) {
      return;
    }
    this.#request();
  }

  /** Resolves when no run is in progress or pending (a scheduled retry is not waited for). */
  idle(): Promise<void> {
    return this.#runner.idle();
  }

  /** Stops scheduling; an apply in progress finishes (it is never cut in half). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#resync);
    await this.#runner.idle();
  }

  #request(): void {
    if (!this.#stopped) this.#runner.request();
  }

  async #run(): Promise<void> {
    const target = this.#target;
    try {
      if (target === undefined || this.#stopped) return;
      clearTimeout(this.#retry);
      await this.#remember(target);
      const started = this.#now();
      const generation = this.#targetGeneration;
      const timer = new ApplierTimer(this.#now);
      this.#opts.progress?.start(target.hash);
      let report: ApplyReport;
      try {
        report = await applyDesired(target, this.#opts.appliers, {
          ...(this.#opts.requires === undefined ? {} : { requires: this.#opts.requires }),
          onProgress: (p) => {
            timer.progress(p);
            this.#opts.progress?.update(p);
          },
        });
      } finally {
        this.#opts.progress?.done();
      }
      const ended = this.#now();
      await this.#record(target, report, started, ended, generation);
      this.#reports.tell(report, this.#status, started, ended, timer.durations(ended));
    } finally {
      this.#scheduleResync();
    }
  }

  /** Saves the target before applying it, once per new target. */
  async #remember(target: DesiredState): Promise<void> {
    if (this.#opts.stateStore === undefined || this.#saved === target.hash) return;
    try {
      await this.#opts.stateStore.save({ node: this.#opts.node, desired: target, appliedHash: this.#status.appliedHash ?? null }, new Date(this.#now()));
      this.#saved = target.hash;
    } catch (error) {
      // Not fatal: the node can still be brought to the state, it just would not resume it.
      this.#opts.log.warn("cannot save the agent state", { path: this.#opts.stateStore.path, error: error as Error });
    }
  }

  async #record(target: DesiredState, report: ApplyReport, started: number, ended: number, generation: number | undefined): Promise<void> {
    const { metrics, log } = this.#opts;
    const seconds = (ended - started) / 1000;
    metrics.syncDuration.observe(seconds);
    metrics.lastAttempt.set(ended / 1000);
    const changed = report.appliers.filter((r) => r.status === "applied");
    for (const result of report.appliers) {
      countResult(metrics, result);
      reportRepairs(metrics, log, result);
    }
    this.#status.lastReport = report;
    if (report.ok) {
      const firstTime = this.#status.appliedHash !== target.hash;
      const { appliedGeneration: _previous, ...rest } = this.#status;
      this.#status = { ...rest, appliedHash: target.hash, consecutiveFailures: 0, lastSuccessAt: ended, ...(generation === undefined ? {} : { appliedGeneration: generation }) };
      this.#backoff.reset();
      metrics.syncs.inc({ result: changed.length > 0 ? "applied" : "unchanged" });
      metrics.lastSync.set(ended / 1000);
      metrics.consecutiveFailures.set(0);
      metrics.applied.only(1, { hash: target.hash });
      if (firstTime && this.#requestedAt !== undefined) {
        metrics.convergence.observe((ended - this.#requestedAt) / 1000);
        this.#requestedAt = undefined;
      }
      if (changed.length > 0 || firstTime) log.info("desired state applied", { hash: target.hash, durationMs: Math.round(seconds * 1000), appliers: summary(report) });
      if (firstTime && this.#opts.stateStore !== undefined) await this.#persistApplied(target);
      return;
    }
    this.#status.consecutiveFailures++;
    metrics.syncs.inc({ result: "failed" });
    metrics.consecutiveFailures.set(this.#status.consecutiveFailures);
    const delay = this.#backoff.next();
    log.error("sync failed; failing appliers keep their last good state", {
      hash: target.hash,
      durationMs: Math.round(seconds * 1000),
      appliers: summary(report),
      consecutiveFailures: this.#status.consecutiveFailures,
      retryInMs: delay,
    });
    this.#retry = setTimeout(() => this.#request(), delay);
  }

  async #persistApplied(target: DesiredState): Promise<void> {
    try {
      await this.#opts.stateStore!.save({ node: this.#opts.node, desired: target, appliedHash: target.hash }, new Date(this.#now()));
    } catch (error) {
      this.#opts.log.warn("cannot save the agent state", { path: this.#opts.stateStore!.path, error: error as Error });
    }
  }

  #scheduleResync(): void {
    const interval = this.#opts.resyncIntervalMs ?? 60_000;
    if (interval <= 0 || this.#stopped) return;
    clearTimeout(this.#resync);
    this.#resync = setTimeout(() => this.#request(), interval * (0.9 + Math.random() * 0.2));
    this.#resync.unref();
  }
}

/**
 * Counts one applier's result in the metrics: the keys it changed, or its failure, or that it was held.
 * @example countResult(metrics, { name: "dns", status: "held", reason: "..." })
 */
export function countResult(metrics: AgentMetrics, result: ApplierResult): void {
  if (result.status === "applied") {
    metrics.changes.inc({ applier: result.name, op: "add" }, result.plan.adds.length);
    metrics.changes.inc({ applier: result.name, op: "change" }, result.plan.changes.length);
    metrics.changes.inc({ applier: result.name, op: "delete" }, result.plan.deletes.length);
  } else if (result.status === "failed") {
    metrics.applierFailures.inc({ applier: result.name, stage: result.stage });
  } else if (result.status === "held") {
    metrics.applierHeld.inc({ applier: result.name });
  }
}

/**
 * Logs and counts the damage an applier found and repaired (or tried to): someone else's doing
 * (a flushed table, an unreadable record) is an error worth an operator's look even when this
 * very sync repaired it.
 * @example reportRepairs(metrics, log, result) // error "found the node damaged" {applier: "policy", problem, repaired: true}
 */
export function reportRepairs(metrics: AgentMetrics, log: Logger, result: ApplierResult): void {
  const repairs = "plan" in result ? (result.plan?.repairs ?? []) : [];
  for (const problem of repairs) {
    metrics.repairs.inc({ applier: result.name });
    log.error("found the node damaged", { applier: result.name, problem, repaired: result.status === "applied" });
  }
}

/** One short value per applier for the log line: `applied +3 ~1 -0`, `failed at apply: ...`. */
function summary(report: ApplyReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of report.appliers) {
    if (r.status === "applied" || r.status === "planned") out[r.name] = `${r.status} +${r.plan.adds.length} ~${r.plan.changes.length} -${r.plan.deletes.length}`;
    else if (r.status === "failed") out[r.name] = `failed at ${r.stage}: ${r.error}`;
    else if (r.status === "held") out[r.name] = `held: ${r.reason}`;
    else out[r.name] = "unchanged";
  }
  return out;
}
