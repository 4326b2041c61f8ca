/**
 * @module
 * The IPVS L4 applier, for kernels that have IPVS: what dcos-l4lb programmed (wlc, masquerading,
 * weights), sent with `ipvsadm-restore`. It diffs against `ipvsadm-save -n` (cheap to list, unlike
 * a large nft table) and sends only the changes, editing weights in place so a draining backend
 * keeps its connections. It touches only services on VIP addresses: those it routes or is asked
 * for. Without IPVS in the kernel it fails before writing anything, naming the fix.
 */
import { existsSync } from "node:fs";
import type { DesiredState } from "../../desired/schema.ts";
import { ipvsDelta, ipvsServices, parseIpvsadmSave, type IpvsService } from "../../render/ipvsadm.ts";
import type { Applier, Plan } from "../applier.ts";
import { installProblem } from "./check-service.ts";
import { commandRunner, type CommandRunner } from "../run-command.ts";
import { applyRoutes, LOOPBACK_UP_KEY, observeVipRoutes, planRoutes, vipAddresses, type RoutePlan, type VipRouteState } from "./vip-routes.ts";

/** Present when the kernel has IPVS loaded (the module is global to all namespaces). */
export const IPVS_PROC = "/proc/net/ip_vs";

export interface InstalledIpvs extends VipRouteState {
  services: IpvsService[];
}

export interface IpvsPlan extends Plan<string> {
  readonly commands: string;
  readonly routes: RoutePlan;
}

export interface IpvsApplierOptions {
  netns?: string;
  run?: CommandRunner;
  /** Whether the kernel has IPVS; default: `/proc/net/ip_vs` exists. */
  available?: () => boolean;
}

/**
 * @example createIpvsApplier().observe() // rejects "IPVS is not available in this kernel ..." here
 */
export function createIpvsApplier(options: IpvsApplierOptions = {}): Applier<InstalledIpvs, string> {
  const run = options.run ?? commandRunner({ netns: options.netns });
  const available = options.available ?? (() => existsSync(IPVS_PROC));
  const observe = async (): Promise<InstalledIpvs> => {
    if (!available()) {
      throw new Error(`IPVS is not available in this kernel (${IPVS_PROC} is missing): load ip_vs and ip_vs_wlc, or use --l4-backend nftables; nothing was changed`);
    }
    return { services: parseIpvsadmSave(await run(["ipvsadm-save", "-n"])), ...(await observeVipRoutes(run)) };
  };
  return {
    name: "l4lb",
    observe,
    plan: (desired, installed) => planIpvs(desired, installed),
    async apply(plan) {
      if (!("commands" in plan)) throw new Error("the l4lb applier can only apply a plan it made");
      const { commands, routes } = plan as IpvsPlan;
      await applyRoutes(run, "remove", routes.remove);
      if (commands !== "") await run(["ipvsadm-restore"], commands);
      await applyRoutes(run, "add", routes.add, routes.upLoopback);
    },
    async verify(desired) {
      const plan = planIpvs(desired, await observe());
      return [...plan.adds.keys(), ...plan.changes.keys(), ...plan.deletes].map((k) => `differs: ${k}`);
    },
  };
}

/**
 * The commands from what IPVS runs to what `desired` asks. Services on other addresses are
 * someone else's and are left alone. Pure.
 * @example planIpvs(desired, { services: [], routes: new Set(), loopbackUp: true }).commands // "-A -t 11.171.172.79:80 -s wlc\n..."
 */
export function planIpvs(desired: DesiredState, installed: InstalledIpvs): IpvsPlan {
  for (const service of desired.l4lb.services) {
    const problem = installProblem(service);
    if (problem !== undefined) throw new Error(`cannot install ${service.vip.protocol} ${service.vip.ip}:${service.vip.port}: ${problem}`);
  }
  const wanted = ipvsServices(desired.l4lb.services);
  const wantedRoutes = vipAddresses(desired.l4lb.services);
  const ours = new Set([...installed.routes, ...wantedRoutes]);
  const current = installed.services.filter((s) => ours.has(addressOf(s.key)));
  const routes = planRoutes(wantedRoutes, installed);
  const before = new Map(current.map((s) => [s.key, s]));
  const after = new Map(wanted.map((s) => [s.key, s]));
  const adds = new Map<string, string>();
  const changes = new Map<string, string>();
  for (const s of wanted) {
    const old = before.get(s.key);
    if (old === undefined) adds.set(s.key, s.scheduler);
    else if (ipvsDelta([old], [s]) !== "") changes.set(s.key, s.scheduler);
  }
  if (routes.upLoopback) changes.set(LOOPBACK_UP_KEY, "VIP routes need lo up");
  for (const ip of routes.add) adds.set(`route ${ip}`, "local");
  const deletes = [...[...before.keys()].filter((k) => !after.has(k)), ...routes.remove.map((ip) => `route ${ip}`)];
  return { applier: "l4lb", adds, changes, deletes, commands: ipvsDelta(current, wanted), routes };
}

/** `-t 11.0.0.1:80` → `11.0.0.1`; `-u [fd01:c::1]:53` → `fd01:c::1`. */
function addressOf(key: string): string {
  const endpoint = key.slice(3);
  return endpoint.startsWith("[") ? endpoint.slice(1, endpoint.indexOf("]")) : endpoint.slice(0, endpoint.lastIndexOf(":"));
}
