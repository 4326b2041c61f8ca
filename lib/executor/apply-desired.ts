/**
 * @module
 * The executor loop: run every applier over one desired state, in registry order, and report
 * per applier. Appliers are independent. A failing one (observe, plan, apply or verify) is
 * reported and the others still run, because each artifact stands on its own (DNS keeps
 * answering when an HAProxy config is rejected), and the failing one keeps its last good state
 * since `apply` is all-or-nothing (DESIGN principle 5, static stability). Every run observes
 * afresh, so a failure never leaves stale bookkeeping behind: the next run is a full sync.
 *
 * The one exception to independence is declared, not implied: an applier may *require* others
 * (`requires`), and is held back, keeping its last good state, when one of them failed or was
 * held in the same run. DNS requires the VIP rules, so a VIP's name is never published while
 * the VIP itself does not work (dcos-net#130).
 */
import type { DesiredState } from "../desired/schema.ts";
import { planIsEmpty, summarisePlan, type Applier, type Plan, type PlanSummary } from "./applier.ts";

export interface ApplyOptions {
  /** Observe and plan only; nothing is written. Default false. */
  dryRun?: boolean;
  /** Applier name → the appliers that must not have failed earlier in the run (registry order). */
  requires?: Readonly<Record<string, readonly string[]>>;
  /** Called as each applier enters a stage, for progress displays. */
  onProgress?: (progress: ApplyProgress) => void;
}

export interface ApplyProgress {
  applier: string;
  /** 0-based position of the applier in the run. */
  index: number;
  total: number;
  stage: ApplierStage;
}

export type ApplierStage = "observe" | "plan" | "apply" | "verify";

/** What happened to one applier. */
export type ApplierResult =
  | { name: string; status: "unchanged" }
  | { name: string; status: "planned" | "applied"; plan: PlanSummary }
  | { name: string; status: "failed"; stage: ApplierStage; error: string; plan?: PlanSummary }
  | { name: string; status: "held"; reason: string };

export interface ApplyReport {
  /** The hash of the desired state that was applied. */
  hash: string;
  /** True when no applier failed or was held back. */
  ok: boolean;
  appliers: ApplierResult[];
}

/**
 * @example
 * const report = await applyDesired(nodeView(desired, "S1"), createAppliers(ctx));
 * report.appliers // [{ name: "files", status: "applied", plan: { adds: [...], ... } }]
 */
export async function applyDesired(
  desired: DesiredState,
  appliers: readonly Applier[],
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const results: ApplierResult[] = [];
  const broken = new Set<string>();
  for (const [index, applier] of appliers.entries()) {
    const blockers = (options.requires?.[applier.name] ?? []).filter((name) => broken.has(name));
    const progress = (stage: ApplierStage) => options.onProgress?.({ applier: applier.name, index, total: appliers.length, stage });
    const result =
      blockers.length > 0
        ? { name: applier.name, status: "held" as const, reason: `kept its last state: ${blockers.join(", ")} did not apply` }
        : await runApplier(desired, applier, options.dryRun === true, progress);
    if (result.status === "failed" || result.status === "held") broken.add(applier.name);
    results.push(result);
  }
  return { hash: desired.hash, ok: broken.size === 0, appliers: results };
}

/**
 * One applier's full sync (observe → plan → apply → verify); failures are results, not throws.
 * @example await runApplier(desired, applier, false) // { name: "files", status: "applied", plan: {...} }
 */
export async function runApplier(desired: DesiredState, applier: Applier, dryRun: boolean, progress: (stage: ApplierStage) => void = () => {}): Promise<ApplierResult> {
  const name = applier.name;
  let stage: ApplierStage = "observe";
  let plan: Plan<unknown> | undefined;
  try {
    progress(stage);
    const installed = await applier.observe();
    stage = "plan";
    plan = applier.plan(desired, installed);
    if (planIsEmpty(plan)) return { name, status: "unchanged" };
    if (dryRun) return { name, status: "planned", plan: summarisePlan(plan) };
    stage = "apply";
    progress(stage);
    await applier.apply(plan);
    stage = "verify";
    progress(stage);
    const drift = await applier.verify(desired);
    if (drift.length > 0) throw new Error(`still differs after apply: ${drift.join("; ")}`);
    return { name, status: "applied", plan: summarisePlan(plan) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return plan === undefined
      ? { name, status: "failed", stage, error: message }
      : { name, status: "failed", stage, error: message, plan: summarisePlan(plan) };
  }
}
