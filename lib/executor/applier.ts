/**
 * @module
 * The contract every applier implements, kube-proxy style: observe what the node runs, plan
 * the difference from the desired state (deletions included), apply the plan in one atomic
 * step, verify. An applier owns one artifact (DNS zones, an nft table, HAProxy configs, ...)
 * and is driven by `applyDesired`; the order of appliers lives in `registry.ts`.
 */
import type { DesiredState } from "../desired/schema.ts";
import { compareStrings } from "../net/compare.ts";

/**
 * What an apply will do. Every artifact is a keyed collection (file paths, set elements,
 * backends), so a plan is three key lists; values ride along for the keys that get written.
 * Maps are in key order, so a plan prints and compares deterministically.
 */
export interface Plan<Value> {
  /** The applier that made the plan. */
  readonly applier: string;
  /** Keys the node does not have yet, with the values to install. */
  readonly adds: ReadonlyMap<string, Value>;
  /** Keys the node has with another value, with the values to install. */
  readonly changes: ReadonlyMap<string, Value>;
  /** Keys the applier installed earlier that are no longer desired. */
  readonly deletes: readonly string[];
  /**
   * Damage observed on the node that this plan repairs, for the operator: a table someone
   * flushed, a record of the applier's that no longer reads. The agent logs each as an error.
   */
  readonly repairs?: readonly string[];
}

/**
 * One artifact's executor. Rules every implementation keeps:
 * - `observe` only reads; `plan` is pure (no I/O, no clock), so it can be tested on values;
 * - `apply` either installs the whole plan or leaves the last installed state in place
 *   (validate before committing: a config the real tool rejects is never installed);
 * - only what the applier installed itself is ever deleted (it keeps a record of it);
 * - applying the same desired state twice changes nothing the second time.
 */
export interface Applier<Installed = unknown, Value = unknown> {
  /** Registry name, also used in reports (`files`, `dns`, `l4lb`, ...). */
  readonly name: string;
  /** Reads what the node runs now. */
  observe(): Promise<Installed>;
  /** The difference between `desired` and `installed`. Throws if `desired` cannot be installed safely. */
  plan(desired: DesiredState, installed: Installed): Plan<Value>;
  /** Installs `plan` atomically. */
  apply(plan: Plan<Value>): Promise<void>;
  /** What still differs from `desired` (empty when the node matches). */
  verify(desired: DesiredState): Promise<string[]>;
  /** Ends what the applier keeps open between syncs (a long-lived nft); absent when it keeps nothing. */
  close?(): Promise<void>;
}

/**
 * Where an applier says what it decided on the node's behalf (a certificate it made, a limit
 * it found); the agent passes its structured logger.
 */
export interface ApplierLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** The keys a plan touches, for reports and logs. */
export interface PlanSummary {
  adds: string[];
  changes: string[];
  deletes: string[];
  /** The plan's `repairs`, when it has any. */
  repairs?: string[];
}

/**
 * @example summarisePlan(plan) // { adds: ["dns/mesos.zone"], changes: [], deletes: [] }
 */
export function summarisePlan(plan: Plan<unknown>): PlanSummary {
  const summary: PlanSummary = { adds: [...plan.adds.keys()], changes: [...plan.changes.keys()], deletes: [...plan.deletes] };
  if (plan.repairs !== undefined && plan.repairs.length > 0) summary.repairs = [...plan.repairs];
  return summary;
}

/**
 * @example planIsEmpty(applier.plan(desired, await applier.observe())) // true when nothing to do
 */
export function planIsEmpty(plan: Plan<unknown>): boolean {
  return plan.adds.size === 0 && plan.changes.size === 0 && plan.deletes.length === 0;
}

/**
 * The plan that turns `installed` into `wanted`, for appliers whose state is a key → value
 * mirror: missing keys are adds, differing values changes, and `owned` keys no longer wanted
 * deletes. Keys the applier does not own are never deleted.
 * @example
 * diffKeyed("files", new Map([["a", "1"]]), new Map([["b", "2"]]), new Set(["b"]))
 * // { applier: "files", adds: Map {a → "1"}, changes: Map {}, deletes: ["b"] }
 */
export function diffKeyed<Value>(
  applier: string,
  wanted: ReadonlyMap<string, Value>,
  installed: ReadonlyMap<string, Value>,
  owned: ReadonlySet<string>,
  equal: (a: Value, b: Value) => boolean = Object.is,
): Plan<Value> {
  const adds = new Map<string, Value>();
  const changes = new Map<string, Value>();
  for (const key of [...wanted.keys()].sort(compareStrings)) {
    const value = wanted.get(key) as Value;
    if (!installed.has(key)) adds.set(key, value);
    else if (!equal(installed.get(key) as Value, value)) changes.set(key, value);
  }
  const deletes = [...owned].filter((key) => !wanted.has(key)).sort(compareStrings);
  return { applier, adds, changes, deletes };
}
