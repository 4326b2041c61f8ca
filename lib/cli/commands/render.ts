/**
 * @module
 * `wayfinder render [SNAPSHOT] --out DIR [--node ID]`: every artifact of a snapshot (default:
 * the demo cluster) as files, installed into DIR by the files applier, so unchanged files keep
 * their mtime, stale ones go, and files wayfinder did not write are never touched. With
 * `--fail-on`, a desired state with diagnostics at that level writes nothing and exits 1.
 */
import { applyDesired } from "../../executor/apply-desired.ts";
import { createFilesApplier } from "../../executor/files/applier.ts";
import { renderArtifacts } from "../../render/artifacts.ts";
import { DIAGNOSTICS_SHOWN_PER_CODE, diagnosticLines, failingDiagnostics, failOnMessage } from "../diagnostics-flags.ts";
import type { CliIo } from "../io.ts";
import { loadSnapshot } from "../snapshot-input.ts";
import { viewFor } from "./plan.ts";
import { parseRenderOptions } from "./render-options.ts";
import { resolve } from "node:path";

/** @example await run(["snap.json", "--out", "out/"], io) // 0 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseRenderOptions(args);
  const { snapshot, desired: cluster } = await loadSnapshot(options.snapshot, io);
  const desired = options.node === undefined ? cluster : viewFor(snapshot, cluster, options.node);
  const failure = failOnMessage("render", desired.diagnostics, options.failOn);
  if (failure !== undefined) {
    const failing = failingDiagnostics(desired.diagnostics, options.failOn!);
    io.stderr(`${[`${failure}; nothing written`, ...diagnosticLines(failing, DIAGNOSTICS_SHOWN_PER_CODE)].join("\n")}\n`);
    return 1;
  }
  const applier = createFilesApplier({ name: "render", dir: resolve(io.cwd, options.out), files: renderArtifacts });
  const report = await applyDesired(desired, [applier]);
  const result = report.appliers[0]!;
  if (result.status === "failed") {
    io.stderr(`wayfinder render: ${result.stage} failed: ${result.error}\n`);
    return 1;
  }
  if (result.status === "held") throw new Error("render: a lone applier has nothing to be held back by");
  if (result.status === "unchanged") io.stdout(`${options.out}: up to date\n`);
  else {
    const { adds, changes, deletes } = result.plan;
    for (const path of adds) io.stdout(`+ ${path}\n`);
    for (const path of changes) io.stdout(`~ ${path}\n`);
    for (const path of deletes) io.stdout(`- ${path}\n`);
  }
  return 0;
}
