/**
 * @module
 * The executor loop: run every applier over one desired state, in registry order, and report
 * per applier. Appliers are independent. A failing one (observe, plan, apply or verify) is
 * reported and the others still run, because each artifact stands on its own (DNS keeps
 * answering when an HAProxy config is rejected), and the failing one keeps its last good state
 * since `apply` is all-or-nothing (DESIGN principle 5, static stability). Every run observes
 * afresh, so a failure never leaves stale bookkeeping behind: the next run is a full sync.
 */
import type { DesiredState } from "../desired/schema.ts";
import { planIsEmpty, summarisePlan, type Applier, type Plan, type PlanSummary } from "./applier.ts";

export interface ApplyOptions {
  /** Observe and plan only; nothing is written. Default false. */
  dryRun?: boolean;
}

export type ApplierStage = "observe" | "plan" | "apply" | "verify";

/** What happened to one applier. */
export type ApplierResult =
  | { name: string; status: "unchanged" }
  | { name: string; status: "planned" | "applied"; plan: PlanSummary }
  | { name: string; status: "failed"; stage: ApplierStage; error: string; plan?: PlanSummary };

export interface ApplyReport {
  /** The hash of the desired state that was applied. */
  hash: string;
  /** True when no applier failed. */
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
  for (const applier of appliers) results.push(await runApplier(desired, applier, options.dryRun === true));
  return { hash: desired.hash, ok: results.every((r) => r.status !== "failed"), appliers: results };
}

async function runApplier(desired: DesiredState, applier: Applier, dryRun: boolean): Promise<ApplierResult> {
  const name = applier.name;
  let stage: ApplierStage = "observe";
  let plan: Plan<unknown> | undefined;
  try {
    const installed = await applier.observe();
    stage = "plan";
    plan = applier.plan(desired, installed);
    if (planIsEmpty(plan)) return { name, status: "unchanged" };
    if (dryRun) return { name, status: "planned", plan: summarisePlan(plan) };
    stage = "apply";
    await applier.apply(plan);
    stage = "verify";
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
