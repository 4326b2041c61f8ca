/**
 * @module
 * The files applier's plan: pure, from the rendered file map and the observed directory.
 */
import { diffKeyed, type Plan } from "../applier.ts";
import type { InstalledFiles } from "./observe.ts";
import { checkRelativePath } from "./paths.ts";

/**
 * Adds, changes and deletes that make the directory hold exactly `wanted` (among the files
 * the applier owns). Throws on an unsafe path, or when a wanted path is taken by a file the
 * applier did not write: overwriting someone's file is as bad as deleting it.
 * @example planFiles("files", new Map([["dns/mesos.zone", zone]]), await observeFiles(dir)).adds
 */
export function planFiles(applier: string, wanted: ReadonlyMap<string, string>, installed: InstalledFiles): Plan<string> {
  for (const path of wanted.keys()) checkRelativePath(path);
  const taken = [...wanted.keys()].filter((path) => installed.foreign.has(path)).sort();
  if (taken.length > 0) {
    throw new Error(`refusing to overwrite files wayfinder did not write: ${taken.join(", ")} (remove them or use another directory)`);
  }
  return diffKeyed(applier, wanted, installed.files, installed.owned);
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
