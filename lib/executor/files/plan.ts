/**
 * @module
 * The files applier's plan: pure, from the rendered file map and the observed directory.
 */
import { diffKeyed, type Plan } from "../applier.ts";
import type { InstalledFiles } from "./observe.ts";
import { checkRelativePath } from "./paths.ts";
import { compareStrings } from "../../net/compare.ts";

/**
 * Adds, changes and deletes that make the directory hold exactly `wanted` (among the files
 * the applier owns). Throws on an unsafe path, or when a wanted path is taken by a file the
 * applier did not write: overwriting someone's file is as bad as deleting it.
 *
 * When the manifest is lost, the plan rebuilds it: every wanted file is written (claimed,
 * whatever is at its path now, since that name is the applier's in the directory it
 * installs into) and every other entry is left alone, never deleted as stale.
 * @example planFiles("files", new Map([["dns/mesos.zone", zone]]), await observeFiles(dir)).adds
 */
export function planFiles(applier: string, wanted: ReadonlyMap<string, string>, installed: InstalledFiles): Plan<string> {
  for (const path of wanted.keys()) checkRelativePath(path);
  if (installed.lost !== undefined) return rebuildPlan(applier, wanted, installed.foreign, installed.lost);
  const taken = [...wanted.keys()].filter((path) => installed.foreign.has(path)).sort();
  if (taken.length > 0) {
    throw new Error(`refusing to overwrite files wayfinder did not write: ${taken.join(", ")} (remove them or use another directory)`);
  }
  return diffKeyed(applier, wanted, installed.files, installed.owned);
}

/**
 * The plan that rebuilds a lost record of `present` files: all of `wanted` written (`present`
 * ones as changes), and a repair saying what was claimed and what is left alone.
 * @example rebuildPlan("dns", new Map([["zones.json", text]]), new Set(["zones.json"]), "…: not valid JSON").changes // Map { "zones.json" → text }
 */
export function rebuildPlan(applier: string, wanted: ReadonlyMap<string, string>, present: ReadonlySet<string>, lost: string): Plan<string> {
  const adds = new Map<string, string>();
  const changes = new Map<string, string>();
  for (const [path, text] of [...wanted].sort(([a], [b]) => compareStrings(a, b))) (present.has(path) ? changes : adds).set(path, text);
  const others = [...present].filter((p) => !wanted.has(p)).sort(compareStrings);
  const left = others.length === 0 ? "" : `; left alone, as they may not be its own: ${others.slice(0, 5).join(", ")}${others.length > 5 ? ` and ${others.length - 5} more` : ""}`;
  return { applier, adds, changes, deletes: [], repairs: [`${lost}: rebuilt from the ${wanted.size} files it installs now, rewritten${left}`] };
}

/**
 * A non-empty plan as the differences `verify` reports.
 * @example driftOf(plan) // ["missing dns/mesos.zone", "stale old.cfg"]
 */
export function driftOf(plan: Plan<string>): string[] {
  return [
    ...[...plan.adds.keys()].map((path) => `missing ${path}`),
    ...[...plan.changes.keys()].map((path) => `differs ${path}`),
    ...plan.deletes.map((path) => `stale ${path}`),
  ];
}
