/**
 * @module
 * The nftables VIP rule set (`l4lb/ruleset.nft`): one private table per family, replaced as a
 * whole in one `nft -f` transaction (create-if-missing, delete, define), so a node never runs
 * half a rule set. Names are data at the top; `nftables-delta.ts` prints partial syncs with the
 * same names. Pure.
 */
import type { DesiredState } from "../desired/schema.ts";
import { serviceRules, type NftFamily, type NftServiceRules } from "./nft-model.ts";

/** The table wayfinder owns in each family; nothing outside it is ever touched. */
export const NFT_TABLE = "wayfinder_l4lb";

export const NFT_FAMILIES: readonly NftFamily[] = ["ip", "ip6"];

/** The sets and maps of each table. */
export const NFT_SETS = { vips: "vips", backends: "backends", noBackends: "no_backends", addresses: "vip_addresses" } as const;

/** What differs between the IPv4 and the IPv6 table: a few words, never a second code path. */
const FAMILY_WORDS: Record<NftFamily, { addr: string; daddr: string; dnat: string; original: string }> = {
  ip: { addr: "ipv4_addr", daddr: "ip daddr", dnat: "dnat ip to", original: "ct original ip daddr" },
  ip6: { addr: "ipv6_addr", daddr: "ip6 daddr", dnat: "dnat ip6 to", original: "ct original ip6 daddr" },
};
type Words = (typeof FAMILY_WORDS)[NftFamily];

/** Set and map declarations, in print order. */
const SET_TYPES: ReadonlyArray<{ name: string; type: (w: Words) => string }> = [
  { name: NFT_SETS.vips, type: (w) => `map ${NFT_SETS.vips} {\n\t\ttype ${w.addr} . inet_proto . inet_service : verdict` },
  // The slot rides in `meta priority`, a fixed-size register: numgen cannot sit in a map key
  // itself, and priority only steers qdisc bands, where the packet mark would steer routing.
  { name: NFT_SETS.backends, type: (w) => `map ${NFT_SETS.backends} {\n\t\ttype ${w.addr} . inet_proto . inet_service . classid : ${w.addr} . inet_service` },
  { name: NFT_SETS.noBackends, type: (w) => `set ${NFT_SETS.noBackends} {\n\t\ttype ${w.addr} . inet_proto . inet_service` },
  { name: NFT_SETS.addresses, type: (w) => `set ${NFT_SETS.addresses} {\n\t\ttype ${w.addr}` },
];

/** The fixed chains: where packets enter the table. */
// The dispatch chains run just before the usual DNAT priority (-100): the first NAT chain to bind
// a new flow wins, so a host-port DNAT (Docker, the CNI port mapper) for the same port can never
// take VIP traffic (dcos-net#138, which DC/OS fixed with an ipset and RETURN rules).
const BASE_CHAINS: ReadonlyArray<{ name: string; hook: string; rule: (w: Words) => string }> = [
  // Traffic from containers and other hosts, before routing.
  { name: "prerouting", hook: "type nat hook prerouting priority dstnat - 5; policy accept;", rule: dispatch },
  // Traffic from the node itself; the VIP's local route on lo gets it here.
  { name: "output", hook: "type nat hook output priority -105; policy accept;", rule: dispatch },
  // Backends see the node, not the client: replies must come back through this node's NAT.
  { name: "postrouting", hook: "type nat hook postrouting priority srcnat; policy accept;", rule: (w) => `ct status dnat ${w.original} @${NFT_SETS.addresses} masquerade` },
  // A VIP whose backends all drain refuses new flows instead of reaching a local listener (dcos-net#130).
  { name: "input", hook: "type filter hook input priority filter; policy accept;", rule: (w) => `${w.daddr} . meta l4proto . th dport @${NFT_SETS.noBackends} reject` },
];

/**
 * The canary, kube-proxy style: a regular chain no packet ever enters, whose one rule jumps to
 * `target`. The kernel refuses to delete a chain a rule still jumps to, so `nft --check delete
 * chain ... target` tells, without listing a rule or a set element (~15 ms where a listing of
 * 10k VIPs takes most of a second), whether the table is intact: refused as busy while it is,
 * accepted once someone flushed the table's rules, and unknown once the table is deleted.
 */
export const NFT_CANARY = { chain: "canary", target: "canary_target" } as const;

function dispatch(w: Words): string {
  return `${w.daddr} . meta l4proto . th dport vmap @${NFT_SETS.vips}`;
}

/** The chain that picks one of `slots` slots. @example pickChain(4) // "pick_4" */
export function pickChain(slots: number): string {
  return `pick_${slots}`;
}

/** The one rule of a pick chain. */
export function pickRule(family: NftFamily, slots: number): string {
  const w = FAMILY_WORDS[family];
  return `meta priority set numgen random mod ${slots} ${w.dnat} ${w.daddr} . meta l4proto . th dport . meta priority map @${NFT_SETS.backends}`;
}

/**
 * The whole rule set of a desired state, as an atomic replacement script.
 * @example renderNftables(desired) // "# wayfinder ...\ntable ip wayfinder_l4lb {}\ndelete table ip wayfinder_l4lb\n..."
 */
export function renderNftables(desired: DesiredState): string {
  return renderNftRules(desired.l4lb.services.map(serviceRules));
}

/**
 * @example renderNftRules([]) // both tables, empty
 */
export function renderNftRules(rules: readonly NftServiceRules[]): string {
  const out = ["# wayfinder L4 virtual IPs. Generated; applied atomically with `nft -f`. Do not edit."];
  for (const family of NFT_FAMILIES) out.push(renderTable(family, rules.filter((r) => r.family === family)));
  return `${out.join("\n")}\n`;
}

function renderTable(family: NftFamily, rules: readonly NftServiceRules[]): string {
  const w = FAMILY_WORDS[family];
  const t = `${family} ${NFT_TABLE}`;
  const elements: Record<string, string[]> = { [NFT_SETS.vips]: [], [NFT_SETS.backends]: [], [NFT_SETS.noBackends]: [], [NFT_SETS.addresses]: [] };
  const addresses = new Set<string>();
  const slotCounts = new Set<number>();
  for (const r of rules) {
    addresses.add(r.address);
    if (r.slots.length === 0) {
      elements[NFT_SETS.noBackends]!.push(r.key);
      continue;
    }
    slotCounts.add(r.slots.length);
    elements[NFT_SETS.vips]!.push(`${r.key} : goto ${pickChain(r.slots.length)}`);
    r.slots.forEach((backend, slot) => elements[NFT_SETS.backends]!.push(`${r.key} . ${slot} : ${backend}`));
  }
  elements[NFT_SETS.addresses]!.push(...addresses);
  const lines = [`table ${t} {}`, `delete table ${t}`, `table ${t} {`];
  for (const set of SET_TYPES) lines.push(block(set.type(w), elements[set.name]!));
  for (const slots of [...slotCounts].sort((a, b) => a - b)) lines.push(`\tchain ${pickChain(slots)} {\n\t\t${pickRule(family, slots)}\n\t}`);
  for (const chain of BASE_CHAINS) lines.push(`\tchain ${chain.name} {\n\t\t${chain.hook}\n\t\t${chain.rule(w)}\n\t}`);
  lines.push(`\tchain ${NFT_CANARY.target} {\n\t}`, `\tchain ${NFT_CANARY.chain} {\n\t\tjump ${NFT_CANARY.target}\n\t}`);
  lines.push("}");
  return lines.join("\n");
}

function block(head: string, elements: readonly string[]): string {
  const body = elements.length === 0 ? "" : `\n\t\telements = {\n\t\t\t${elements.join(",\n\t\t\t")}\n\t\t}`;
  return `\t${head}${body}\n\t}`;
}
