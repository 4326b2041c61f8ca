/**
 * @module
 * The VIP addresses as local routes on `lo` (DC/OS put them on the `minuteman` dummy link; this
 * kernel has no dummy links, and `lo` serves the same purpose). A locally generated packet needs
 * a route to the VIP before the nat output hook can DNAT it, and a VIP without live backends
 * then reaches the input reject rule instead of leaving the node. Routes carry a protocol number
 * of their own, so the applier finds exactly the routes it installed and never touches others.
 */
import type { L4Service } from "../../desired/schema.ts";
import type { CommandRunner } from "../run-command.ts";

/** `proto` of wayfinder's VIP routes (unassigned in iproute2's rt_protos). */
export const VIP_ROUTE_PROTO = 247;

/** What the route step of a sync does. */
export interface RoutePlan {
  add: string[];
  remove: string[];
}

/**
 * The addresses that need a local route: every VIP address, backends or not.
 * @example vipAddresses(services) // Set { "11.171.172.79", "fd01:c::1" }
 */
export function vipAddresses(services: readonly L4Service[]): Set<string> {
  return new Set(services.map((s) => s.vip.ip));
}

/**
 * @example planRoutes(new Set(["11.0.0.1"]), new Set(["11.0.0.2"])) // { add: ["11.0.0.1"], remove: ["11.0.0.2"] }
 */
export function planRoutes(wanted: ReadonlySet<string>, installed: ReadonlySet<string>): RoutePlan {
  return {
    add: [...wanted].filter((ip) => !installed.has(ip)).sort(),
    remove: [...installed].filter((ip) => !wanted.has(ip)).sort(),
  };
}

/**
 * Reads the VIP routes the node has (both families), from the kernel.
 * @example await installedVipRoutes(run) // Set { "11.171.172.79" }
 */
export async function installedVipRoutes(run: CommandRunner): Promise<Set<string>> {
  const routes = new Set<string>();
  for (const family of ["-4", "-6"]) {
    const text = await run(["ip", "-j", family, "route", "show", "table", "local", "proto", String(VIP_ROUTE_PROTO)]);
    for (const route of JSON.parse(text.trim() === "" ? "[]" : text) as Array<{ dst?: string }>) {
      if (route.dst !== undefined) routes.add(route.dst.replace(/\/(32|128)$/, ""));
    }
  }
  return routes;
}

/**
 * Adds or removes routes in one `ip -batch` run. `replace` makes adding idempotent; removing
 * names the protocol so a route someone else made for the same address survives.
 * @example await applyRoutes(run, "add", ["11.0.0.1"])
 */
export async function applyRoutes(run: CommandRunner, action: "add" | "remove", addresses: readonly string[]): Promise<void> {
  if (addresses.length === 0) return;
  const verb = action === "add" ? "replace" : "del";
  const lines = addresses.map(
    (ip) => `route ${verb} local ${ip}/${ip.includes(":") ? 128 : 32} dev lo table local proto ${VIP_ROUTE_PROTO}${ip.includes(":") ? "" : " scope host"}`,
  );
  await run(["ip", "-batch", "-"], `${lines.join("\n")}\n`);
}
