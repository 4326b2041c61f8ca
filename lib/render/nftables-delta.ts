/**
 * @module
 * A partial sync: the one `nft -f` transaction that moves the installed tables from the rules of
 * some services to their new rules, without touching any other service. A changed element is
 * deleted and re-added in the same transaction, so no packet ever sees it missing; a slot whose
 * backend did not move is not touched. Pure.
 */
import type { NftFamily, NftServiceRules } from "./nft-model.ts";
import { NFT_FAMILIES, NFT_SETS, NFT_TABLE, pickChain, pickRule } from "./nftables.ts";

/** What a partial sync needs to know about the installed tables beyond the changed services. */
export interface NftIndex {
  /** Slot counts that have a `pick_<S>` chain, per family. */
  chains: Record<NftFamily, ReadonlySet<number>>;
  /** VIP address → how many installed services use it. */
  addressUse: ReadonlyMap<string, number>;
}

/** One service's old and new rules (absent: the service is new, or gone). */
export interface NftChange {
  before?: NftServiceRules;
  after?: NftServiceRules;
}

export interface NftDelta {
  /** The transaction; "" when nothing changes. */
  batch: string;
  /** The index after the transaction. */
  index: NftIndex;
  /** Addresses that gained their first service, or lost their last (their routes follow). */
  addressesAdded: string[];
  addressesRemoved: string[];
}

/**
 * The index of a complete set of rules (after a full sync).
 * @example nftIndex(rules).addressUse.get("11.0.0.1") // 2 (tcp and udp)
 */
export function nftIndex(rules: Iterable<NftServiceRules>): NftIndex {
  const chains: Record<NftFamily, Set<number>> = { ip: new Set(), ip6: new Set() };
  const addressUse = new Map<string, number>();
  for (const r of rules) {
    if (r.slots.length > 0) chains[r.family].add(r.slots.length);
    addressUse.set(r.address, (addressUse.get(r.address) ?? 0) + 1);
  }
  return { chains, addressUse };
}

/**
 * @example
 * nftablesDelta([{ before: old, after: now }], index).batch
 * // "delete element ip wayfinder_l4lb backends { 11.0.0.1 . tcp . 80 . 1 }\nadd element ip wayfinder_l4lb backends { ... }\n"
 */
export function nftablesDelta(changes: readonly NftChange[], index: NftIndex): NftDelta {
  const ops = Object.fromEntries(NFT_FAMILIES.map((f) => [f, familyOps()])) as Record<NftFamily, FamilyOps>;
  const chains = { ip: new Set(index.chains.ip), ip6: new Set(index.chains.ip6) };
  const addressUse = new Map(index.addressUse);
  const touched = new Set<string>();

  for (const { before, after } of changes) {
    if (before !== undefined) {
      addressUse.set(before.address, (addressUse.get(before.address) ?? 0) - 1);
      touched.add(before.address);
    }
    if (after !== undefined) {
      addressUse.set(after.address, (addressUse.get(after.address) ?? 0) + 1);
      touched.add(after.address);
      if (after.slots.length > 0 && !chains[after.family].has(after.slots.length)) {
        chains[after.family].add(after.slots.length);
        ops[after.family].newChains.push(after.slots.length);
      }
    }
    if (before !== undefined && after !== undefined && before.family === after.family) serviceChanged(ops[after.family], before, after);
    else {
      if (before !== undefined) serviceRemoved(ops[before.family], before);
      if (after !== undefined) serviceAdded(ops[after.family], after);
    }
  }

  const addressesAdded: string[] = [];
  const addressesRemoved: string[] = [];
  for (const address of [...touched].sort()) {
    const use = addressUse.get(address) ?? 0;
    const was = index.addressUse.get(address) ?? 0;
    const family = address.includes(":") ? "ip6" : "ip";
    if (use <= 0) addressUse.delete(address);
    if (was > 0 && use <= 0) {
      addressesRemoved.push(address);
      ops[family].del[NFT_SETS.addresses].push(address);
    } else if (was <= 0 && use > 0) {
      addressesAdded.push(address);
      ops[family].add[NFT_SETS.addresses].push(address);
    }
  }

  const lines: string[] = [];
  for (const family of NFT_FAMILIES) {
    const t = `${family} ${NFT_TABLE}`;
    const o = ops[family];
    for (const slots of o.newChains.sort((a, b) => a - b)) {
      lines.push(`add chain ${t} ${pickChain(slots)}`, `add rule ${t} ${pickChain(slots)} ${pickRule(family, slots)}`);
    }
    for (const set of Object.values(NFT_SETS)) {
      if (o.del[set].length > 0) lines.push(`delete element ${t} ${set} { ${o.del[set].join(", ")} }`);
      if (o.add[set].length > 0) lines.push(`add element ${t} ${set} { ${o.add[set].join(", ")} }`);
    }
  }
  return { batch: lines.length === 0 ? "" : `${lines.join("\n")}\n`, index: { chains, addressUse }, addressesAdded, addressesRemoved };
}

type SetName = (typeof NFT_SETS)[keyof typeof NFT_SETS];
interface FamilyOps {
  newChains: number[];
  del: Record<SetName, string[]>;
  add: Record<SetName, string[]>;
}

function familyOps(): FamilyOps {
  const lists = () => ({ vips: [], backends: [], no_backends: [], vip_addresses: [] }) as Record<SetName, string[]>;
  return { newChains: [], del: lists(), add: lists() };
}

function serviceAdded(o: FamilyOps, r: NftServiceRules): void {
  if (r.slots.length === 0) return void o.add[NFT_SETS.noBackends].push(r.key);
  o.add[NFT_SETS.vips].push(`${r.key} : goto ${pickChain(r.slots.length)}`);
  r.slots.forEach((backend, slot) => o.add[NFT_SETS.backends].push(`${r.key} . ${slot} : ${backend}`));
}

function serviceRemoved(o: FamilyOps, r: NftServiceRules): void {
  if (r.slots.length === 0) return void o.del[NFT_SETS.noBackends].push(r.key);
  o.del[NFT_SETS.vips].push(r.key);
  r.slots.forEach((_, slot) => o.del[NFT_SETS.backends].push(`${r.key} . ${slot}`));
}

/** Same VIP key, new slots: only the dispatch (if the slot count moved) and the slots that differ. */
function serviceChanged(o: FamilyOps, before: NftServiceRules, after: NftServiceRules): void {
  const a = before.slots.length;
  const b = after.slots.length;
  if (a === 0 && b > 0) o.del[NFT_SETS.noBackends].push(before.key);
  if (a > 0 && b === 0) o.add[NFT_SETS.noBackends].push(after.key);
  if (a !== b) {
    if (a > 0) o.del[NFT_SETS.vips].push(before.key);
    if (b > 0) o.add[NFT_SETS.vips].push(`${after.key} : goto ${pickChain(b)}`);
  }
  for (let slot = 0; slot < Math.max(a, b); slot++) {
    const was = before.slots[slot];
    const now = after.slots[slot];
    if (was === now) continue;
    if (was !== undefined) o.del[NFT_SETS.backends].push(`${before.key} . ${slot}`);
    if (now !== undefined) o.add[NFT_SETS.backends].push(`${after.key} . ${slot} : ${now}`);
  }
}
