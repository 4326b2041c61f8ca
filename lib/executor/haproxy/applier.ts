/**
 * @module
 * The HAProxy applier: one master-worker HAProxy per LB group of the desired state, fed from
 * `haproxy.groups`. Scale events and task replacements become Runtime API commands (no reload,
 * no new worker); anything else is a validated, hitless reload through the master CLI. It
 * keeps counters of what it did, so an operator (and the churn test) can see how many changes
 * needed a reload. Configs are fitted to the node before they are planned (`node-fit.ts`). It
 * runs the groups placed on its node (`group-choice.ts`: `haproxy.nodes`, narrowed by
 * `--haproxy-groups`, less two groups that would share a port). On the delta path only the
 * groups a batch's `haproxy/...` keys touch are planned and applied: their masters asked, the
 * others left untouched; a change of the node's placement (`node/<agent>/haproxy`) plans them all.
 */
import { idOfSegment, keySegment, KeyPrefix, ObjectKeys } from "../../desired/object-keys.ts";
import type { HaproxyServiceObject } from "../../desired/object-values.ts";
import type { DesiredState } from "../../desired/schema.ts";
import { groupFileStem, haproxyGroupFiles } from "../../render/haproxy/group-files.ts";
import { planIsEmpty, summarisePlan, type Applier, type ApplierLog, type Plan } from "../applier.ts";
import { runApplier } from "../apply-desired.ts";
import type { ChangeApplier, KeyChanges, ViewReader } from "../keyed-applier.ts";
import { applyHaproxyPlan, type HaproxyCounters } from "./apply.ts";
import { clashMessage, groupChoice, type GroupChoice } from "./group-choice.ts";
import { haproxyLayout } from "./layout.ts";
import { nodeFiles, type NodeFacts } from "./node-fit.ts";
import { observeHaproxy, type InstalledHaproxy } from "./observe.ts";
import { planHaproxy, type GroupAction } from "./plan.ts";

export interface HaproxyApplierOptions {
  /** The directory the applier owns (`conf/`, `run/`, `staging/` below it). */
  dir: string;
  /** The HAProxy binary. Default `haproxy` (from PATH). */
  binary?: string;
  /** `--haproxy-groups`: run only these of the groups placed on the node; default all of them. */
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
  const choose = (desired: DesiredState) => groupChoice(desired, opts.groups);
  const wanted = (choice: GroupChoice, node: NodeFacts) => nodeFiles(haproxyGroupFiles(choice.run), node);
  const heldStems = (choice: GroupChoice) => new Set([...choice.held].map(groupFileStem));
  /**
   * The clashes last said, so that each is logged when it appears, not at every sync. Said when
   * a plan is applied, and at every delta-path sync; a whole-state sync with nothing to apply
   * leaves it to the control plane's `haproxy.group-clash` diagnostic.
   */
  let said = "";
  const sayClashes = (choice: GroupChoice) => {
    const now = choice.clashes.map(clashMessage).join("\n");
    if (now !== said && now !== "") for (const clash of choice.clashes) opts.log?.warn(clashMessage(clash), { groups: clash.groups, port: clash.port });
    said = now;
  };
  let observed: InstalledHaproxy | undefined;
  /** The choice the last plan was made for (its clashes are said when it is applied). */
  let planned: GroupChoice | undefined;
  /** True once a full sync succeeded: the groups a batch did not change are as desired. */
  let synced = false;
  /** The groups (by file stem) the last syncs installed. */
  let installedStems = new Set<string>();
  /** The groups held back at the last apply. */
  let heldBefore = new Set<string>();
  const applier: HaproxyApplier = {
    name: opts.name,
    counters,
    observe: async () => (observed = await observeHaproxy(layout)),
    plan: (desired, installed) => {
      const choice = (planned = choose(desired));
      return planHaproxy(opts.name, wanted(choice, installed.node), installed, heldStems(choice));
    },
    apply: async (plan) => {
      if (planned !== undefined) sayClashes(planned);
      const installed = observed ?? (await observeHaproxy(layout));
      await applyHaproxyPlan({ layout, process: haproxyProcess, counters, installed, ...(opts.log === undefined ? {} : { log: opts.log }) }, plan);
    },
    // The plan already compares files, processes and every running server with the desired state.
    verify: async (desired) => {
      const installed = await observeHaproxy(layout);
      const choice = choose(desired);
      return driftOf(planHaproxy(opts.name, wanted(choice, installed.node), installed, heldStems(choice)));
    },
    async applyChanges(changes, view) {
      if (!synced) return undefined;
      const choice = choose(view.desired());
      sayClashes(choice);
      const held = heldStems(choice);
      const placementMoved = changes.upserts.has(ObjectKeys.nodeHaproxy(view.node)) || changes.deletes.has(ObjectKeys.nodeHaproxy(view.node)) || !sameSet(held, heldBefore);
      const touched = placementMoved ? new Set([...installedStems, ...heldBefore, ...Object.keys(view.desired().haproxy.groups).map(groupFileStem)]) : affectedStems(changes, view, installedStems);
      const stems = new Set([...touched].filter((stem) => !held.has(stem)));
      const groups = Object.fromEntries(Object.entries(choice.run).filter(([group]) => stems.has(groupFileStem(group))));
      const installed = (observed = await observeHaproxy(layout, stems));
      const plan = planHaproxy(opts.name, nodeFiles(haproxyGroupFiles(groups), installed.node), installed, held);
      installedStems = new Set([...installedStems, ...Object.keys(groups).map(groupFileStem)]);
      heldBefore = held;
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
      const choice = choose(desired);
      // Said here too: a sync whose plan was empty (the clash changed nothing the node runs) has no apply.
      sayClashes(choice);
      installedStems = new Set([...Object.keys(choice.run), ...choice.held].map(groupFileStem));
      heldBefore = heldStems(choice);
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

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/** A plan that is not empty, as the differences `verify` reports. */
function driftOf(plan: Plan<GroupAction>): string[] {
  const describe = (action: GroupAction) =>
    action.kind === "reload" ? action.reason : action.kind === "runtime" ? (action.commands.length > 0 ? `${action.commands.length} server changes not applied` : "the installed config differs") : "not running";
  return [...[...plan.adds, ...plan.changes].map(([stem, action]) => `${stem}: ${describe(action)}`), ...plan.deletes.map((stem) => `${stem}: still running`)];
}
