/**
 * @module
 * `wayfinder l4lb [SNAPSHOT|DESIRED] [--node ID] [--l4-backend auto|nftables|ipvs] [--netns NAME] [--dry-run]`:
 * programs the VIPs of a snapshot (default: the demo cluster) or a desired state into this
 * node's kernel once, as the agent's l4lb applier would. A one-shot run remembers nothing: it
 * reads wayfinder's tables and VIP routes back from the kernel and changes only what differs
 * (tables that are missing or not as rendered are replaced whole, atomically), so `--dry-run`
 * prints exactly what the run without it would do. Prints what it added, changed and removed;
 * exit 1 when the kernel refused (nothing half-applied).
 */
import { nodeView } from "../../../functions/node-view.ts";
import { applyDesired } from "../../executor/apply-desired.ts";
import { createL4Applier } from "../../executor/l4lb/l4-backend.ts";
import { checked } from "../flag-values.ts";
import type { CliIo } from "../io.ts";
import { DEMO_SNAPSHOT_PATH, loadSnapshotOrDesired } from "../snapshot-input.ts";
import { parseL4lbOptions } from "./l4lb-options.ts";
import { viewFor } from "./plan.ts";

/** @example await run(["--dry-run"], io) // 0, the demo cluster's VIPs listed */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parseL4lbOptions(args);
  // The applier refuses a namespace name it cannot use ("../etc"): a usage error.
  const applier = checked("l4lb", () => createL4Applier({ backend: options.backend, netns: options.netns }));
  const input = await loadSnapshotOrDesired(options.input ?? DEMO_SNAPSHOT_PATH, io);
  const node = options.node;
  const desired = node === undefined ? input.desired : input.snapshot ? viewFor(input.snapshot, input.desired, node) : nodeView(input.desired, node);

  const report = await applyDesired(desired, [applier], { dryRun: options.dryRun }).finally(() => applier.close?.());
  const result = report.appliers[0]!;
  if (result.status === "failed") {
    io.stderr(`wayfinder l4lb: ${result.stage} failed: ${result.error}\n`);
    return 1;
  }
  if (result.status === "held") throw new Error("l4lb: a lone applier has nothing to be held back by");
  if (result.status === "unchanged") io.stdout(`l4lb: nothing to do, ${desired.l4lb.services.length} services up to date\n`);
  else {
    const { adds, changes, deletes } = result.plan;
    for (const key of adds) io.stdout(`+ ${key}\n`);
    for (const key of changes) io.stdout(`~ ${key}\n`);
    for (const key of deletes) io.stdout(`- ${key}\n`);
    io.stdout(`l4lb: ${result.status === "planned" ? "planned (dry run)" : "applied"}, ${desired.l4lb.services.length} services\n`);
  }
  return 0;
}
