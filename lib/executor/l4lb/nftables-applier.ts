/**
 * @module
 * The nftables L4 applier, kube-proxy's nftables proxier habits in small: one pass builds the
 * whole batch, one `nft -f -` transaction applies it, and a record of what was installed makes
 * the next sync partial (only the VIPs and backends that changed, deletions included). A full
 * sync replaces both tables atomically; it happens first, on `forceFullSync()`, when the
 * canary says the tables were flushed or deleted behind the applier's back (checked on every
 * sync, the periodic resync included, so such damage is repaired within one), and at once
 * when a partial transaction fails, in the same apply. The kernel is listed only to recover:
 * `nft list` of a large table, or 10k routes, costs more than the change, and a partial sync
 * here takes a few tens of milliseconds.
 */
import type { L4Service } from "../../desired/schema.ts";
import { serviceRules, type NftServiceRules } from "../../render/nft-model.ts";
import { NFT_TABLE, renderNftRules } from "../../render/nftables.ts";
import { nftablesDelta, nftIndex, type NftIndex } from "../../render/nftables-delta.ts";
import type { Applier, Plan } from "../applier.ts";
import { installProblem } from "./check-service.ts";
import { canaryDamage } from "./nft-canary.ts";
import { deleteStaleFlows, staleUdpFlows, type StaleFlow } from "./conntrack.ts";
import { commandRunner, type CommandRunner } from "../run-command.ts";
import { serviceKey } from "./service-key.ts";
import { applyRoutes, installedVipRoutes, planRoutes, vipAddresses, type RoutePlan } from "./vip-routes.ts";

/** What one installed service looks like: the facts its rules depend on, and the rules. */
export interface InstalledService {
  protocol: "tcp" | "udp";
  port: number;
  backends: ReadonlyArray<{ ip: string; port: number; weight: number }>;
  rules: NftServiceRules;
}

/** What the applier knows is installed. `known: false` means nothing: the next sync is full. */
export interface NftInstalled {
  known: boolean;
  services: ReadonlyMap<string, InstalledService>;
  index: NftIndex;
  /** VIP routes: remembered, or listed from the kernel when nothing is remembered. */
  routes: ReadonlySet<string>;
  /** Why the record was dropped (the canary found the tables damaged), when it was. */
  damage?: string;
}

/** One service's move, by service key. */
export interface NftServiceChange {
  key: string;
  before?: InstalledService;
  after?: InstalledService;
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
  /** The desired services, for the full sync a failed partial one falls back to. */
  readonly desired: readonly L4Service[];
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
}

export interface NftablesApplier extends Applier<NftInstalled, string> {
  /** The last successful apply, if any. */
  readonly lastSync: NftSyncRecord | undefined;
  /**
   * Forgets what was installed, so the next sync lists the VIP routes and replaces the tables
   * whole: what a periodic resync calls to repair changes made behind the applier's back.
   */
  forceFullSync(): void;
}

const UNKNOWN_INDEX: NftIndex = { chains: { ip: new Set(), ip6: new Set() }, addressUse: new Map() };

/**
 * @example
 * const l4 = createNftablesApplier({ netns: "wf123" });
 * await applyDesired(nodeView(desired, "S1"), [l4]); // full sync, then partial ones
 */
export function createNftablesApplier(options: NftablesApplierOptions = {}): NftablesApplier {
  const run = options.run ?? commandRunner({ netns: options.netns });
  let installed: { services: Map<string, InstalledService>; index: NftIndex; routes: ReadonlySet<string> } | undefined;
  let lastSync: NftSyncRecord | undefined;

  return {
    name: "l4lb",
    get lastSync() {
      return lastSync;
    },
    forceFullSync() {
      installed = undefined;
    },
    async observe() {
      const damage = installed === undefined ? undefined : await canaryDamage(run);
      if (installed !== undefined && damage === undefined) return { known: true, ...installed };
      // Nothing remembered, or the record no longer holds: list what is ours (routes, by their
      // protocol) and rebuild.
      installed = undefined;
      const routes = await installedVipRoutes(run);
      return { known: false, services: new Map(), index: UNKNOWN_INDEX, routes, ...(damage === undefined ? {} : { damage }) };
    },
    plan(desired, observed) {
      return planNftables(desired.l4lb.services, observed);
    },
    async apply(plan) {
      if (!isNftPlan(plan)) throw new Error("the l4lb applier can only apply a plan it made");
      const before = installed;
      // Until this apply succeeds the record may not match the kernel.
      installed = undefined;
      try {
        await carryOut(run, plan);
        lastSync = { full: plan.full, batchBytes: plan.batch.length, ...(plan.repairs === undefined ? {} : { fallback: plan.repairs.join("; ") }) };
        installed = recordAfter(plan, before);
      } catch (error) {
        if (plan.full) throw error;
        // The tables are not what the record says (flushed, edited by hand): replace them whole.
        const full = planNftables(plan.desired, { known: false, services: new Map(), index: UNKNOWN_INDEX, routes: await installedVipRoutes(run) });
        await carryOut(run, full);
        lastSync = { full: true, batchBytes: full.batch.length, fallback: (error as Error).message };
        installed = recordAfter(full, undefined);
      }
    },
    async verify(desired) {
      // A partial sync is one atomic transaction; its exit status is the evidence. A full sync
      // checks that both tables are there and lists the routes.
      if (lastSync?.full === false) return [];
      const drift: string[] = [];
      const damage = await canaryDamage(run);
      if (damage !== undefined) drift.push(damage);
      const routes = planRoutes(vipAddresses(desired.l4lb.services), await installedVipRoutes(run));
      if (routes.add.length > 0) drift.push(`VIP routes missing: ${routes.add.join(", ")}`);
      if (routes.remove.length > 0) drift.push(`stale VIP routes: ${routes.remove.join(", ")}`);
      if (drift.length > 0) installed = undefined;
      return drift;
    },
  };

  function recordAfter(plan: NftPlan, before: typeof installed) {
    const services = plan.full || before === undefined ? new Map<string, InstalledService>() : before.services;
    for (const change of plan.serviceChanges) {
      if (change.after === undefined) services.delete(change.key);
      else services.set(change.key, change.after);
    }
    return { services, index: plan.nextIndex, routes: plan.nextRoutes };
  }
}

/** Routes, rules, stale flows, in the order of dcos-net#130: stale routes first, new ones once their rules exist. */
async function carryOut(run: CommandRunner, plan: NftPlan): Promise<void> {
  await applyRoutes(run, "remove", plan.routes.remove);
  if (plan.batch !== "") await run(["nft", "-f", "-"], plan.batch);
  await applyRoutes(run, "add", plan.routes.add);
  await deleteStaleFlows(run, plan.staleFlows);
}

/**
 * The plan from what is installed to `services`. Only services whose backends changed get
 * their rules rebuilt (and checked: a value that is not what it claims throws before anything
 * runs), so a partial sync among 10k VIPs costs what the change costs. Pure.
 * @example planNftables(services, { known: false, services: new Map(), index, routes: new Set() }).full // true
 */
export function planNftables(services: readonly L4Service[], observed: NftInstalled): NftPlan {
  const changes: NftServiceChange[] = [];
  const keys = services.map(serviceKey);
  const wanted = new Set(keys);
  if (wanted.size !== keys.length) throw new Error(`the desired state lists a VIP twice: ${keys.find((k, i) => keys.indexOf(k) !== i)}`);
  let kept = 0;
  services.forEach((service, i) => {
    const before = observed.services.get(keys[i]!);
    if (before !== undefined) kept++;
    if (before !== undefined && sameBackends(before, service)) return;
    changes.push({ key: keys[i]!, before, after: installedService(service, keys[i]!) });
  });
  // Every installed service still desired (the common case): nothing to look for.
  if (kept < observed.services.size) {
    for (const [key, before] of observed.services) if (!wanted.has(key)) changes.push({ key, before });
  }

  const adds = new Map<string, string>();
  const updates = new Map<string, string>();
  const deletes: string[] = [];
  for (const c of changes) {
    if (c.before === undefined) adds.set(c.key, "service");
    else if (c.after === undefined) deletes.push(c.key);
    else updates.set(c.key, "service");
  }
  const staleFlows = staleUdpFlows(changes);

  if (!observed.known) {
    const rules = changes.flatMap((c) => (c.after === undefined ? [] : [c.after.rules]));
    const nextRoutes = vipAddresses(services);
    const routes = planRoutes(nextRoutes, observed.routes);
    // Nothing is known about the tables (first sync, failure, flushed): replace them whatever they hold.
    updates.set(`table ${NFT_TABLE}`, "full sync");
    const repairs = observed.damage === undefined ? {} : { repairs: [observed.damage] };
    return plan(adds, updates, deletes, routes, { full: true, batch: renderNftRules(rules), staleFlows, serviceChanges: changes, nextIndex: nftIndex(rules), nextRoutes, desired: services, ...repairs });
  }
  const delta = nftablesDelta(changes.map((c) => ({ before: c.before?.rules, after: c.after?.rules })), observed.index);
  const routes = { add: delta.addressesAdded, remove: delta.addressesRemoved };
  const nextRoutes = new Set(observed.routes);
  for (const ip of routes.remove) nextRoutes.delete(ip);
  for (const ip of routes.add) nextRoutes.add(ip);
  return plan(adds, updates, deletes, routes, { full: false, batch: delta.batch, staleFlows, serviceChanges: changes, nextIndex: delta.index, nextRoutes, desired: services });
}

function plan(
  adds: Map<string, string>,
  changes: Map<string, string>,
  deletes: string[],
  routes: RoutePlan,
  rest: Omit<NftPlan, "applier" | "adds" | "changes" | "deletes" | "routes">,
): NftPlan {
  // Routes show in the plan too, so a sync that only repairs routes is not "unchanged".
  for (const ip of routes.add) adds.set(`route ${ip}`, "local");
  deletes.push(...routes.remove.map((ip) => `route ${ip}`));
  return { applier: "l4lb", adds, changes, deletes, routes, ...rest };
}

function installedService(service: L4Service, key: string): InstalledService {
  const problem = installProblem(service);
  if (problem !== undefined) throw new Error(`cannot install ${key}: ${problem}`);
  return {
    protocol: service.vip.protocol,
    port: service.vip.port,
    backends: service.backends.map((b) => ({ ip: b.ip, port: b.port, weight: b.weight })),
    rules: serviceRules(service),
  };
}

/** The service key already fixes the VIP; the rules depend only on the backends' addresses and weights. */
function sameBackends(installed: InstalledService, service: L4Service): boolean {
  const a = installed.backends;
  const b = service.backends;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.ip !== b[i]!.ip || a[i]!.port !== b[i]!.port || a[i]!.weight !== b[i]!.weight) return false;
  }
  return true;
}

function isNftPlan(plan: Plan<string>): plan is NftPlan {
  return "batch" in plan && "serviceChanges" in plan;
}
