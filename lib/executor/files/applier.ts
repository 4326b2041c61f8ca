/**
 * @module
 * The files applier: installs a set of rendered artifact files (`relative path → contents`)
 * into one directory it owns. Unchanged files are left alone (same mtime, so file watchers
 * and reloaders stay quiet), changed ones are replaced atomically, stale ones it wrote are
 * removed, and files it did not write are never touched. The renderer is passed in, so the
 * same applier installs whatever file map a caller renders (`wayfinder render`'s, one
 * artifact's, a test's).
 */
import type { DesiredState } from "../../desired/schema.ts";
import type { Applier } from "../applier.ts";
import { applyFilesPlan } from "./apply.ts";
import { observeFiles, type InstalledFiles } from "./observe.ts";
import { driftOf, planFiles } from "./plan.ts";

export interface FilesApplierOptions {
  /** The directory the applier owns (created when missing). */
  dir: string;
  /** The files a desired state should produce, keyed by `/`-separated path relative to `dir`. */
  files: (desired: DesiredState) => ReadonlyMap<string, string>;
  /** The applier's name in reports. Default `"files"`. */
  name?: string;
}

/**
 * @example
 * const applier = createFilesApplier({ dir: "/var/lib/wayfinder/files", files: renderArtifacts });
 * await applyDesired(desired, [applier]);
 */
export function createFilesApplier(options: FilesApplierOptions): Applier<InstalledFiles, string> {
  const opts = { name: "files", ...options } satisfies Required<FilesApplierOptions>;
  return {
    name: opts.name,
    observe: () => observeFiles(opts.dir),
    plan: (desired, installed) => planFiles(opts.name, opts.files(desired), installed),
    apply: (plan) => applyFilesPlan(opts.dir, plan),
    verify: async (desired) => driftOf(planFiles(opts.name, opts.files(desired), await observeFiles(opts.dir))),
  };
}
