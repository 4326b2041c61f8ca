/**
 * @module
 * The nftables L4 applier, kube-proxy's nftables proxier habits in small: one pass builds the
 * whole batch, one nft transaction applies it, and a record of what was installed makes the next
 * sync partial (only the VIPs and backends that changed, deletions included). Partial batches
 * and canary checks go to long-lived nft processes (`nft-batches.ts`), a full table to `nft -f`
 * in a process of its own. A full sync replaces both tables atomically; it happens on
 * `forceFullSync()`, when the canary says the tables were flushed or deleted behind the
 * applier's back (checked on every sync, the periodic resync included, so such damage is
 * repaired within one; the check is one transaction the kernel aborts), at once when a partial
 * transaction fails, in the same apply, and when the tables are missing or not as rendered.
 *
 * The kernel is listed only when nothing is remembered (a new process: a one-shot `wayfinder
 * l4lb`, a restarted agent): its tables are read back (`nft-listing.ts`) and planned against, so
 * a dry run says what an apply would change and an apply of what the node runs changes nothing.
 * After that the record is the truth: `nft list` of a large table, or 10k routes, costs more
 * than the change, and a partial sync here costs its batch (a few ms) and the canary's check.
 */
import type { L4Service } from "../../desired/schema.ts";
import { NFT_TABLE, renderNftRules } from "../../render/nftables.ts";
import { nftablesDelta, nftIndex, type NftIndex } from "../../render/nftables-delta.ts";
import { planIsEmpty, summarisePlan, type Applier, type Plan } from "../applier.ts";
import { runApplier } from "../apply-desired.ts";
import type { ChangeApplier } from "../keyed-applier.ts";
import { installedService, readBackService, sameInstall, type InstalledService, type NftServiceChange } from "./installed-service.ts";
import { keyedServiceChanges, viewServiceKeys } from "./nft-key-changes.ts";
import { canaryDamage } from "./nft-canary.ts";
import { deleteStaleFlows, staleUdpFlows, type StaleFlow } from "./conntrack.ts";
import { commandRunner, type CommandRunner } from "../run-command.ts";
import { nftProcesses, nftSessions, type NftBatches } from "../nft-batches.ts";
import { listNftTables } from "./nft-listing.ts";
import { serviceKey } from "./service-key.ts";
import { applyRoutes, LOOPBACK_UP_KEY, observeVipRoutes, planRoutes, vipAddresses, type RoutePlan, type VipRouteState } from "./vip-routes.ts";

/**
 * What the applier knows is installed: what its last apply left (`memory`), what the kernel's
 * tables hold (`kernel`), or nothing (`none`, with the reason): the next sync is then full.
 */
export interface InstalledNftables extends VipRouteState {
  source: "memory" | "kernel" | "none";
  reason?: string;
  services: ReadonlyMap<string, InstalledService>;
  index: NftIndex;
  /** Why the record was dropped (the canary found the tables damaged), when it was. */
  damage?: string;
}

/** A plan plus the batch that carries it out. */
export interface NftPlan extends Plan<string> {
  /** True when the tables are replaced as a whole. */
  readonly full: boolean;
  /** The `nft -f` transaction ("" when the tables already match). */
  readonly batch: string;
  readonly routes: RoutePlan;
  /** UDP conntrack entries to delete after the transaction. */
  readonly staleFlows: StaleFlow[];
  readonly serviceChanges: NftServiceChange[];
  readonly nextIndex: NftIndex;
  readonly nextRoutes: ReadonlySet<string>;
  /** The services the plan started from; a partial sync's record is this plus `serviceChanges`. */
  readonly installedServices: ReadonlyMap<string, InstalledService>;
  /**
   * The desired services, for the full sync a failed partial one falls back to; undefined for a
   * plan of changed keys only (`planNftChanges`), whose caller falls back to a full sync itself.
   */
  readonly desired: readonly L4Service[] | undefined;
}

/** What the last apply did, for reports and benchmarks. */
export interface NftSyncRecord {
  full: boolean;
  batchBytes: number;
  /** Why a partial sync became a full one, when it did. */
  fallback?: string;
}

export interface NftablesApplierOptions {
  /** Program this network namespace instead of the host's. */
  netns?: string;
  /** Runs commands; default spawns them (inside `netns`). Tests pass a recording fake. */
  run?: CommandRunner;
  /**
   * Where nft batches and canary checks go; default: long-lived nft sessions in `netns` (no
   * process per sync), or `nft -f -` through `run` when a runner is given.
   */
  nft?: NftBatches;
}

export interface NftablesApplier extends Applier<InstalledNftables, string>, ChangeApplier {
  /** The last successful apply, if any. */
  readonly lastSync: NftSyncRecord | undefined;
  /**
   * Forgets what was installed, so the next sync lists the VIP routes and replaces the tables
   * whole: what a periodic resync calls to repair changes made behind the applier's back.
   */
  forceFullSync(): void;
  /** Ends the long-lived nft processes (an idle one never keeps the process alive). */
  close(): Promise<void>;
}

const UNKNOWN_INDEX: NftIndex = { chains: { ip: new Set(), ip6: new Set() }, addressUse: new Map() };

/**
 * @example
 * const l4 = createNftablesApplier({ netns: "wf123" });
 * await applyDesired(nodeView(desired, "S1"), [l4]); // full sync, then partial ones
 */
export function createNftablesApplier(options: NftablesApplierOptions = {}): NftablesApplier {
  const run = options.run ?? commandRunner({ netns: options.netns });
  const nft = options.nft ?? (options.run === undefined ? nftSessions(run, { netns: options.netns }) : nftProcesses(run));
  let installed: { services: Map<string, InstalledService>; index: NftIndex; routes: ReadonlySet<string> } | undefined;
  let lastSync: NftSyncRecord | undefined;
  let fullSyncAsked = false;
  /** On the delta path: the service key each `l4lb/...` view key stands for (set by a full sync). */
  let viewKeys: Map<string, string> | undefined;

  const applier: NftablesApplier = {
    name: "l4lb",
    get lastSync() {
      return lastSync;
    },
    forceFullSync() {
      installed = undefined;
      fullSyncAsked = true;
    },
    close: () => nft.close(),
    async observe() {
      const damage = installed === undefined ? undefined : await canaryDamage(nft);
      // The apply that made the record left lo up, or found it so.
      if (installed !== undefined && damage === undefined) return { source: "memory", ...installed, loopbackUp: true };
      // Nothing remembered, or the record no longer holds: list what is ours (routes, by their
      // protocol; the tables) from the kernel.
      installed = undefined;
      const routes = await observeVipRoutes(run);
      if (damage !== undefined) return { ...unknown(routes, damage), damage };
      if (fullSyncAsked) return unknown(routes, "a full sync was asked for");
      const listed = await listNftTables(run);
      if (!listed.ok) return unknown(routes, listed.problem);
      // What the kernel holds is the record from now on: the next sync does not list it again.
      installed = { services: new Map(listed.rules.map(readBackService)), index: { chains: listed.chains, addressUse: nftIndex(listed.rules).addressUse }, routes: routes.routes };
      return { source: "kernel", ...installed, loopbackUp: routes.loopbackUp };
    },
    plan(desired, observed) {
      return planNftables(desired.l4lb.services, observed);
    },
    async apply(plan) {
      if (!isNftPlan(plan)) throw new Error("the l4lb applier can only apply a plan it made");
      // Until this apply succeeds the record may not match the kernel.
      installed = undefined;
      try {
        await carryOut(run, nft, plan);
        lastSync = { full: plan.full, batchBytes: plan.batch.length, ...(plan.repairs === undefined ? {} : { fallback: plan.repairs.join("; ") }) };
        installed = recordAfter(plan);
        if (plan.full) fullSyncAsked = false;
      } catch (error) {
        if (plan.full || plan.desired === undefined) throw error;
        // The tables are not what the record says (flushed, edited by hand): replace them whole.
        const full = planNftables(plan.desired, unknown(await observeVipRoutes(run), "a partial sync failed"));
        await carryOut(run, nft, full);
        lastSync = { full: true, batchBytes: full.batch.length, fallback: (error as Error).message };
        installed = recordAfter(full);
        fullSyncAsked = false;
      }
    },
    async verify(desired) {
      // A partial sync is one atomic transaction; its exit status is the evidence. A full sync
      // checks that both tables are there and lists the routes.
      if (lastSync?.full === false) return [];
      const drift: string[] = [];
      const damage = await canaryDamage(nft);
      if (damage !== undefined) drift.push(damage);
      const routes = planRoutes(vipAddresses(desired.l4lb.services), await observeVipRoutes(run));
      if (routes.upLoopback) drift.push("lo is down");
      if (routes.add.length > 0) drift.push(`VIP routes missing: ${routes.add.join(", ")}`);
      if (routes.remove.length > 0) drift.push(`stale VIP routes: ${routes.remove.join(", ")}`);
      if (drift.length > 0) installed = undefined;
      return drift;
    },
    // kube-proxy's partial sync: the changed keys' services against the record, one
    // transaction; anything unexpected (no record, the canary) is a full sync instead.
    async applyChanges(changes, view) {
      if (installed === undefined || viewKeys === undefined) return undefined;
      if ((await canaryDamage(nft)) !== undefined) return undefined;
      const moved = keyedServiceChanges(changes, view.node, installed.services, viewKeys);
      const plan = planNftChanges(moved.changes, { source: "memory", ...installed, loopbackUp: true });
      viewKeys = moved.viewKeys;
      if (planIsEmpty(plan)) return { name: "l4lb", status: "unchanged" };
      try {
        await applier.apply(plan);
      } catch (error) {
        viewKeys = undefined;
        throw error;
      }
      return { name: "l4lb", status: "applied", plan: summarisePlan(plan) };
    },
    async syncAll(view) {
      viewKeys = undefined;
      const result = await runApplier(view.desired(), applier, false);
      if (result.status !== "failed") viewKeys = viewServiceKeys(view.valuesUnder<L4Service>("l4lb/"), view.node);
      return result;
    },
  };
  return applier;

  /** What the kernel runs after `plan`. The map a partial plan started from is this applier's own (observe made it), so it is updated in place. */
  function recordAfter(plan: NftPlan) {
    const services = plan.full ? new Map<string, InstalledService>() : (plan.installedServices as Map<string, InstalledService>);
    for (const change of plan.serviceChanges) {
      if (change.after === undefined) services.delete(change.key);
      else services.set(change.key, change.after);
    }
    return { services, index: plan.nextIndex, routes: plan.nextRoutes };
  }
}

/** Routes, rules, stale flows, in the order of dcos-net#130: stale routes first, new ones once their rules exist. */
async function carryOut(run: CommandRunner, nft: NftBatches, plan: NftPlan): Promise<void> {
  await applyRoutes(run, "remove", plan.routes.remove);
  if (plan.batch !== "") await nft.apply(plan.batch);
  await applyRoutes(run, "add", plan.routes.add, plan.routes.upLoopback);
  await deleteStaleFlows(run, plan.staleFlows);
}

/**
 * The plan from what is installed to `services`. Only services whose backends changed get
 * their rules rebuilt (and checked: a value that is not what it claims throws before anything
 * runs), so a partial sync among 10k VIPs costs what the change costs. Pure.
 * @example planNftables(services, { source: "none", services: new Map(), index, routes: new Set(), loopbackUp: true }).full // true
 */
export function planNftables(services: readonly L4Service[], observed: InstalledNftables): NftPlan {
  return planOfChanges(serviceChangesOf(services, observed), observed, services);
}

/**
 * The plan of some services' changes only (the keys a batch changed), from the record: what a
 * partial sync costs is what changed. Pure.
 * @example planNftChanges([{ key: "tcp 11.0.0.1:80", before, after }], { source: "memory", ...record, loopbackUp: true }).full // false
 */
export function planNftChanges(changes: NftServiceChange[], observed: InstalledNftables): NftPlan {
  if (observed.source !== "memory") throw new Error("a plan of changes needs the applier's record of what is installed");
  return planOfChanges(changes, observed, undefined);
}

/** Every service that differs between `services` and the record, deletions included. */
function serviceChangesOf(services: readonly L4Service[], observed: InstalledNftables): NftServiceChange[] {
  const changes: NftServiceChange[] = [];
  const keys = services.map(serviceKey);
  const wanted = new Set(keys);
  if (wanted.size !== keys.length) throw new Error(`the desired state lists a VIP twice: ${keys.find((k, i) => keys.indexOf(k) !== i)}`);
  let kept = 0;
  services.forEach((service, i) => {
    const before = observed.services.get(keys[i]!);
    if (before !== undefined) kept++;
    if (before !== undefined && sameInstall(before, service)) return;
    changes.push({ key: keys[i]!, before, after: installedService(service, keys[i]!) });
  });
  // Every installed service still desired (the common case): nothing to look for.
  if (kept < observed.services.size) {
    for (const [key, before] of observed.services) if (!wanted.has(key)) changes.push({ key, before });
  }
  return changes;
}

function planOfChanges(changes: NftServiceChange[], observed: InstalledNftables, services: readonly L4Service[] | undefined): NftPlan {
  const adds = new Map<string, string>();
  const updates = new Map<string, string>();
  const deletes: string[] = [];
  for (const c of changes) {
    if (c.before === undefined) adds.set(c.key, "service");
    else if (c.after === undefined) deletes.push(c.key);
    else updates.set(c.key, "service");
  }
  const staleFlows = staleUdpFlows(changes);

  const common = { staleFlows, serviceChanges: changes, desired: services, installedServices: observed.services };
  if (observed.source === "none") {
    const rules = changes.flatMap((c) => (c.after === undefined ? [] : [c.after.rules]));
    const nextRoutes = vipAddresses(services!);
    // Nothing is known about the tables (first sync, failure, flushed): replace them whatever they hold.
    updates.set(`table ${NFT_TABLE}`, `full sync: ${observed.reason ?? "nothing is known"}`);
    const repairs = observed.damage === undefined ? {} : { repairs: [observed.damage] };
    return plan(adds, updates, deletes, planRoutes(nextRoutes, observed), { full: true, batch: renderNftRules(rules), nextIndex: nftIndex(rules), nextRoutes, ...common, ...repairs });
  }
  const delta = nftablesDelta(changes.map((c) => ({ before: c.before?.rules, after: c.after?.rules })), observed.index);
  if (observed.source === "kernel") {
    // The routes were listed too: repair any that are missing, not only those of changed addresses.
    const nextRoutes = vipAddresses(services!);
    return plan(adds, updates, deletes, planRoutes(nextRoutes, observed), { full: false, batch: delta.batch, nextIndex: delta.index, nextRoutes, ...common });
  }
  const routes = { add: delta.addressesAdded, remove: delta.addressesRemoved };
  const nextRoutes = new Set(observed.routes);
  for (const ip of routes.remove) nextRoutes.delete(ip);
  for (const ip of routes.add) nextRoutes.add(ip);
  return plan(adds, updates, deletes, routes, { full: false, batch: delta.batch, nextIndex: delta.index, nextRoutes, ...common });
}

function plan(
  adds: Map<string, string>,
  changes: Map<string, string>,
  deletes: string[],
  routes: RoutePlan,
  rest: Omit<NftPlan, "applier" | "adds" | "changes" | "deletes" | "routes">,
): NftPlan {
  // Routes show in the plan too, so a sync that only repairs routes is not "unchanged".
  if (routes.upLoopback) changes.set(LOOPBACK_UP_KEY, "VIP routes need lo up");
  for (const ip of routes.add) adds.set(`route ${ip}`, "local");
  deletes.push(...routes.remove.map((ip) => `route ${ip}`));
  return { applier: "l4lb", adds, changes, deletes, routes, ...rest };
}

function unknown(routes: VipRouteState, reason: string): InstalledNftables {
  return { source: "none", reason, services: new Map(), index: UNKNOWN_INDEX, ...routes };
}
function isNftPlan(plan: Plan<string>): plan is NftPlan {
  return "batch" in plan && "serviceChanges" in plan;
}
