/**
 * @module
 * The nftables VIP rule set (`l4lb/ruleset.nft`): one private table per family, replaced as a
 * whole in one `nft -f` transaction (create-if-missing, delete, define), so a node never runs
 * half a rule set. `nftablesDelta` prints the transaction that turns one installed model into
 * another, touching only the elements that differ. Names are data at the top. Pure.
 */
import type { DesiredState } from "../desired/schema.ts";
import { nftModel, type NftFamily, type NftFamilyModel, type NftModel } from "./nft-model.ts";

/** The table wayfinder owns in each family; nothing outside it is ever touched. */
export const NFT_TABLE = "wayfinder_l4lb";

export const NFT_FAMILIES: readonly NftFamily[] = ["ip", "ip6"];

/** What differs between the IPv4 and the IPv6 table: a few words, never a second code path. */
const FAMILY_WORDS: Record<NftFamily, { addr: string; daddr: string; dnat: string; original: string }> = {
  ip: { addr: "ipv4_addr", daddr: "ip daddr", dnat: "dnat ip to", original: "ct original ip daddr" },
  ip6: { addr: "ipv6_addr", daddr: "ip6 daddr", dnat: "dnat ip6 to", original: "ct original ip6 daddr" },
};

/** Sets and maps of each table, in print order. */
const SETS = {
  vips: (w: (typeof FAMILY_WORDS)[NftFamily]) => `map vips {\n\t\ttype ${w.addr} . inet_proto . inet_service : verdict`,
  // The slot rides in `meta priority`, a fixed-size register: numgen cannot sit in a map key
  // itself, and priority only steers qdisc bands, where the packet mark would steer routing.
  backends: (w: (typeof FAMILY_WORDS)[NftFamily]) =>
    `map backends {\n\t\ttype ${w.addr} . inet_proto . inet_service . classid : ${w.addr} . inet_service`,
  no_backends: (w: (typeof FAMILY_WORDS)[NftFamily]) => `set no_backends {\n\t\ttype ${w.addr} . inet_proto . inet_service`,
  vip_addresses: (w: (typeof FAMILY_WORDS)[NftFamily]) => `set vip_addresses {\n\t\ttype ${w.addr}`,
} as const;

/** The fixed chains: where packets enter the table. */
const BASE_CHAINS = [
  // Traffic from containers and other hosts, before routing.
  { name: "prerouting", hook: "type nat hook prerouting priority dstnat; policy accept;", rule: dispatch },
  // Traffic from the node itself; the VIP's local route on lo gets it here.
  { name: "output", hook: "type nat hook output priority -100; policy accept;", rule: dispatch },
  // Backends see the node, not the client: replies must come back through this node's NAT.
  { name: "postrouting", hook: "type nat hook postrouting priority srcnat; policy accept;", rule: (w: (typeof FAMILY_WORDS)[NftFamily]) => `ct status dnat ${w.original} @vip_addresses masquerade` },
  // A VIP whose backends all drain refuses new flows instead of reaching a local listener (dcos-net#130).
  { name: "input", hook: "type filter hook input priority filter; policy accept;", rule: (w: (typeof FAMILY_WORDS)[NftFamily]) => `${w.daddr} . meta l4proto . th dport @no_backends reject` },
] as const;

function dispatch(w: (typeof FAMILY_WORDS)[NftFamily]): string {
  return `${w.daddr} . meta l4proto . th dport vmap @vips`;
}

/** The chain that picks one of S slots. */
export function pickChain(slots: number): string {
  return `pick_${slots}`;
}

function pickRule(family: NftFamily, slots: number): string {
  const w = FAMILY_WORDS[family];
  return `meta priority set numgen random mod ${slots} ${w.dnat} ${w.daddr} . meta l4proto . th dport . meta priority map @backends`;
}

/**
 * The whole rule set of a desired state, as an atomic replacement script.
 * @example renderNftables(desired) // "# wayfinder ...\ntable ip wayfinder_l4lb {}\ndelete table ip wayfinder_l4lb\n..."
 */
export function renderNftables(desired: DesiredState): string {
  return renderNftModel(nftModel(desired.l4lb.services));
}

/**
 * @example renderNftModel(nftModel([])) // both tables, empty
 */
export function renderNftModel(model: NftModel): string {
  const out = ["# wayfinder L4 virtual IPs. Generated; applied atomically with `nft -f`. Do not edit."];
  for (const family of NFT_FAMILIES) out.push(renderTable(family, model[family]));
  return `${out.join("\n")}\n`;
}

function renderTable(family: NftFamily, m: NftFamilyModel): string {
  const w = FAMILY_WORDS[family];
  const t = `${family} ${NFT_TABLE}`;
  const lines = [`table ${t} {}`, `delete table ${t}`, `table ${t} {`];
  const vips = [...m.vips].map(([k, s]) => `${k} : goto ${pickChain(s)}`);
  const backends = [...m.backends].map(([k, v]) => `${k} : ${v}`);
  lines.push(block(SETS.vips(w), vips), block(SETS.backends(w), backends));
  lines.push(block(SETS.no_backends(w), [...m.noBackends]), block(SETS.vip_addresses(w), [...m.addresses.keys()]));
  for (const slots of [...m.slotCounts].sort((a, b) => a - b)) lines.push(`\tchain ${pickChain(slots)} {\n\t\t${pickRule(family, slots)}\n\t}`);
  for (const chain of BASE_CHAINS) lines.push(`\tchain ${chain.name} {\n\t\t${chain.hook}\n\t\t${chain.rule(w)}\n\t}`);
  lines.push("}");
  return lines.join("\n");
}

function block(head: string, elements: readonly string[]): string {
  const body = elements.length === 0 ? "" : `\n\t\telements = {\n\t\t\t${elements.join(",\n\t\t\t")}\n\t\t}`;
  return `\t${head}${body}\n\t}`;
}

/**
 * The transaction that changes the installed `from` into `to`: element deletions and additions
 * only (a changed element is deleted and re-added in the same transaction, so no packet sees it
 * missing), plus any `pick_<S>` chain `to` needs that `from` lacks. Empty when nothing differs.
 * @example nftablesDelta(installed, nftModel(services)) // "delete element ip wayfinder_l4lb backends { ... }\n..."
 */
export function nftablesDelta(from: NftModel, to: NftModel): string {
  const lines: string[] = [];
  for (const family of NFT_FAMILIES) {
    const a = from[family];
    const b = to[family];
    const t = `${family} ${NFT_TABLE}`;
    for (const slots of [...b.slotCounts].filter((s) => !a.slotCounts.has(s)).sort((x, y) => x - y)) {
      lines.push(`add chain ${t} ${pickChain(slots)}`, `add rule ${t} ${pickChain(slots)} ${pickRule(family, slots)}`);
    }
    elementChanges(lines, t, "vips", a.vips, b.vips, (k, s) => `${k} : goto ${pickChain(s)}`);
    elementChanges(lines, t, "backends", a.backends, b.backends, (k, v) => `${k} : ${v}`);
    elementChanges(lines, t, "no_backends", asMap(a.noBackends), asMap(b.noBackends), (k) => k);
    elementChanges(lines, t, "vip_addresses", presence(a.addresses), presence(b.addresses), (k) => k);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function elementChanges<V>(
  lines: string[],
  table: string,
  set: string,
  from: ReadonlyMap<string, V>,
  to: ReadonlyMap<string, V>,
  element: (key: string, value: V) => string,
): void {
  const remove: string[] = [];
  const add: string[] = [];
  for (const [key, value] of from) {
    if (!to.has(key)) remove.push(key);
    else if (to.get(key) !== value) remove.push(key);
  }
  for (const [key, value] of to) if (from.get(key) !== value) add.push(element(key, value));
  if (remove.length > 0) lines.push(`delete element ${table} ${set} { ${remove.join(", ")} }`);
  if (add.length > 0) lines.push(`add element ${table} ${set} { ${add.join(", ")} }`);
}

function asMap(set: ReadonlySet<string>): Map<string, true> {
  return new Map([...set].map((k) => [k, true]));
}

/** Only whether an address is in use matters to the set, not how many services share it. */
function presence(counts: ReadonlyMap<string, number>): Map<string, true> {
  return new Map([...counts.keys()].map((k) => [k, true]));
}
