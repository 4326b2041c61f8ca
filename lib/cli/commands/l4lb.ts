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
import { createL4Applier, L4_BACKENDS, type L4BackendChoice } from "../../executor/l4lb/l4-backend.ts";
import { parseFlags } from "../args.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { DEMO_SNAPSHOT_PATH, loadSnapshotOrDesired } from "../snapshot-input.ts";
import { viewFor } from "./plan.ts";

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags("l4lb", args, {
    node: { type: "string" },
    "l4-backend": { type: "string", default: "auto" },
    netns: { type: "string" },
    "dry-run": { type: "boolean" },
  });
  if (positionals.length > 1) throw new CliUsageError("wayfinder l4lb: at most one SNAPSHOT or DESIRED argument");
  const backend = values["l4-backend"] as string;
  if (!(L4_BACKENDS as readonly string[]).includes(backend)) {
    throw new CliUsageError(`wayfinder l4lb: --l4-backend must be one of ${L4_BACKENDS.join(", ")}, not '${backend}'`);
  }
  let applier;
  try {
    applier = createL4Applier({ backend: backend as L4BackendChoice, netns: values.netns });
  } catch (error) {
    throw new CliUsageError(`wayfinder l4lb: ${(error as Error).message}`);
  }
  const input = await loadSnapshotOrDesired(positionals[0] ?? DEMO_SNAPSHOT_PATH, io);
  const node = values.node;
  const desired = node === undefined ? input.desired : input.snapshot ? viewFor(input.snapshot, input.desired, node) : nodeView(input.desired, node);

  const report = await applyDesired(desired, [applier], { dryRun: values["dry-run"] === true });
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
