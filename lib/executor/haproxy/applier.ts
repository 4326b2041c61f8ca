/**
 * @module
 * The HAProxy applier: one master-worker HAProxy per LB group of the desired state, fed from
 * `haproxy.groups`. Scale events and task replacements become Runtime API commands (no reload,
 * no new worker); anything else is a validated, hitless reload through the master CLI. It
 * keeps counters of what it did, so an operator (and the churn test) can see how many changes
 * needed a reload. Configs are fitted to the node before they are planned (`node-fit.ts`).
 */
import type { DesiredState } from "../../desired/schema.ts";
import { haproxyGroupFiles } from "../../render/haproxy/group-files.ts";
import type { Applier, ApplierLog, Plan } from "../applier.ts";
import { applyHaproxyPlan, type HaproxyCounters } from "./apply.ts";
import { haproxyLayout } from "./layout.ts";
import { nodeFiles, type NodeFacts } from "./node-fit.ts";
import { observeHaproxy, type InstalledHaproxy } from "./observe.ts";
import { planHaproxy, type GroupAction } from "./plan.ts";

export interface HaproxyApplierOptions {
  /** The directory the applier owns (`conf/`, `run/`, `staging/` below it). */
  dir: string;
  /** The HAProxy binary. Default `haproxy` (from PATH). */
  binary?: string;
  /** The LB groups this node serves; default every group of the desired state. */
  groups?: readonly string[];
  /** How long a start, reload, stop or `haproxy -c` may take. Default 30 s. */
  timeoutMs?: number;
  /** The applier's name in reports. Default `haproxy`. */
  name?: string;
  /** Where it says what it decided for the node (a self-signed certificate, the maxconn HAProxy derived). */
  log?: ApplierLog;
  /** Run HAProxy in this network namespace instead of the executor's own (tests, container namespaces). */
  netns?: string;
}

export type HaproxyApplier = Applier<InstalledHaproxy, GroupAction> & { readonly counters: Readonly<HaproxyCounters> };

/**
 * @example
 * const haproxy = createHaproxyApplier({ dir: "/var/lib/wayfinder/haproxy" });
 * await applyDesired(nodeView(desired, agentId), [haproxy]);
 * haproxy.counters // { starts: 1, reloads: 0, runtimeUpdates: 0, ... }
 */
export function createHaproxyApplier(options: HaproxyApplierOptions): HaproxyApplier {
  const opts = { binary: "haproxy", timeoutMs: 30_000, name: "haproxy", ...options };
  const layout = haproxyLayout(opts.dir);
  const haproxyProcess = { binary: opts.binary, timeoutMs: opts.timeoutMs, ...(opts.netns === undefined ? {} : { netns: opts.netns }) };
  const counters: HaproxyCounters = { starts: 0, reloads: 0, runtimeUpdates: 0, runtimeCommands: 0, fallbackReloads: 0, rejectedConfigs: 0 };
  const wanted = (desired: DesiredState, node: NodeFacts) => {
    const groups = Object.fromEntries(Object.entries(desired.haproxy.groups).filter(([g]) => opts.groups === undefined || opts.groups.includes(g)));
    return nodeFiles(haproxyGroupFiles(groups), node);
  };
  let observed: InstalledHaproxy | undefined;
  return {
    name: opts.name,
    counters,
    observe: async () => (observed = await observeHaproxy(layout)),
    plan: (desired, installed) => planHaproxy(opts.name, wanted(desired, installed.node), installed),
    apply: async (plan) => {
      const installed = observed ?? (await observeHaproxy(layout));
      await applyHaproxyPlan({ layout, process: haproxyProcess, counters, installed, ...(opts.log === undefined ? {} : { log: opts.log }) }, plan);
    },
    // The plan already compares files, processes and every running server with the desired state.
    verify: async (desired) => {
      const installed = await observeHaproxy(layout);
      return driftOf(planHaproxy(opts.name, wanted(desired, installed.node), installed));
    },
  };
}

/** A plan that is not empty, as the differences `verify` reports. */
function driftOf(plan: Plan<GroupAction>): string[] {
  const describe = (action: GroupAction) =>
    action.kind === "reload" ? action.reason : action.kind === "runtime" ? (action.commands.length > 0 ? `${action.commands.length} server changes not applied` : "the installed config differs") : "not running";
  return [...[...plan.adds, ...plan.changes].map(([stem, action]) => `${stem}: ${describe(action)}`), ...plan.deletes.map((stem) => `${stem}: still running`)];
}
