/**
 * @module
 * What the nftables applier records per VIP service: the facts its rules depend on (protocol,
 * port, backends and weights) and the rules, so a sync compares a desired service with the
 * record instead of the kernel, and a change is the service's move from one to the other. A
 * service read back from the kernel is compared by its slots.
 */
import type { L4Service } from "../../desired/schema.ts";
import { serviceRules, slotCounts, type NftServiceRules } from "../../render/nft-model.ts";
import { installProblem } from "./check-service.ts";
import { vipKeyText } from "./service-key.ts";

/** What one installed service looks like: the facts its rules depend on, and the rules. */
export interface InstalledService {
  protocol: "tcp" | "udp";
  port: number;
  backends: ReadonlyArray<{ ip: string; port: number; weight: number }>;
  rules: NftServiceRules;
  /**
   * Read back from the kernel: the backends are the slots' (a weight is its slot count), so
   * the service is compared by its slots (weights 3:1 and 6:2 are the same rules).
   */
  readBack?: true;
}

/** One service's move, by service key. */
export interface NftServiceChange {
  key: string;
  before?: InstalledService;
  after?: InstalledService;
}

/**
 * What the record holds for one service once installed; throws when it cannot be installed.
 * @example installedService(service, "tcp 11.0.0.1:80").rules.key // "11.0.0.1 . tcp . 80"
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

/**
 * True when `installed` already runs `service`: the service key fixes the VIP, so the rules
 * depend only on the backends' addresses and weights.
 * @example sameInstall(record.get(key)!, service) // false once a backend moved
 */
export function sameInstall(installed: InstalledService, service: L4Service): boolean {
  if (!installed.readBack) return sameBackends(installed, service);
  // Slot counts, not slot texts: this runs for every read-back service on every sync. Only a
  // service that fails it (one backend listed twice, say) has its slots built and compared.
  return sameSlotCounts(installed, service) || sameSlots(installed.rules.slots, serviceRules(service).slots);
}

/** The backends with slots, in order, each with its slot count, are the read-back ones. */
function sameSlotCounts(installed: InstalledService, service: L4Service): boolean {
  const counts = slotCounts(service.backends.map((b) => b.weight));
  let j = 0;
  for (const [i, b] of service.backends.entries()) {
    if (counts[i] === 0) continue;
    const listed = installed.backends[j++];
    if (listed === undefined || listed.ip !== b.ip || listed.port !== b.port || listed.weight !== counts[i]) return false;
  }
  return j === installed.backends.length;
}

function sameSlots(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((slot, i) => slot === b[i]);
}

function sameBackends(installed: InstalledService, service: L4Service): boolean {
  const a = installed.backends;
  const b = service.backends;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.ip !== b[i]!.ip || a[i]!.port !== b[i]!.port || a[i]!.weight !== b[i]!.weight) return false;
  }
  return true;
}

/**
 * A service read back from the kernel, by its plan key; its backends are its slots'.
 * @example readBackService(rules) // ["tcp 11.0.0.1:80", { protocol: "tcp", port: 80, backends: [...], rules, readBack: true }]
 */
export function readBackService(rules: NftServiceRules): [string, InstalledService] {
  const [ip, protocol, port] = rules.key.split(" . ") as [string, "tcp" | "udp", string];
  const weights = new Map<string, number>();
  for (const slot of rules.slots) weights.set(slot, (weights.get(slot) ?? 0) + 1);
  const backends = [...weights].map(([slot, weight]) => {
    const [backendIp, backendPort] = slot.split(" . ") as [string, string];
    return { ip: backendIp, port: Number(backendPort), weight };
  });
  return [vipKeyText(ip, Number(port), protocol), { protocol, port: Number(port), backends, rules, readBack: true }];
}
