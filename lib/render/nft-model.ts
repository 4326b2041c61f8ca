/**
 * @module
 * The nftables VIP rule set as data: for each family, the elements of every map and set, keyed
 * by the exact text nft reads. The full renderer prints a model; the incremental renderer prints
 * the difference of two models; the applier remembers the model it installed. Pure.
 *
 * Encoding (lab-notes: 1.3 s for 10k VIPs × 5 backends where a chain per VIP took 9.6 s):
 * - `vips`: `daddr . l4proto . dport` → `goto pick_<S>`, one verdict-map lookup per new flow;
 * - `pick_<S>` draws a slot `numgen random mod S` and DNATs through `backends`:
 *   `daddr . l4proto . dport . slot` → `backend . port`. Weights are slot counts (3:1 → 3 and 1
 *   slots); a weight-0 backend has no slot, so it gets no new flows and keeps its old ones.
 * - `no_backends`: VIPs whose every backend has weight 0; new flows are rejected like IPVS did.
 * - `vip_addresses`: what postrouting masquerades (DC/OS masqueraded all IPVS traffic).
 */
import type { L4Service } from "../desired/schema.ts";

export type NftFamily = "ip" | "ip6";

/** The elements of one family's table, as nft element text. */
export interface NftFamilyModel {
  /** `addr . proto . port` → slot count. */
  vips: Map<string, number>;
  /** `addr . proto . port . slot` → `backendAddr . port`. */
  backends: Map<string, string>;
  /** `addr . proto . port` of VIPs with no backend of weight > 0. */
  noBackends: Set<string>;
  /** VIP address → how many services use it. */
  addresses: Map<string, number>;
  /** Slot counts that have a `pick_<S>` chain. */
  slotCounts: Set<number>;
}

export type NftModel = Record<NftFamily, NftFamilyModel>;

/** Above this many slots a VIP's weights are scaled down (the ratio stays within one slot). */
export const MAX_SLOTS = 256;

/**
 * @example
 * nftModel([{ vip: { ip: "11.0.0.1", port: 80, protocol: "tcp" }, backends: [a(w3), b(w1)], ... }]).ip.vips
 * // Map { "11.0.0.1 . tcp . 80" => 4 }
 */
export function nftModel(services: readonly L4Service[]): NftModel {
  const model: NftModel = { ip: emptyFamilyModel(), ip6: emptyFamilyModel() };
  for (const service of services) {
    const family = model[service.vip.ip.includes(":") ? "ip6" : "ip"];
    const key = `${service.vip.ip} . ${service.vip.protocol} . ${service.vip.port}`;
    family.addresses.set(service.vip.ip, (family.addresses.get(service.vip.ip) ?? 0) + 1);
    const slots = slotCounts(service.backends.map((b) => b.weight));
    const total = slots.reduce((n, s) => n + s, 0);
    if (total === 0) {
      family.noBackends.add(key);
      continue;
    }
    family.vips.set(key, total);
    family.slotCounts.add(total);
    let slot = 0;
    service.backends.forEach((backend, i) => {
      for (let n = 0; n < slots[i]!; n++) family.backends.set(`${key} . ${slot++}`, `${backend.ip} . ${backend.port}`);
    });
  }
  return model;
}

/** An empty family model. @example emptyFamilyModel().vips.size // 0 */
export function emptyFamilyModel(): NftFamilyModel {
  return { vips: new Map(), backends: new Map(), noBackends: new Set(), addresses: new Map(), slotCounts: new Set() };
}

/**
 * Slots per backend: weights divided by their greatest common divisor, scaled down to
 * `MAX_SLOTS` in total when larger (every positive weight keeps at least one slot).
 * @example slotCounts([3, 1]) // [3, 1]
 * @example slotCounts([2, 2, 0]) // [1, 1, 0]
 */
export function slotCounts(weights: readonly number[]): number[] {
  const divisor = weights.reduce((g, w) => gcd(g, w), 0);
  if (divisor === 0) return weights.map(() => 0);
  let slots = weights.map((w) => w / divisor);
  const total = slots.reduce((n, s) => n + s, 0);
  if (total > MAX_SLOTS) slots = slots.map((s) => (s === 0 ? 0 : Math.max(1, Math.floor((s * MAX_SLOTS) / total))));
  return slots;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
