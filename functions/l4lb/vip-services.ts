/**
 * @module
 * The services of one VIP group: a named VIP has one per family it has backends of and an
 * address in; an IP VIP one, unless a named VIP holds its address and port (the named VIP's
 * address is a stable allocation, so the IP VIP yields and is reported).
 */
import { L4LB_ZONE, type Diagnostic, type L4Service } from "../../lib/desired/schema.ts";
import type { IpvsScheduler } from "../../lib/desired/ipvs-schedulers.ts";
import type { IpFamily } from "../../lib/net/ip-literal.ts";
import type { VipKey } from "./task-vips.ts";
import { familyOf, type VipGroup, type VipGroups } from "./vip-groups.ts";

/**
 * The service of a named group in one family, or `undefined` without backends or address.
 * @example namedService(groups, group, 4, "11.171.172.79", "wlc")?.dnsName // "app.marathon.l4lb.thisdcos.directory"
 */
export function namedService(groups: VipGroups, group: VipGroup, family: IpFamily, ip: string | undefined, scheduler: IpvsScheduler): L4Service | undefined {
  const { key } = group;
  if (key.kind !== "named" || ip === undefined) return undefined;
  const backends = groups.backends(group).filter((b) => familyOf(b.ip) === family);
  if (backends.length === 0) return undefined;
  return { vip: { ip, port: key.port, protocol: key.protocol }, name: key.name, dnsName: `${key.name}.${L4LB_ZONE}`, scheduler, backends };
}

/**
 * An IP group's service.
 * @example ipService(groups, group, "wlc").vip // { ip: "10.10.0.1", port: 80, protocol: "tcp" }
 */
export function ipService(groups: VipGroups, group: VipGroup & { key: Extract<VipKey, { kind: "ip" }> }, scheduler: IpvsScheduler): L4Service {
  const { key } = group;
  return { vip: { ip: key.ip, port: key.port, protocol: key.protocol }, scheduler, backends: groups.backends(group) };
}

/**
 * Where a service listens: what two services may not share.
 * @example serviceAddress({ ip: "11.0.0.1", port: 80, protocol: "tcp" }) // "11.0.0.1 80 tcp"
 */
export function serviceAddress(vip: L4Service["vip"]): string {
  return `${vip.ip} ${vip.port} ${vip.protocol}`;
}

/**
 * The report of an IP VIP whose address and port a named VIP holds.
 * @example vipConflict({ kind: "ip", ip: "11.171.172.79", protocol: "tcp", port: 80 }).code // "l4lb.vip-conflict"
 */
export function vipConflict(key: Extract<VipKey, { kind: "ip" }>): Diagnostic {
  return {
    level: "error",
    code: "l4lb.vip-conflict",
    subject: `vip:${key.protocol}:${key.ip}:${key.port}`,
    message: `the IP VIP ${key.ip}:${key.port}/${key.protocol} is also a named VIP's address and port; the named VIP keeps it`,
  };
}
