/**
 * @module
 * The overlay applier: programs the node's VXLAN data plane (the `vtep1024` device, its
 * addresses, the peers' neighbours, FDB entries and routes, the table-42 rules) from its node
 * view, as dcos-net did, but with deletions: a peer that left takes its entries along.
 * Observing reads the kernel (`ip -json`), so the applier keeps no state of its own and a
 * restart resumes without flushing anything.
 */
import type { DesiredState } from "../../desired/schema.ts";
import type { Applier } from "../applier.ts";
import { driftOf } from "../files/plan.ts";
import { commandRunner, type CommandRunner } from "../run-command.ts";
import { applyOverlayPlan } from "./apply.ts";
import { observeDataplane, type InstalledDataplane } from "./observe.ts";
import { planDataplane } from "./plan.ts";

export interface OverlayApplierOptions {
  /** Program this network namespace (`ip netns add NAME`) instead of the executor's own. */
  netns?: string;
  /** How commands run; default `commandRunner({ netns })`. */
  run?: CommandRunner;
}

/**
 * @example await applyDesired(nodeView(desired, "S1"), [createOverlayApplier({ netns: "wf1a" })])
 */
export function createOverlayApplier(options: OverlayApplierOptions = {}): Applier<InstalledDataplane, string> {
  const run = options.run ?? commandRunner({ netns: options.netns });
  const plan = (desired: DesiredState, installed: InstalledDataplane) => planDataplane(ownEntry(desired), installed);
  return {
    name: "overlay",
    observe: () => observeDataplane(run),
    plan,
    apply: (p) => applyOverlayPlan(p, run),
    verify: async (desired) => driftOf(plan(desired, await observeDataplane(run))),
  };
}

/** The node's own entry of a node view; a cluster-wide state names no node and is refused. */
function ownEntry(desired: DesiredState) {
  if (desired.node === undefined) throw new Error("the overlay applier needs a node view (nodeView(desired, node)), not the cluster's desired state");
  return desired.overlay.nodes[desired.node];
}
