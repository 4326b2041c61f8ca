/**
 * @module
 * `wayfinder render [SNAPSHOT] --out DIR [--node ID]`: every artifact of a snapshot (default:
 * the demo cluster) as files, installed into DIR by the files applier, so unchanged files keep
 * their mtime, stale ones go, and files wayfinder did not write are never touched.
 */
import { applyDesired } from "../../executor/apply-desired.ts";
import { createFilesApplier } from "../../executor/files/applier.ts";
import { renderArtifacts } from "../../render/artifacts.ts";
import { parseFlags } from "../args.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { loadSnapshot } from "../snapshot-input.ts";
import { viewFor } from "./plan.ts";
import { resolve } from "node:path";

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags("render", args, { out: { type: "string" }, node: { type: "string" } });
  if (values.out === undefined) throw new CliUsageError("wayfinder render: --out DIR is required");
  if (positionals.length > 1) throw new CliUsageError("wayfinder render: at most one SNAPSHOT argument");
  const { snapshot, desired: cluster } = await loadSnapshot(positionals[0], io);
  const desired = values.node === undefined ? cluster : viewFor(snapshot, cluster, values.node);
  const applier = createFilesApplier({ name: "render", dir: resolve(io.cwd, values.out), files: renderArtifacts });
  const report = await applyDesired(desired, [applier]);
  const result = report.appliers[0]!;
  if (result.status === "failed") {
    io.stderr(`wayfinder render: ${result.stage} failed: ${result.error}\n`);
    return 1;
  }
  if (result.status === "held") throw new Error("render: a lone applier has nothing to be held back by");
  if (result.status === "unchanged") io.stdout(`${values.out}: up to date\n`);
  else {
    const { adds, changes, deletes } = result.plan;
    for (const path of adds) io.stdout(`+ ${path}\n`);
    for (const path of changes) io.stdout(`~ ${path}\n`);
    for (const path of deletes) io.stdout(`- ${path}\n`);
  }
  return 0;
}
