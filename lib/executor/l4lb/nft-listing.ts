/**
 * @module
 * Reads wayfinder's nftables tables back from the kernel (`nft -j list table`), so that a
 * process that remembers nothing (a one-shot `wayfinder l4lb`, a restarted agent) plans from
 * what the node runs: a dry run after an apply finds nothing to do, and the apply after it
 * changes only what differs. The listing is trusted only when the table is exactly what the
 * renderer makes (`nft-table-shape.ts`) and its elements are consistent; otherwise the reader
 * says why, and the sync replaces the tables whole, as it did before.
 */
import { canonicalJson } from "../../net/canonical-json.ts";
import { compareStrings } from "../../net/compare.ts";
import type { NftFamily, NftServiceRules } from "../../render/nft-model.ts";
import { NFT_FAMILIES, NFT_SETS, NFT_TABLE } from "../../render/nftables.ts";
import type { CommandRunner } from "../run-command.ts";
import { expectedBaseChains, expectedCanaryChains, expectedPickRule, expectedSets, type SetShape } from "./nft-table-shape.ts";

/** One family's table as read back: every service's rules, and the `pick_<S>` chains it has. */
export interface NftTableListing {
  rules: NftServiceRules[];
  chains: Set<number>;
}

export type NftListingResult = { ok: true; rules: NftServiceRules[]; chains: Record<NftFamily, Set<number>> } | { ok: false; problem: string };

/**
 * Lists both tables. A table that is missing, cannot be listed or is not as rendered gives
 * `ok: false` with the reason.
 * @example await listNftTables(run) // { ok: true, rules: [...], chains: { ip: Set {1, 4}, ip6: Set {} } }
 */
export async function listNftTables(run: CommandRunner): Promise<NftListingResult> {
  const rules: NftServiceRules[] = [];
  const chains = {} as Record<NftFamily, Set<number>>;
  for (const family of NFT_FAMILIES) {
    let text: string;
    try {
      text = await run(["nft", "-j", "list", "table", family, NFT_TABLE]);
    } catch (error) {
      return { ok: false, problem: `table ${family} ${NFT_TABLE} could not be listed (${(error as Error).message.split("\n")[0]})` };
    }
    const table = parseNftTableListing(family, text);
    if (typeof table === "string") return { ok: false, problem: `table ${family} ${NFT_TABLE}: ${table}` };
    rules.push(...table.rules);
    chains[family] = table.chains;
  }
  return { ok: true, rules, chains };
}

type Json = Record<string, unknown>;

/**
 * Reads one family's `nft -j list table` output; returns what is wrong with it as a string.
 * Pure.
 * @example parseNftTableListing("ip", text).rules[0] // { family: "ip", key: "11.0.0.1 . tcp . 80", address: "11.0.0.1", slots: ["9.0.1.2 . 80"] }
 */
export function parseNftTableListing(family: NftFamily, text: string): NftTableListing | string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return "the listing is not JSON";
  }
  const objects = (document as { nftables?: unknown } | null)?.nftables;
  if (!Array.isArray(objects)) return "the listing has no nftables array";

  const sets = new Map<string, Json>();
  const chains = new Map<string, Json>();
  const rules = new Map<string, unknown[][]>();
  for (const object of objects as Json[]) {
    const [kind, body] = Object.entries(object ?? {})[0] ?? [];
    if (kind === "metainfo" || kind === "table") continue;
    if (!isObject(body)) return `an entry of the listing is not an object`;
    if (kind === "set" || kind === "map") sets.set(String(body["name"]), { ...body, kind });
    else if (kind === "chain") chains.set(String(body["name"]), body);
    else if (kind === "rule") rules.set(String(body["chain"]), [...(rules.get(String(body["chain"])) ?? []), body["expr"] as unknown[]]);
    else return `it holds a ${kind}, which wayfinder does not make`;
  }

  const setProblem = checkSets(expectedSets(family), sets);
  if (setProblem !== undefined) return setProblem;
  const pickChains = new Set<number>();
  const base = expectedBaseChains(family);
  const canary = expectedCanaryChains();
  for (const [name, chain] of chains) {
    const expected = base[name];
    const slots = /^pick_([1-9]\d*)$/.exec(name);
    const { type, hook, prio, policy } = chain;
    if (expected !== undefined) {
      if (canonicalJson({ type, hook, prio, policy }) !== canonicalJson(expected.hook)) return `chain ${name} is not hooked as rendered`;
      if (!sameRules(rules.get(name), [expected.rule])) return `chain ${name} does not hold just its rule`;
    } else if (hook !== undefined) return `chain ${name} is hooked, and wayfinder does not hook it`;
    else if (slots !== null) {
      if (!sameRules(rules.get(name), [expectedPickRule(family, Number(slots[1]))])) return `chain ${name} does not hold just its rule`;
      pickChains.add(Number(slots[1]));
    } else if (canary[name] !== undefined) {
      if (!sameRules(rules.get(name), canary[name])) return `chain ${name} does not hold what the canary puts there`;
    } else return `it holds a chain ${name}, which wayfinder does not make`;
  }
  for (const name of [...Object.keys(base), ...Object.keys(canary)]) if (!chains.has(name)) return `chain ${name} is missing`;
  for (const name of rules.keys()) if (!chains.has(name)) return `a rule names chain ${name}, which is not listed`;

  const elements = readElements(sets, pickChains);
  return typeof elements === "string" ? elements : { rules: elements.map((r) => ({ family, ...r })), chains: pickChains };
}

function checkSets(expected: Record<string, SetShape>, listed: ReadonlyMap<string, Json>): string | undefined {
  for (const [name, shape] of Object.entries(expected)) {
    const set = listed.get(name);
    if (set === undefined) return `${name} is missing`;
    if (canonicalJson({ kind: set["kind"], type: set["type"], map: set["map"], flags: set["flags"] }) !== canonicalJson(shape)) return `${name} is not of the rendered type`;
  }
  for (const name of listed.keys()) if (!(name in expected)) return `it holds a set ${name}, which wayfinder does not make`;
  return undefined;
}

function sameRules(listed: unknown[][] | undefined, expected: unknown[][]): boolean {
  return canonicalJson(listed ?? []) === canonicalJson(expected);
}

/** The services in the elements, checked against each other (every slot there, no strays). */
function readElements(sets: ReadonlyMap<string, Json>, pickChains: ReadonlySet<number>): Array<Omit<NftServiceRules, "family">> | string {
  const elems = (name: string): unknown[] => (sets.get(name)!["elem"] as unknown[] | undefined) ?? [];
  const slotCount = new Map<string, number>();
  for (const elem of elems(NFT_SETS.vips)) {
    const key = vipKey(Array.isArray(elem) ? elem[0] : undefined);
    const target = /^pick_(\d+)$/.exec(String((Array.isArray(elem) ? (elem[1] as Json | undefined)?.["goto"] as Json | undefined : undefined)?.["target"]));
    if (key === undefined || target === null) return `an element of ${NFT_SETS.vips} is not 'addr . proto . port : goto pick_<n>'`;
    if (!pickChains.has(Number(target[1]))) return `${key} jumps to ${target[0]}, which is not listed`;
    slotCount.set(key, Number(target[1]));
  }
  const slots = new Map<string, string[]>();
  for (const elem of elems(NFT_SETS.backends)) {
    const full = Array.isArray(elem) && isObject(elem[0]) && Array.isArray(elem[0]["concat"]) ? (elem[0]["concat"] as unknown[]) : [];
    const key = vipKey({ concat: full.slice(0, 3) });
    const slot = classidSlot(full[3]);
    const backend = Array.isArray(elem) && isObject(elem[1]) ? (elem[1]["concat"] as unknown[] | undefined) : undefined;
    if (key === undefined || slot === undefined || full.length !== 4 || !isAddressPort(backend)) return `an element of ${NFT_SETS.backends} is not 'addr . proto . port . slot : addr . port'`;
    const count = slotCount.get(key);
    if (count === undefined || slot >= count) return `${NFT_SETS.backends} has slot ${slot} of ${key}, which its VIP does not pick`;
    const list = slots.get(key) ?? new Array<string>(count);
    list[slot] = `${backend[0]} . ${backend[1]}`;
    slots.set(key, list);
  }
  const services: Array<Omit<NftServiceRules, "family">> = [];
  for (const [key, count] of slotCount) {
    const list = slots.get(key) ?? [];
    if (list.filter((s) => s !== undefined).length !== count) return `${key} picks from ${count} slots, but not all of them are in ${NFT_SETS.backends}`;
    services.push({ key, address: key.split(" . ")[0]!, slots: list });
  }
  for (const elem of elems(NFT_SETS.noBackends)) {
    const key = vipKey(elem);
    if (key === undefined) return `an element of ${NFT_SETS.noBackends} is not 'addr . proto . port'`;
    if (slotCount.has(key)) return `${key} is both in ${NFT_SETS.vips} and in ${NFT_SETS.noBackends}`;
    services.push({ key, address: key.split(" . ")[0]!, slots: [] });
  }
  const addresses = elems(NFT_SETS.addresses);
  const used = new Set(services.map((s) => s.address));
  if (addresses.length !== used.size || !addresses.every((a) => typeof a === "string" && used.has(a))) return `${NFT_SETS.addresses} does not list exactly the VIP addresses`;
  return services.sort((a, b) => compareStrings(a.key, b.key));
}

/** `{ concat: [addr, "tcp"|"udp", port] }` → `addr . tcp . port`. */
function vipKey(value: unknown): string | undefined {
  const parts = isObject(value) ? value["concat"] : undefined;
  if (!Array.isArray(parts) || parts.length !== 3) return undefined;
  const [addr, proto, port] = parts;
  if (typeof addr !== "string" || (proto !== "tcp" && proto !== "udp") || !isPort(port)) return undefined;
  return `${addr} . ${proto} . ${port}`;
}

/** The slot rides in `meta priority`, which nft lists as a class id: 0 is `none`, others `0:<hex>`. */
function classidSlot(value: unknown): number | undefined {
  if (value === "none") return 0;
  const minor = typeof value === "string" ? /^0:([0-9a-f]{1,4})$/.exec(value) : null;
  return minor === null ? undefined : Number.parseInt(minor[1]!, 16);
}

function isAddressPort(value: unknown[] | undefined): value is [string, number] {
  return value?.length === 2 && typeof value[0] === "string" && isPort(value[1]);
}

function isPort(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
