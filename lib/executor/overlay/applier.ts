/**
 * @module
 * The overlay applier: programs the node's VXLAN data plane (the `vtep1024` device, its
 * addresses, the peers' neighbours, FDB entries and routes, the table-42 rules) from its node
 * view, as dcos-net did, but with deletions: a peer that left takes its entries along.
 * Observing reads the kernel (`ip -json`), so a full sync needs no state of its own and a
 * restart resumes without flushing anything. On the delta path peers change one by one
 * (`peer-changes.ts`): after a full sync the applier remembers each peer's entries, and a batch
 * that changed peers only is those peers' entries in one `ip -batch`; a change of the node's
 * own entry or of the address spaces is a full sync.
 */
import { KeyPrefix, ObjectKeys } from "../../desired/object-keys.ts";
import type { OverlayPeer, OverlaySpaces } from "../../desired/object-values.ts";
import type { OverlayNode } from "../../desired/overlay-schema.ts";
import type { DesiredState } from "../../desired/schema.ts";
import { planIsEmpty, summarisePlan, type Applier } from "../applier.ts";
import { runApplier } from "../apply-desired.ts";
import type { ChangeApplier, ViewReader } from "../keyed-applier.ts";
import { peerRecord, planPeerChanges, type PeerRecord } from "./peer-changes.ts";
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
export function createOverlayApplier(options: OverlayApplierOptions = {}): Applier<InstalledDataplane, string> & ChangeApplier {
  const run = options.run ?? commandRunner({ netns: options.netns });
  const plan = (desired: DesiredState, installed: InstalledDataplane) => planDataplane(ownEntry(desired), installed);
  /** Each peer's entries, as the last full sync left them; undefined until one succeeds. */
  let peers: PeerRecord | undefined;
  const applier: Applier<InstalledDataplane, string> & ChangeApplier = {
    name: "overlay",
    observe: () => observeDataplane(run),
    plan,
    apply: (p) => applyOverlayPlan(p, run),
    verify: async (desired) => driftOf(plan(desired, await observeDataplane(run))),
    async applyChanges(changes, view) {
      const own = view.value<OverlayNode>(ObjectKeys.nodeOverlay(view.node));
      const spaces = view.value<OverlaySpaces>(ObjectKeys.overlaySpaces);
      const selfChanged = [...changes.upserts.keys(), ...changes.deletes].some((key) => !key.startsWith(KeyPrefix.overlayPeer));
      if (peers === undefined || selfChanged || changes.complete) return undefined;
      if (own === undefined || spaces === undefined) return { name: "overlay", status: "unchanged" };
      const changed = new Map<string, OverlayPeer | undefined>();
      for (const [key, change] of changes.upserts) changed.set(key, change.value as OverlayPeer);
      for (const key of changes.deletes) changed.set(key, undefined);
      const planned = planPeerChanges(peers, changed, own, spaces);
      if (planned === undefined) return undefined;
      if (planIsEmpty(planned.plan)) return { name: "overlay", status: "unchanged" };
      await applyOverlayPlan(planned.plan, run).catch((error: Error) => {
        peers = undefined;
        throw error;
      });
      planned.commit();
      return { name: "overlay", status: "applied", plan: summarisePlan(planned.plan) };
    },
    async syncAll(view) {
      peers = undefined;
      const result = await runApplier(view.desired(), applier, false);
      if (result.status !== "failed") peers = recordOf(view);
      return result;
    },
  };
  return applier;
}

function recordOf(view: ViewReader): PeerRecord | undefined {
  const own = view.value<OverlayNode>(ObjectKeys.nodeOverlay(view.node));
  return peerRecord(own, view.valuesUnder<OverlayPeer>(KeyPrefix.overlayPeer), view.value<OverlaySpaces>(ObjectKeys.overlaySpaces));
}

/** The node's own entry of a node view; a cluster-wide state names no node and is refused. */
function ownEntry(desired: DesiredState) {
  if (desired.node === undefined) throw new Error("the overlay applier needs a node view (nodeView(desired, node)), not the cluster's desired state");
  return desired.overlay.nodes[desired.node];
}
