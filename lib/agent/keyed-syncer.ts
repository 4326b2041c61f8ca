/**
 * @module
 * The agent's sync loop on the delta path, kube-proxy's partial syncs: each verified batch
 * becomes, per applier, the keys it changed (merged with any not taken yet), and one run hands
 * every applier its own changes in registry order (overlay, cni, l4lb, files, haproxy, dns last).
 * An applier with nothing changed does nothing; one that fails, or has no record, or is due its
 * periodic resync, gets a full sync against the whole view, and keeps its changes until one
 * succeeds. An applier held back because one it requires failed keeps them too (DNS requires
 * the VIP rules: a name is never published before its VIP works). Runs never overlap; batches
 * arriving during one collapse into the next. After each run the view's changes are persisted,
 * so a restart resumes the watch from there, and the run is reported (`onSynced`, the status
 * the node PUTs to the control plane).
 */
import type { ApplierResult } from "../executor/apply-desired.ts";
import { changesAreEmpty, NeedsValuesError, type ChangedKey, type KeyChanges, type KeyedApplier, type ViewReader } from "../executor/keyed-applier.ts";
import { Backoff } from "../sources/backoff.ts";
import { CoalescingRunner } from "../sources/coalescing-runner.ts";
import type { AgentMetrics } from "./agent-metrics.ts";
import type { Logger } from "./log.ts";
import { countResult, reportRepairs } from "./syncer.ts";
import type { ReceivedBatch } from "./watch/batch-builder.ts";
import type { PersistedChanges } from "./view/view-store.ts";
import { SyncReports } from "./status-report.ts";
import type { NodeStatusReport } from "../store/node-status.ts";

export interface KeyedSyncerOptions {
  appliers: readonly KeyedApplier[];
  requires?: Readonly<Record<string, readonly string[]>>;
  view: ViewReader;
  /** Persists the view's changes after a run (the view store). */
  persist?: (changes: PersistedChanges) => Promise<number>;
  /** Asks the feed to relist with every value of the keys `takes` selects (for `applier`). */
  relist: (reason: string, applier: string, takes: (key: string) => boolean) => void;
  metrics: AgentMetrics;
  log: Logger;
  backoff?: Backoff;
  /** Periodic full sync of every applier, in ms (jittered by ±10%). Default 60 000; 0 turns it off. */
  resyncIntervalMs?: number;
  now?: () => number;
  /**
   * Told after every run, whatever its result (the status reporter). Must not block: the next
   * run does not wait for it, and what it throws is ignored.
   */
  onSynced?: (status: NodeStatusReport) => void;
}

/** Changes not taken yet, merged batch after batch. */
class PendingChanges implements KeyChanges {
  upserts = new Map<string, ChangedKey>();
  deletes = new Set<string>();
  complete = false;

  add(upserts: Iterable<[string, ChangedKey]>, deletes: Iterable<string>, complete: boolean): void {
    for (const [key, change] of upserts) {
      this.deletes.delete(key);
      this.upserts.set(key, change);
    }
    for (const key of deletes) {
      this.upserts.delete(key);
      this.deletes.add(key);
    }
    this.complete ||= complete;
  }

  take(): KeyChanges {
    const taken = { upserts: this.upserts, deletes: this.deletes, complete: this.complete };
    this.upserts = new Map();
    this.deletes = new Set();
    this.complete = false;
    return taken;
  }

  /** Puts changes back in front of any that arrived meanwhile (an applier that failed keeps them). */
  restore(changes: KeyChanges): void {
    const later = this.take();
    this.add(changes.upserts, changes.deletes, changes.complete);
    this.add(later.upserts, later.deletes, later.complete);
  }
}

interface ApplierSlot {
  applier: KeyedApplier;
  pending: PendingChanges;
  /** Due a full sync (first run, a failure, the periodic resync). */
  full: boolean;
}

/** What the health endpoint reports (the shape of the whole-state syncer's `SyncStatus`). */
export interface KeyedSyncStatus {
  /** The view hash now. */
  desiredHash?: string;
  /** The view hash every applier last took. */
  appliedHash?: string;
  /** The generation every applier last took. */
  appliedGeneration?: number;
  lastResults: ApplierResult[];
  consecutiveFailures: number;
  lastSuccessAt?: number;
}

/**
 * @example
 * const syncer = new KeyedSyncer({ appliers, view, relist, metrics, log });
 * syncer.offer(batch, receivedAt);
 */
export class KeyedSyncer {
  readonly #opts: KeyedSyncerOptions;
  readonly #slots: ApplierSlot[];
  readonly #runner: CoalescingRunner;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  readonly #unsaved = new PendingChanges();
  #unsavedVersion: { generation: number; hash: string } | undefined;
  /** When the oldest batch not yet applied everywhere arrived, for the convergence histogram. */
  #receivedAt: number | undefined;
  #status: KeyedSyncStatus = { lastResults: [], consecutiveFailures: 0 };
  #retry: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #reports: SyncReports;

  constructor(options: KeyedSyncerOptions) {
    this.#opts = options;
    this.#slots = options.appliers.map((applier) => ({ applier, pending: new PendingChanges(), full: true }));
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
    this.#now = options.now ?? Date.now;
    this.#runner = new CoalescingRunner(() => this.#run());
    this.#reports = new SyncReports(options.onSynced, options.log);
  }

  get status(): KeyedSyncStatus {
    const generation = this.#opts.view.generation;
    return { ...this.#status, ...(generation === 0 && this.#status.appliedGeneration === undefined ? {} : { desiredHash: this.#opts.view.hash }) };
  }

  /** Every applier brings the node to the view once (the first run after a start). */
  start(): void {
    this.#request();
  }

  /** A verified batch, already applied to the view. */
  offer(batch: ReceivedBatch, receivedAt: number): void {
    if (this.#stopped) return;
    for (const slot of this.#slots) {
      const takes = (key: string) => slot.applier.takes(key);
      slot.pending.add(
        [...batch.upserts].filter(([key]) => takes(key)),
        [...batch.deletes].filter(takes),
        batch.complete || batch.completeFor.includes(slot.applier.name),
      );
    }
    this.#unsaved.add(batch.upserts, batch.deletes, false);
    this.#unsavedVersion = { generation: batch.generation, hash: batch.hash };
    this.#receivedAt ??= receivedAt;
    this.#opts.metrics.batchKeys.observe(batch.upserts.size + batch.deletes.size);
    this.#request();
  }

  /** Resolves when no run is in progress or pending. */
  idle(): Promise<void> {
    return this.#runner.idle();
  }

  /** Stops scheduling; a run in progress finishes and its changes are persisted. */
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
    clearTimeout(this.#retry);
    const started = this.#now();
    // Every applier takes at least the changes up to here (later ones may take more).
    const floor = { generation: this.#opts.view.generation, hash: this.#opts.view.hash };
    const results: ApplierResult[] = [];
    const durations = new Map<string, number>();
    const broken = new Set<string>();
    for (const slot of this.#slots) {
      const name = slot.applier.name;
      const blockers = (this.#opts.requires?.[name] ?? []).filter((required) => broken.has(required));
      if (blockers.length > 0) {
        results.push({ name, status: "held", reason: `kept its last state: ${blockers.join(", ")} did not apply` });
        broken.add(name);
        continue;
      }
      const began = this.#now();
      const result = await this.#runOne(slot);
      durations.set(name, Math.max(0, this.#now() - began));
      if (result.status === "failed" || result.status === "held") broken.add(name);
      results.push(result);
    }
    await this.#persist();
    const ended = this.#record(results, broken.size === 0, started, floor);
    this.#reports.tell({ hash: floor.hash, ok: broken.size === 0, appliers: results }, this.status, started, ended, durations);
  }

  /** One applier: its changes, or a full sync when due or when the partial one cannot be done. */
  async #runOne(slot: ApplierSlot): Promise<ApplierResult> {
    const { applier } = slot;
    const changes = slot.pending.take();
    if (!slot.full && changesAreEmpty(changes)) return { name: applier.name, status: "unchanged" };
    const started = this.#now();
    let result: ApplierResult | undefined;
    try {
      if (!slot.full) {
        try {
          result = await applier.applyChanges(changes, this.#opts.view);
        } catch (error) {
          this.#opts.log.warn("partial sync failed; syncing the applier in full", { applier: applier.name, error: error as Error });
          this.#opts.metrics.fullSyncs.inc({ applier: applier.name, reason: "partial-failed" });
        }
      }
      if (result === undefined) {
        if (!slot.full) this.#opts.metrics.fullSyncs.inc({ applier: applier.name, reason: "no-record" });
        result = await applier.syncAll(this.#opts.view, changes);
      }
    } catch (error) {
      if (error instanceof NeedsValuesError) this.#opts.relist(error.message, applier.name, (key) => applier.takes(key));
      result = { name: applier.name, status: "failed", stage: "apply", error: (error as Error).message };
    }
    this.#opts.metrics.applyDuration.observe((this.#now() - started) / 1000, { applier: applier.name, mode: slot.full ? "full" : "partial" });
    if (result.status === "failed") {
      slot.pending.restore(changes);
      slot.full = true;
    } else slot.full = false;
    return result;
  }

  async #persist(): Promise<void> {
    const version = this.#unsavedVersion;
    if (version === undefined || this.#opts.persist === undefined) return;
    const changes = this.#unsaved.take();
    this.#unsavedVersion = undefined;
    try {
      const bytes = await this.#opts.persist({ generation: version.generation, hash: version.hash, upserts: changes.upserts, deletes: changes.deletes });
      this.#opts.metrics.persistedBytes.inc({}, bytes);
    } catch (error) {
      // Not fatal: the node is applied; a restart would only resume from further back.
      this.#opts.log.warn("cannot persist the view", { error: error as Error });
      this.#unsaved.restore(changes);
      this.#unsavedVersion ??= version;
    }
  }

  /** Records a run in the status and metrics; returns when it ended. */
  #record(results: ApplierResult[], ok: boolean, started: number, floor: { generation: number; hash: string }): number {
    const { metrics, log } = this.#opts;
    const ended = this.#now();
    metrics.syncDuration.observe((ended - started) / 1000);
    metrics.lastAttempt.set(ended / 1000);
    for (const result of results) {
      countResult(metrics, result);
      reportRepairs(metrics, log, result);
    }
    this.#status.lastResults = results;
    this.#scheduleResync();
    if (ok) {
      const generation = floor.generation;
      this.#status = { ...this.#status, appliedGeneration: generation, appliedHash: floor.hash, consecutiveFailures: 0, lastSuccessAt: ended };
      this.#backoff.reset();
      metrics.syncs.inc({ result: results.some((r) => r.status === "applied") ? "applied" : "unchanged" });
      metrics.lastSync.set(ended / 1000);
      metrics.consecutiveFailures.set(0);
      metrics.appliedGeneration.set(generation);
      if (this.#receivedAt !== undefined) metrics.convergence.observe((ended - this.#receivedAt) / 1000);
      this.#receivedAt = undefined;
      const applied = results.filter((r) => r.status === "applied");
      if (applied.length > 0) log.info("view applied", { generation, durationMs: ended - started, appliers: Object.fromEntries(applied.map((r) => [r.name, r.status === "applied" ? `+${r.plan.adds.length} ~${r.plan.changes.length} -${r.plan.deletes.length}` : ""])) });
      return ended;
    }
    this.#status.consecutiveFailures++;
    metrics.syncs.inc({ result: "failed" });
    metrics.consecutiveFailures.set(this.#status.consecutiveFailures);
    const delay = this.#backoff.next();
    const failed = Object.fromEntries(results.flatMap((r) => (r.status === "failed" ? [[r.name, `failed at ${r.stage}: ${r.error}`]] : r.status === "held" ? [[r.name, `held: ${r.reason}`]] : [])));
    log.error("sync failed; failing appliers keep their last good state", { generation: this.#opts.view.generation, appliers: failed, consecutiveFailures: this.#status.consecutiveFailures, retryInMs: delay });
    this.#retry = setTimeout(() => this.#request(), delay);
    return ended;
  }

  #scheduleResync(): void {
    const interval = this.#opts.resyncIntervalMs ?? 60_000;
    if (interval <= 0 || this.#stopped) return;
    clearTimeout(this.#resync);
    this.#resync = setTimeout(
      () => {
        for (const slot of this.#slots) slot.full = true;
        this.#request();
      },
      interval * (0.9 + Math.random() * 0.2),
    );
    this.#resync.unref();
  }
}
