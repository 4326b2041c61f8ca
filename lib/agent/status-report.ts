/**
 * @module
 * A sync as the node reports it to the control plane (`NodeStatusReport`): the apply report
 * reduced to one line per applier, with how long each took. Applier durations come from the
 * progress the executor gives at each stage: an applier runs from its first stage to the next
 * applier's first stage (one held back has none, and takes no time).
 */
import type { ApplyProgress, ApplyReport } from "../executor/apply-desired.ts";
import type { ApplierStatus, NodeStatusReport } from "../store/node-status.ts";
import type { Logger } from "./log.ts";

/**
 * Times each applier of one run from the executor's progress callbacks.
 * @example const timer = new ApplierTimer(Date.now); applyDesired(d, appliers, { onProgress: (p) => timer.progress(p) }); timer.durations(Date.now())
 */
export class ApplierTimer {
  readonly #starts: Array<{ applier: string; at: number }> = [];

  constructor(private readonly now: () => number) {}

  progress(progress: ApplyProgress): void {
    if (this.#starts.at(-1)?.applier !== progress.applier) this.#starts.push({ applier: progress.applier, at: this.now() });
  }

  /** Milliseconds per applier that ran, the last one ending at `end`. */
  durations(end: number): Map<string, number> {
    return new Map(this.#starts.map((s, i) => [s.applier, Math.max(0, (this.#starts[i + 1]?.at ?? end) - s.at)]));
  }
}

export interface SyncFacts {
  report: ApplyReport;
  appliedHash: string | undefined;
  appliedGeneration: number | undefined;
  desiredHash: string | undefined;
  startedAt: number;
  endedAt: number;
  durations: ReadonlyMap<string, number>;
  counters: NodeStatusReport["counters"];
}

/**
 * @example statusReport({ report, appliedHash, ... }).appliers[0] // { name: "l4lb", result: "applied", adds: 2, changes: 0, deletes: 0, durationMs: 12 }
 */
export function statusReport(facts: SyncFacts): NodeStatusReport {
  return {
    appliedHash: facts.appliedHash ?? null,
    appliedGeneration: facts.appliedHash === undefined ? null : (facts.appliedGeneration ?? null),
    desiredHash: facts.desiredHash ?? null,
    ok: facts.report.ok,
    syncedAt: new Date(facts.endedAt).toISOString(),
    durationMs: Math.max(0, facts.endedAt - facts.startedAt),
    appliers: facts.report.appliers.map((result): ApplierStatus => {
      const duration = facts.durations.get(result.name);
      const base = { name: result.name, ...(duration === undefined ? {} : { durationMs: duration }) };
      switch (result.status) {
        case "unchanged":
          return { ...base, result: "unchanged", adds: 0, changes: 0, deletes: 0 };
        case "held":
          return { ...base, result: "held", error: clip(result.reason), adds: 0, changes: 0, deletes: 0 };
        case "failed":
          return { ...base, result: "failed", stage: result.stage, error: clip(result.error), ...counts(result.plan) };
        default:
          return { ...base, result: "applied", ...counts(result.plan) };
      }
    }),
    counters: facts.counters,
  };
}

function counts(plan: { adds: string[]; changes: string[]; deletes: string[] } | undefined) {
  return { adds: plan?.adds.length ?? 0, changes: plan?.changes.length ?? 0, deletes: plan?.deletes.length ?? 0 };
}

/** The report's limit for an error text; the agent's log keeps the whole of it. */
function clip(text: string): string {
  return text.length <= 4096 ? text : `${text.slice(0, 4093)}...`;
}

/** What a sync loop knows of itself when a run ends. */
export interface SyncState {
  appliedHash?: string | undefined;
  appliedGeneration?: number | undefined;
  desiredHash?: string | undefined;
  consecutiveFailures: number;
}

/**
 * Counts a sync loop's runs and hands each to `onSynced` as a status report (both loops: the
 * whole-view syncer and the delta path's keyed syncer). The hook may neither block nor fail
 * the loop: what it throws is logged and dropped.
 * @example const reports = new SyncReports(onSynced, log); reports.tell(report, syncer.status, started, ended, durations);
 */
export class SyncReports {
  #syncs = 0;
  #failures = 0;

  constructor(
    private readonly onSynced: ((status: NodeStatusReport) => void) | undefined,
    private readonly log: Logger,
  ) {}

  tell(report: ApplyReport, state: SyncState, startedAt: number, endedAt: number, durations: ReadonlyMap<string, number>): void {
    this.#syncs++;
    if (!report.ok) this.#failures++;
    if (this.onSynced === undefined) return;
    try {
      this.onSynced(
        statusReport({
          report,
          appliedHash: state.appliedHash,
          appliedGeneration: state.appliedGeneration,
          desiredHash: state.desiredHash,
          startedAt,
          endedAt,
          durations,
          counters: { syncs: this.#syncs, failures: this.#failures, consecutiveFailures: state.consecutiveFailures },
        }),
      );
    } catch (error) {
      this.log.warn("the status hook failed; syncing goes on", { error: error as Error });
    }
  }
}
