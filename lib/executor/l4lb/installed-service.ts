/**
 * @module
 * What the nftables applier records per VIP service: the facts its rules depend on (protocol,
 * port, backends and weights) and the rules, so a sync compares a desired service with the
 * record instead of the kernel, and a change is the service's move from one to the other.
 */
import type { L4Service } from "../../desired/schema.ts";
import { serviceRules, type NftServiceRules } from "../../render/nft-model.ts";
import { installProblem } from "./check-service.ts";

/** What one installed service looks like: the facts its rules depend on, and the rules. */
export interface InstalledService {
  protocol: "tcp" | "udp";
  port: number;
  backends: ReadonlyArray<{ ip: string; port: number; weight: number }>;
  rules: NftServiceRules;
}

/** One service's move, by service key. */
export interface NftServiceChange {
  key: string;
  before?: InstalledService;
  after?: InstalledService;
}

/**
 * What the record holds for one service once installed; throws when it cannot be installed.
 * @example installedService(service, "tcp 11.0.0.1:80").rules.family // "ip"
 */
export function installedService(service: L4Service, key: string): InstalledService {
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
export function sameBackends(installed: InstalledService, service: L4Service): boolean {
  const a = installed.backends;
  const b = service.backends;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.ip !== b[i]!.ip || a[i]!.port !== b[i]!.port || a[i]!.weight !== b[i]!.weight) return false;
  }
  return true;
}
