/**
 * @module
 * The appliers, in the order the executor runs them (CoreDNS `plugin.cfg` style): the order is
 * data in this one file, so no applier needs to know its neighbours. Order matters where one
 * artifact uses another: the overlay's VXLAN device must exist before CNI configs naming it
 * are installed, a new task's policy before anything sends it traffic, and VIP rules before
 * DNS names pointing at the VIPs. Each entry is checked
 * against `ApplierEntry`, so a new applier that does not meet the contract does not compile.
 */
import { join } from "node:path";
import type { DesiredState } from "../desired/schema.ts";
import type { Applier, ApplierLog } from "./applier.ts";
import { createFilesApplier } from "./files/applier.ts";
import { createHaproxyApplier } from "./haproxy/applier.ts";
import { createL4Applier, type L4BackendChoice } from "./l4lb/l4-backend.ts";
import { createOverlayApplier } from "./overlay/applier.ts";
import { createCniApplier } from "./cni/applier.ts";
import { createDnsApplier } from "./dns/applier.ts";
import { keySegment, KeyPrefix, ObjectKeys } from "../desired/object-keys.ts";
import { wholeStateApplier, type ChangeApplier, type KeyedApplier } from "./keyed-applier.ts";
import { createPolicyApplier } from "./policy/nftables-applier.ts";

/** What appliers are built from on a node. */
export interface ApplierContext {
  /** The executor's state directory; each applier that writes files owns `<stateDir>/<name>`. */
  stateDir: string;
  /** Renders the files of a desired state (the agent passes `lib/render`'s `renderArtifacts`). */
  renderFiles: (desired: DesiredState) => ReadonlyMap<string, string>;
  /** `--l4-backend`: what programs VIPs. Default `auto` (IPVS where the kernel has it, else nftables). */
  l4Backend?: L4BackendChoice;
  /** Program this network namespace instead of the executor's own (tests, container namespaces). */
  netns?: string;
  /** Install CNI configs here instead of the configured `overlay.cni.dir`. */
  cniDir?: string;
  /** Where appliers say what they decided for the node (the agent's logger). */
  log?: ApplierLog;
  /** `--haproxy-groups`: the LB groups HAProxy may run, of those placed on the node; absent: all placed. */
  haproxyGroups?: readonly string[];
}

export interface ApplierEntry {
  /** The name `wayfinder agent --apply` selects it by, and that reports show. */
  readonly name: string;
  /**
   * Appliers earlier in the order whose failure holds this one back in the same run (it keeps
   * its last good state). The DNS applier requires the VIP applier: a VIP's name must never be
   * published before the VIP works (dcos-net#130).
   */
  readonly requires?: readonly string[];
  readonly create: (context: ApplierContext) => Applier;
  /** The keys of a node's view (docs/delta-path.md §1) whose changes this applier applies. */
  readonly takes: (key: string, node: string) => boolean;
}

/** Every applier, in execution order. */
export const APPLIERS = [
  { name: "overlay", create: (ctx) => createOverlayApplier({ netns: ctx.netns }), takes: (key, node) => key.startsWith("overlay/") || key === ObjectKeys.nodeOverlay(node) },
  // CNI configs name the overlay's bridges and VXLAN device: none is installed while those failed.
  {
    name: "cni",
    requires: ["overlay"],
    create: (ctx) => createCniApplier({ stateDir: join(ctx.stateDir, "cni"), dir: ctx.cniDir }),
    takes: (key, node) => key === ObjectKeys.nodeOverlay(node),
  },
  // Before the VIPs, HAProxy and DNS send anything to a new task: until its policy is
  // programmed its address is closed, so programming it first spares those connections.
  {
    name: "policy",
    create: (ctx) => createPolicyApplier({ netns: ctx.netns }),
    takes: (key, node) => key.startsWith("policy/") || key === `node/${keySegment(node)}/policy`,
  },
  // Before DNS: a VIP's name must never resolve before the VIP works (dcos-net#130).
  { name: "l4lb", create: (ctx) => createL4Applier({ backend: ctx.l4Backend, netns: ctx.netns }), takes: (key) => key.startsWith(KeyPrefix.l4Service) },
  // Every file of the whole state, DNS zones included: on the delta path it keeps every value.
  { name: "files", create: (ctx) => createFilesApplier({ name: "files", dir: join(ctx.stateDir, "files"), files: ctx.renderFiles }), takes: () => true },
  {
    name: "haproxy",
    create: (ctx) => createHaproxyApplier({ dir: join(ctx.stateDir, "haproxy"), log: ctx.log, netns: ctx.netns, groups: ctx.haproxyGroups }),
    takes: (key, node) => key.startsWith("haproxy/") || key === ObjectKeys.nodeHaproxy(node),
  },
  // Held back while the VIP rules failed, so names of new VIPs only resolve once they work.
  { name: "dns", requires: ["l4lb"], create: (ctx) => createDnsApplier({ dir: join(ctx.stateDir, "dns") }), takes: (key) => key.startsWith("dns/") },
] as const satisfies readonly ApplierEntry[];

/** A registered applier name. */
export type ApplierName = (typeof APPLIERS)[number]["name"];

/**
 * Each applier's `requires`, as `applyDesired` takes them.
 * @example applierRequirements() // { dns: ["l4lb"] } once both are registered
 */
export function applierRequirements(): Record<string, readonly string[]> {
  const requirements: Record<string, readonly string[]> = {};
  for (const entry of APPLIERS as readonly ApplierEntry[]) if (entry.requires !== undefined) requirements[entry.name] = entry.requires;
  return requirements;
}

/**
 * Builds the selected appliers (all when `only` is absent) in registry order, whatever order
 * `only` lists them in. An unknown name throws, listing the known ones.
 * @example createAppliers({ stateDir: "/var/lib/wayfinder", renderFiles: renderArtifacts }, ["files"])
 */
export function createAppliers(context: ApplierContext, only?: readonly string[]): Applier[] {
  return selected(only).map((entry) => entry.create(context));
}

/**
 * The selected appliers for the delta path, for `node`: those that apply changed keys as they
 * are, the others (whole-state appliers) running a full sync when one of their keys changed.
 * @example createKeyedAppliers(context, "S1", ["l4lb", "dns"]).map((a) => a.name) // ["l4lb", "dns"]
 */
export function createKeyedAppliers(context: ApplierContext, node: string, only?: readonly string[]): KeyedApplier[] {
  return selected(only).map((entry) => {
    const applier = entry.create(context);
    const takes = (key: string) => (entry.takes as ApplierEntry["takes"])(key, node);
    if (!takesChanges(applier)) return wholeStateApplier(applier, takes);
    return { name: applier.name, takes, applyChanges: (changes, view) => applier.applyChanges(changes, view), syncAll: (view, changes) => applier.syncAll(view, changes), applier, ...(applier.close ? { close: () => applier.close!() } : {}) };
  });
}

function takesChanges(applier: Applier | (Applier & ChangeApplier)): applier is Applier & ChangeApplier {
  return "applyChanges" in applier && "syncAll" in applier;
}

function selected(only: readonly string[] | undefined): ReadonlyArray<(typeof APPLIERS)[number]> {
  const known: readonly string[] = APPLIERS.map((entry) => entry.name);
  const unknown = (only ?? []).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown applier ${unknown.map((n) => `'${n}'`).join(", ")} (known: ${known.join(", ")})`);
  return APPLIERS.filter((entry) => only === undefined || only.includes(entry.name));
}
