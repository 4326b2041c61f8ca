/**
 * @module
 * The VIP addresses as local routes on `lo` (DC/OS put them on the `minuteman` dummy link; this
 * kernel has no dummy links, and `lo` serves the same purpose). A locally generated packet needs
 * a route to the VIP before the nat output hook can DNAT it, and a VIP without live backends
 * then reaches the input reject rule instead of leaving the node. Routes carry a protocol number
 * of their own, so the applier finds exactly the routes it installed and never touches others.
 *
 * A local route delivers through `lo`, so it works only while `lo` is up: IPv6 refuses the route
 * outright on a down `lo` ("Nexthop device is not up"), and an IPv4 one is accepted but packets
 * to it are dropped. dcos-net set its own `minuteman` link up; `lo` plays that part here, so a
 * sync that has VIP routes to keep sets `lo` up when it is down (a fresh `ip netns add`), and the
 * plan says so. Nothing is brought up when there are no VIPs.
 */
import type { L4Service } from "../../desired/schema.ts";
import type { CommandRunner } from "../run-command.ts";

/** `proto` of wayfinder's VIP routes (unassigned in iproute2's rt_protos). */
export const VIP_ROUTE_PROTO = 247;

/** The routes of one sync, and whether `lo` must be set up first. */
export interface RoutePlan {
  add: string[];
  remove: string[];
  /** `lo` is down and VIP routes are wanted: set it up before adding routes. */
  upLoopback?: boolean;
}

/** What the node has: the VIP routes wayfinder installed, and whether `lo` is up. */
export interface VipRouteState {
  routes: ReadonlySet<string>;
  loopbackUp: boolean;
}

/** The plan key that shows `lo` being set up. */
export const LOOPBACK_UP_KEY = "link lo up";

/**
 * The addresses that need a local route: every VIP address, backends or not.
 * @example vipAddresses(services) // Set { "11.171.172.79", "fd01:c::1" }
 */
export function vipAddresses(services: readonly L4Service[]): Set<string> {
  return new Set(services.map((s) => s.vip.ip));
}

/**
 * @example planRoutes(new Set(["11.0.0.1"]), { routes: new Set(["11.0.0.2"]), loopbackUp: true }) // { add: ["11.0.0.1"], remove: ["11.0.0.2"] }
 */
export function planRoutes(wanted: ReadonlySet<string>, installed: Readonly<VipRouteState>): RoutePlan {
  const plan: RoutePlan = {
    add: [...wanted].filter((ip) => !installed.routes.has(ip)).sort(),
    remove: [...installed.routes].filter((ip) => !wanted.has(ip)).sort(),
  };
  if (wanted.size > 0 && !installed.loopbackUp) plan.upLoopback = true;
  return plan;
}

/**
 * Reads the VIP routes the node has (both families) and the state of `lo`, from the kernel.
 * @example await observeVipRoutes(run) // { routes: Set { "11.171.172.79" }, loopbackUp: true }
 */
export async function observeVipRoutes(run: CommandRunner): Promise<VipRouteState> {
  return { routes: await installedVipRoutes(run), loopbackUp: await loopbackIsUp(run) };
}

/**
 * Reads the VIP routes the node has (both families), from the kernel.
 * @example await installedVipRoutes(run) // Set { "11.171.172.79" }
 */
export async function installedVipRoutes(run: CommandRunner): Promise<Set<string>> {
  const routes = new Set<string>();
  for (const family of ["-4", "-6"]) {
    for (const route of await listRoutes(run, family)) {
      if (route.dst !== undefined) routes.add(route.dst.replace(/\/(32|128)$/, ""));
    }
  }
  return routes;
}

async function listRoutes(run: CommandRunner, family: string): Promise<Array<{ dst?: string }>> {
  let text: string;
  try {
    text = await run(["ip", "-j", family, "route", "show", "table", "local", "proto", String(VIP_ROUTE_PROTO)]);
  } catch (error) {
    // The IPv4 local table exists only once something is in it: in a namespace whose `lo` was
    // never up, it holds no route at all, ours included.
    if (/FIB table does not exist/.test((error as Error).message)) return [];
    throw error;
  }
  return parseJsonArray(text, `ip -j ${family} route show`) as Array<{ dst?: string }>;
}

/**
 * Whether `lo` is administratively up (`ip -j link show dev lo` lists the UP flag).
 * @example await loopbackIsUp(run) // false in a fresh `ip netns add` namespace
 */
export async function loopbackIsUp(run: CommandRunner): Promise<boolean> {
  const links = parseJsonArray(await run(["ip", "-j", "link", "show", "dev", "lo"]), "ip -j link show dev lo") as Array<{ flags?: unknown }>;
  const flags = links[0]?.flags;
  if (!Array.isArray(flags)) throw new Error("ip -j link show dev lo: no flags for lo in its answer");
  return flags.includes("UP");
}

function parseJsonArray(text: string, what: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "[]" : text);
  } catch {
    throw new Error(`${what}: not JSON (${JSON.stringify(text.slice(0, 80))})`);
  }
  if (!Array.isArray(value)) throw new Error(`${what}: not a JSON array (${JSON.stringify(text.slice(0, 80))})`);
  return value;
}

/**
 * Adds or removes routes in one `ip -batch` run. `replace` makes adding idempotent; removing
 * names the protocol so a route someone else made for the same address survives. Adding sets
 * `lo` up first when the plan says so, in the same batch.
 * @example await applyRoutes(run, "add", ["11.0.0.1"])
 */
export async function applyRoutes(run: CommandRunner, action: "add" | "remove", addresses: readonly string[], upLoopback = false): Promise<void> {
  const lines = action === "add" && upLoopback ? ["link set dev lo up"] : [];
  const verb = action === "add" ? "replace" : "del";
  for (const ip of addresses) {
    lines.push(`route ${verb} local ${ip}/${ip.includes(":") ? 128 : 32} dev lo table local proto ${VIP_ROUTE_PROTO}${ip.includes(":") ? "" : " scope host"}`);
  }
  if (lines.length === 0) return;
  await run(["ip", "-batch", "-"], `${lines.join("\n")}\n`);
}
