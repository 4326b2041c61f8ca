/**
 * @module
 * The HAProxy applier: one master-worker HAProxy per LB group of the desired state, fed from
 * `haproxy.groups`. Scale events and task replacements become Runtime API commands (no reload,
 * no new worker); anything else is a validated, hitless reload through the master CLI. It
 * keeps counters of what it did, so an operator (and the churn test) can see how many changes
 * needed a reload. Configs are fitted to the node before they are planned (`node-fit.ts`). On
 * the delta path only the groups a batch's `haproxy/...` keys touch are planned and applied:
 * their masters asked, the others left untouched.
 */
import { idOfSegment, keySegment, KeyPrefix } from "../../desired/object-keys.ts";
import type { HaproxyServiceObject } from "../../desired/object-values.ts";
import type { DesiredState } from "../../desired/schema.ts";
import { groupFileStem, haproxyGroupFiles } from "../../render/haproxy/group-files.ts";
import { planIsEmpty, summarisePlan, type Applier, type ApplierLog, type Plan } from "../applier.ts";
import { runApplier } from "../apply-desired.ts";
import type { ChangeApplier, KeyChanges, ViewReader } from "../keyed-applier.ts";
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

export type HaproxyApplier = Applier<InstalledHaproxy, GroupAction> & ChangeApplier & { readonly counters: Readonly<HaproxyCounters> };

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
  /** True once a full sync succeeded: the groups a batch did not change are as desired. */
  let synced = false;
  /** The groups (by file stem) the last syncs installed. */
  let installedStems = new Set<string>();
  const serves = (group: string) => opts.groups === undefined || opts.groups.includes(group);
  const applier: HaproxyApplier = {
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
    async applyChanges(changes, view) {
      if (!synced) return undefined;
      const stems = affectedStems(changes, view, installedStems);
      const rendered = view.desired().haproxy.groups;
      const groups = Object.fromEntries(Object.entries(rendered).filter(([group]) => serves(group) && stems.has(groupFileStem(group))));
      const installed = (observed = await observeHaproxy(layout, stems));
      const plan = planHaproxy(opts.name, nodeFiles(haproxyGroupFiles(groups), installed.node), installed);
      installedStems = new Set([...installedStems, ...Object.keys(groups).map(groupFileStem)]);
      if (planIsEmpty(plan)) return { name: opts.name, status: "unchanged" };
      await applyHaproxyPlan({ layout, process: haproxyProcess, counters, installed, ...(opts.log === undefined ? {} : { log: opts.log }) }, plan).catch((error: Error) => {
        synced = false;
        throw error;
      });
      return { name: opts.name, status: "applied", plan: summarisePlan(plan) };
    },
    async syncAll(view) {
      synced = false;
      const desired = view.desired();
      const result = await runApplier(desired, applier, false);
      synced = result.status !== "failed";
      installedStems = new Set(Object.keys(desired.haproxy.groups).filter(serves).map(groupFileStem));
      return result;
    },
  };
  return applier;
}

/**
 * The groups (file stems) a batch's HAProxy keys touch: a changed group's settings, every group
 * a changed service is in (and, since a service's old groups are gone from the view, every
 * group installed when a service changed or left), and the groups of a changed server's
 * service. Their text is rendered again; the plan still sends server moves through the Runtime
 * API and reloads only for what else changed.
 */
function affectedStems(changes: KeyChanges, view: ViewReader, installed: ReadonlySet<string>): Set<string> {
  const stems = new Set<string>();
  const serviceGroups = (backend: string) => view.value<HaproxyServiceObject>(`${KeyPrefix.haproxyService}${keySegment(backend)}`)?.groups ?? [];
  for (const key of [...changes.upserts.keys(), ...changes.deletes]) {
    if (key.startsWith(KeyPrefix.haproxyGroup)) stems.add(groupFileStem(idOfSegment(key.slice(KeyPrefix.haproxyGroup.length))));
    else if (key.startsWith(KeyPrefix.haproxyService)) {
      for (const group of serviceGroups(idOfSegment(key.slice(KeyPrefix.haproxyService.length)))) stems.add(groupFileStem(group));
      for (const stem of installed) stems.add(stem);
    } else if (key.startsWith(KeyPrefix.haproxyServer)) {
      const backend = idOfSegment(key.slice(KeyPrefix.haproxyServer.length, key.lastIndexOf("/")));
      for (const group of serviceGroups(backend)) stems.add(groupFileStem(group));
    }
  }
  return stems;
}

/** A plan that is not empty, as the differences `verify` reports. */
function driftOf(plan: Plan<GroupAction>): string[] {
  const describe = (action: GroupAction) =>
    action.kind === "reload" ? action.reason : action.kind === "runtime" ? (action.commands.length > 0 ? `${action.commands.length} server changes not applied` : "the installed config differs") : "not running";
  return [...[...plan.adds, ...plan.changes].map(([stem, action]) => `${stem}: ${describe(action)}`), ...plan.deletes.map((stem) => `${stem}: still running`)];
}
