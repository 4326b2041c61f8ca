/**
 * @module
 * What `nft -j list table <family> wayfinder_l4lb` shows for a table `renderNftRules` made,
 * apart from the elements: its sets and maps with their types, its chains with their hooks, and
 * each chain's rules (one, or none for the canary's target), in nft's JSON schema (version 1). The kernel reader compares a listing
 * with this before it trusts the elements in it; anything else in the table (a rule someone
 * added, a chain they flushed) makes the next sync a full one.
 */
import type { NftFamily } from "../../render/nft-model.ts";
import { NFT_CANARY, NFT_SETS } from "../../render/nftables.ts";

/** A set or map as listed, without its elements or handle. */
export interface SetShape {
  kind: "set" | "map";
  type: string | string[];
  /** A map's value type. */
  map?: string;
}

/** A base chain's hook as listed. */
export interface BaseChainShape {
  type: string;
  hook: string;
  prio: number;
  policy: string;
}

const ADDR: Record<NftFamily, string> = { ip: "ipv4_addr", ip6: "ipv6_addr" };

/**
 * The four sets and maps of a family's table, by name.
 * @example expectedSets("ip").vip_addresses // { kind: "set", type: "ipv4_addr" }
 */
export function expectedSets(family: NftFamily): Record<string, SetShape> {
  const addr = ADDR[family];
  return {
    [NFT_SETS.vips]: { kind: "map", type: [addr, "inet_proto", "inet_service"], map: "verdict" },
    [NFT_SETS.backends]: { kind: "map", type: [addr, "inet_proto", "inet_service", "classid"], map: `${addr} . inet_service` },
    [NFT_SETS.noBackends]: { kind: "set", type: [addr, "inet_proto", "inet_service"] },
    [NFT_SETS.addresses]: { kind: "set", type: addr },
  };
}

/**
 * The base chains with their hooks (priorities as numbers: `dstnat - 5` is -105) and their
 * one rule, by chain name.
 * @example expectedBaseChains("ip").input.hook // { type: "filter", hook: "input", prio: 0, policy: "accept" }
 */
export function expectedBaseChains(family: NftFamily): Record<string, { hook: BaseChainShape; rule: unknown[] }> {
  const dispatch = [{ vmap: { key: { concat: vipKey(family) }, data: `@${NFT_SETS.vips}` } }];
  const nat = (hook: string, prio: number): BaseChainShape => ({ type: "nat", hook, prio, policy: "accept" });
  return {
    prerouting: { hook: nat("prerouting", -105), rule: dispatch },
    output: { hook: nat("output", -105), rule: dispatch },
    postrouting: {
      hook: nat("postrouting", 100),
      rule: [
        { match: { op: "in", left: { ct: { key: "status" } }, right: "dnat" } },
        { match: { op: "==", left: { ct: { key: `${family} daddr`, dir: "original" } }, right: `@${NFT_SETS.addresses}` } },
        { masquerade: null },
      ],
    },
    input: {
      hook: { type: "filter", hook: "input", prio: 0, policy: "accept" },
      rule: [
        { match: { op: "==", left: { concat: vipKey(family) }, right: `@${NFT_SETS.noBackends}` } },
        { reject: { type: family === "ip" ? "icmp" : "icmpv6", expr: "port-unreachable" } },
      ],
    },
  };
}

/**
 * The canary's two regular chains and their rules, by chain name: `canary_target` holds none,
 * `canary` the one jump to it.
 * @example expectedCanaryChains().canary // [[{ jump: { target: "canary_target" } }]]
 */
export function expectedCanaryChains(): Record<string, unknown[][]> {
  return { [NFT_CANARY.target]: [], [NFT_CANARY.chain]: [[{ jump: { target: NFT_CANARY.target } }]] };
}

/**
 * The one rule of `pick_<slots>`, as listed.
 * @example expectedPickRule("ip", 4)[0] // { mangle: { key: { meta: { key: "priority" } }, value: { numgen: { mode: "random", mod: 4, offset: 0 } } } }
 */
export function expectedPickRule(family: NftFamily, slots: number): unknown[] {
  return [
    { mangle: { key: { meta: { key: "priority" } }, value: { numgen: { mode: "random", mod: slots, offset: 0 } } } },
    { dnat: { family, addr: { map: { key: { concat: [...vipKey(family), { meta: { key: "priority" } }] }, data: `@${NFT_SETS.backends}` } } } },
  ];
}

/** `daddr . l4proto . dport`, the key every lookup uses. */
function vipKey(family: NftFamily): unknown[] {
  return [{ payload: { protocol: family, field: "daddr" } }, { meta: { key: "l4proto" } }, { payload: { protocol: "th", field: "dport" } }];
}
