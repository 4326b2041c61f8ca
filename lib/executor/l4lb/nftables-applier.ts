/**
 * @module
 * The nftables L4 applier, kube-proxy's nftables proxier habits in small: one pass builds the
 * whole batch, one `nft -f -` transaction applies it, and a record of what was installed makes
 * the next sync partial (only the VIPs and backends that changed, deletions included). A full
 * sync replaces both tables atomically; it happens first, after any failure, and whenever the
 * canary chains are gone (someone flushed the rule set), or on `forceFullSync()`. The kernel is
 * listed only to recover: `nft list` of a large table, or 10k routes, costs more than the change.
 */
import type { DesiredState, L4Service } from "../../desired/schema.ts";
import { canonicalJson } from "../../net/canonical-json.ts";
import { nftModel, type NftModel } from "../../render/nft-model.ts";
import { NFT_FAMILIES, NFT_TABLE, nftablesDelta, renderNftModel } from "../../render/nftables.ts";
import { diffKeyed, type Applier, type Plan } from "../applier.ts";
import { commandRunner, type CommandRunner } from "./run-command.ts";
import { applyRoutes, installedVipRoutes, planRoutes, vipAddresses, type RoutePlan } from "./vip-routes.ts";
import { serviceKey } from "./service-key.ts";
import { deleteStaleFlows, staleUdpFlows, udpBackends, type StaleFlow, type UdpBackends } from "./conntrack.ts";

/** What this applier installed last, or nothing known (the next sync is full). */
export interface NftInstalled {
  model?: NftModel;
  /** Service key → canonical JSON of the service, for plan reports. */
  services: Map<string, string>;
  /** VIP routes on the node: remembered, or listed from the kernel when nothing is remembered. */
  routes: Set<string>;
  /** UDP backends installed, to find the flows a removal leaves behind. */
  udp: UdpBackends;
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
  readonly next: Required<NftInstalled>;
}

/** What the last apply did, for reports and benchmarks. */
export interface NftSyncRecord {
  full: boolean;
  batchBytes: number;
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

/**
 * @example
 * const l4 = createNftablesApplier({ netns: "wf123" });
 * await applyDesired(nodeView(desired, "S1"), [l4]); // full sync, then incremental ones
 */
export function createNftablesApplier(options: NftablesApplierOptions = {}): NftablesApplier {
  const run = options.run ?? commandRunner({ netns: options.netns });
  let installed: Required<NftInstalled> | undefined;
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
      if (installed !== undefined && (await canariesPresent(run))) return installed;
      // Nothing trustworthy remembered: list what is ours (routes, by their protocol) and rebuild.
      installed = undefined;
      return { services: new Map(), routes: await installedVipRoutes(run), udp: new Map() };
    },
    plan(desired, observed) {
      return planNftables(desired.l4lb.services, observed);
    },
    async apply(plan) {
      if (!isNftPlan(plan)) throw new Error("the l4lb applier can only apply a plan it made");
      try {
        // Order of dcos-net#130: stale routes go first, new ones only once their rules exist.
        await applyRoutes(run, "remove", plan.routes.remove);
        if (plan.batch !== "") await run(["nft", "-f", "-"], plan.batch);
        await applyRoutes(run, "add", plan.routes.add);
        await deleteStaleFlows(run, plan.staleFlows);
      } catch (error) {
        // The record no longer says what the kernel runs: the next sync rebuilds everything.
        installed = undefined;
        throw error;
      }
      installed = plan.next;
      lastSync = { full: plan.full, batchBytes: plan.batch.length };
    },
    async verify(desired) {
      const drift: string[] = [];
      if (!(await canariesPresent(run))) drift.push(`table ${NFT_TABLE} is missing`);
      // Listing 10k routes costs more than an incremental sync; a full sync lists, a partial one
      // trusts the exit status of its own route batch.
      if (lastSync?.full) {
        const routes = planRoutes(vipAddresses(desired.l4lb.services), await installedVipRoutes(run));
        if (routes.add.length > 0) drift.push(`VIP routes missing: ${routes.add.join(", ")}`);
        if (routes.remove.length > 0) drift.push(`stale VIP routes: ${routes.remove.join(", ")}`);
      }
      if (drift.length > 0) installed = undefined;
      return drift;
    },
  };
}

/**
 * The plan from what is installed to `services`: full when nothing is known, else the element
 * delta. Pure.
 * @example planNftables(services, { services: new Map(), routes: new Set() }).full // true
 */
export function planNftables(services: readonly L4Service[], observed: NftInstalled): NftPlan {
  const wanted = nftModel(services);
  const wantedServices = new Map(services.map((s) => [serviceKey(s), canonicalJson(s)]));
  const wantedRoutes = vipAddresses(services);
  const udp = udpBackends(services);
  const staleFlows = staleUdpFlows(observed.udp, udp);
  const routes = planRoutes(wantedRoutes, observed.routes);
  const serviceDiff = diffKeyed("l4lb", wantedServices, observed.services, new Set(observed.services.keys()));
  // Routes someone removed or left behind show in the plan too, so a sync repairs them.
  const adds = new Map([...serviceDiff.adds, ...routes.add.map((ip) => [`route ${ip}`, "local"] as const)]);
  const deletes = [...serviceDiff.deletes, ...routes.remove.map((ip) => `route ${ip}`)];
  if (observed.model === undefined) {
    // Nothing is known about the tables (first sync, failure, flushed): replace them whatever they hold.
    const changes = new Map([...serviceDiff.changes, [`table ${NFT_TABLE}`, "full sync"]]);
    const next = { model: wanted, services: wantedServices, routes: wantedRoutes, udp };
    return { applier: "l4lb", adds, changes, deletes, full: true, batch: renderNftModel(wanted), routes, staleFlows, next };
  }
  // Chains a partial sync added stay until the next full sync; the record must say they exist.
  for (const family of NFT_FAMILIES) for (const s of observed.model[family].slotCounts) wanted[family].slotCounts.add(s);
  const next = { model: wanted, services: wantedServices, routes: wantedRoutes, udp };
  return { applier: "l4lb", adds, changes: serviceDiff.changes, deletes, full: false, batch: nftablesDelta(observed.model, wanted), routes, staleFlows, next };
}

function isNftPlan(plan: Plan<string>): plan is NftPlan {
  return "batch" in plan && "next" in plan;
}

/** The base chains exist in both tables: cheap to list, and gone if anyone deleted the tables. */
async function canariesPresent(run: CommandRunner): Promise<boolean> {
  try {
    for (const family of NFT_FAMILIES) await run(["nft", "list", "chain", family, NFT_TABLE, "prerouting"]);
    return true;
  } catch {
    return false;
  }
}
