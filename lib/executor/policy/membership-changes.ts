/**
 * @module
 * The policy applier's partial sync on the delta path: a batch that changes only set
 * memberships (`policy/member/task/<id>`, `policy/member/node/<id>`: a task replaced, scaled,
 * moved) becomes one nft transaction of element changes, computed from the changed keys' values
 * before (the record) and after (the batch) alone, never from the whole view.
 *
 * Each set the node's table holds keeps a count of who puts each element in it (its own
 * elements and its members'). Only the sets a changed membership names are rebuilt: a `hosts`
 * set (single addresses, never merged) by inserting and removing the elements whose count came
 * to or left zero; an interval set (`addresses`, `endpoints`) by normalising its counted
 * elements again (`normalizeElements`: merged intervals, port ranges), because an element that
 * comes or goes can merge or split its neighbours. Either way the new set's elements are diffed
 * against the installed ones into `delete element` / `add element` lines, so what a change
 * costs is the sets it names, never the cluster. A tier-isolated app's members move their
 * elements in the `apps` map too.
 *
 * Anything a membership change cannot decide alone is refused (the caller runs a full sync):
 * another kind of key, a relist, a set written into rules rather than referenced (a source's
 * address blocks), a set gaining its first or losing its last element of a family (chains then
 * change), or a quarantined task named in any set but `quarantine`. Pure, apart from updating
 * the record it is given (which the caller drops when anything is refused or fails).
 */
import type { PolicyMembership, PolicySection, PolicySet } from "../../desired/policy-schema.ts";
import { elementsAfter, formatElement, normalizeElements, parseElement } from "../../desired/policy-elements.ts";
import { elementLines } from "../../render/policy-nftables.ts";
import { appMapElementsOf, POLICY_FAMILIES, tableSetOf, type PolicyTable, type TableSet } from "../../render/policy-table.ts";
import { compareStrings } from "../../net/compare.ts";
import type { KeyChanges } from "../keyed-applier.ts";

export const MEMBER_PREFIX = "policy/member/";

/** What the applier keeps to turn membership changes into element changes. */
export interface MembershipRecord {
  /** The node's policy the installed table was built from (its sets kept current). */
  policy: PolicySection;
  /** Each membership key's value as last applied: a change's "before". */
  members: Map<string, PolicyMembership>;
  /** Set key → element (canonical text) → how many put it there; only the node's sets. */
  counts: Map<string, Map<string, number>>;
  /** Set key → address → how many elements with ports on it the set counts (a whole address hides them). */
  ported: Map<string, Map<string, number>>;
  /** Set keys written into rules (sources' address blocks): a change to them changes chains. */
  inlined: ReadonlySet<string>;
}

/** A partial sync's transaction and what it leaves, or why there is none. */
export type MembershipDelta = { batch: string; table: PolicyTable; sets: string[] } | { refused: string };

/**
 * The record for a table built from `policy` (a node view): counts from each set's own elements
 * (`ownElements`) and every membership. Costs the cluster, so only a full sync makes it.
 * @example membershipRecord(view.policy!, (key) => setValue(key)?.elements ?? [], view.valuesUnder("policy/member/"))
 */
export function membershipRecord(policy: PolicySection, ownElements: (setKey: string) => readonly string[], memberships: Iterable<[string, PolicyMembership]>): MembershipRecord {
  const counts = new Map<string, Map<string, number>>();
  const ported = new Map<string, Map<string, number>>();
  for (const key of Object.keys(policy.sets)) {
    counts.set(key, new Map());
    ported.set(key, new Map());
    for (const element of ownElements(key)) count(counts, ported, key, canonical(element), 1);
  }
  const members = new Map<string, PolicyMembership>();
  for (const [key, membership] of memberships) {
    members.set(key, membership);
    for (const [set, elements] of Object.entries(membership)) {
      if (counts.has(set)) for (const element of elements) count(counts, ported, set, canonical(element), 1);
    }
  }
  const inlined = new Set<string>();
  for (const identity of Object.values(policy.identities)) {
    for (const checked of [...identity.rules, ...identity.grants]) if (checked.from !== undefined) inlined.add(checked.from);
  }
  return { policy, members, counts, ported, inlined };
}

/**
 * The transaction that moves `table` (built from `record.policy`) by `changes`, or why it
 * cannot. Updates `record` as it goes.
 * @example membershipDelta(record, table, changes) // { batch: "add element inet wayfinder_policy known-4 { 9.0.0.9 }\n", table, sets: ["known"] }
 */
export function membershipDelta(record: MembershipRecord, table: PolicyTable, changes: KeyChanges): MembershipDelta {
  if (changes.complete) return { refused: "a relist listed every key" };
  const moved = new Map<string, Map<string, number>>();
  const move = (membership: PolicyMembership | undefined, sign: 1 | -1) => {
    for (const [set, elements] of Object.entries(membership ?? {})) {
      const counted = record.counts.get(set);
      if (counted === undefined) continue;
      let before = moved.get(set);
      if (before === undefined) moved.set(set, (before = new Map()));
      for (const element of elements) {
        const text = canonical(element);
        if (!before.has(text)) before.set(text, counted.get(text) ?? 0);
        count(record.counts, record.ported, set, text, sign);
      }
    }
  };
  for (const key of [...changes.deletes, ...changes.upserts.keys()]) {
    if (!key.startsWith(MEMBER_PREFIX)) return { refused: `${key} is not a set membership` };
    const after = changes.deletes.has(key) ? undefined : changes.upserts.get(key)!.value;
    if (!changes.deletes.has(key) && after === undefined) return { refused: `the view keeps no value of ${key}` };
    const membership = after as PolicyMembership | undefined;
    if (membership?.quarantine !== undefined && Object.keys(membership).length > 1) return { refused: `${key} is quarantined yet in an allow set` };
    move(record.members.get(key), -1);
    move(membership, 1);
    if (membership === undefined) record.members.delete(key);
    else record.members.set(key, membership);
  }

  const tableSets = new Map(table.sets.map((s) => [s.name, s]));
  const replaced = new Map<string, TableSet>();
  const lines: string[] = [];
  const changedSets: string[] = [];
  for (const [key, before] of [...moved].sort(([a], [b]) => compareStrings(a, b))) {
    const count = record.counts.get(key)!;
    const came = [...before].filter(([text, was]) => was === 0 && (count.get(text) ?? 0) > 0).map(([text]) => text);
    const went = [...before].filter(([text, was]) => was > 0 && (count.get(text) ?? 0) === 0).map(([text]) => text);
    if (came.length === 0 && went.length === 0) continue;
    if (record.inlined.has(key)) return { refused: `set ${key} is written into rules` };
    const old = record.policy.sets[key]!;
    // Most changes are single addresses that touch nothing else in the set; the rest normalise it again.
    const portedAt = (address: string) => record.ported.get(key)!.has(address);
    const set: PolicySet = { ...old, elements: elementsAfter(old.elements, went, came, portedAt) ?? normalizeElements(count.keys()) };
    const linesBefore = lines.length;
    for (const family of POLICY_FAMILIES) {
      if (hasFamily(old.elements, family) !== hasFamily(set.elements, family)) return { refused: `set ${key} ${hasFamily(set.elements, family) ? "gains its first" : "loses its last"} ${family} element` };
      const before = tableSetOf(key, old, family);
      const installed = tableSets.get(before.name);
      if (installed !== undefined) lines.push(...moveElements(installed, before.elements, tableSetOf(key, set, family).elements, replaced));
      if (record.policy.apps.some((app) => app.members === key)) {
        const was = appMapElementsOf(key, old.elements, family);
        const map = replaced.get(was.name) ?? tableSets.get(was.name);
        if (map !== undefined) lines.push(...moveElements(map, was.elements, appMapElementsOf(key, set.elements, family).elements, replaced));
      }
    }
    record.policy = { ...record.policy, sets: { ...record.policy.sets, [key]: set } };
    // Addresses inside a block the set already has change nothing the kernel holds.
    if (lines.length > linesBefore) changedSets.push(key);
  }
  const batch = lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  return { batch, table: { ...table, sets: table.sets.map((s) => replaced.get(s.name) ?? s) }, sets: changedSets };
}

/**
 * The lines that turn the `was` elements of `set` (a set, or one app's part of a map) into
 * `now`, and the set after them in `replaced`: a map's part keeps its place among the others.
 */
function moveElements(set: TableSet, was: readonly string[], now: readonly string[], replaced: Map<string, TableSet>): string[] {
  const wasSet = new Set(was);
  const nowSet = new Set(now);
  const removed = was.filter((e) => !nowSet.has(e));
  const added = now.filter((e) => !wasSet.has(e));
  if (removed.length === 0 && added.length === 0) return [];
  const at = set.elements.findIndex((e) => wasSet.has(e));
  const kept = set.elements.filter((e) => !wasSet.has(e));
  const elements = at < 0 ? [...kept, ...now] : [...kept.slice(0, at), ...now, ...kept.slice(at)];
  replaced.set(set.name, { ...set, elements });
  return elementLines(set, removed, added);
}

/** Elements are sorted by family (IPv4 first), so the ends say which families a set holds. */
function hasFamily(elements: readonly string[], family: (typeof POLICY_FAMILIES)[number]): boolean {
  const end = family === "ip" ? elements[0] : elements[elements.length - 1];
  return end !== undefined && end.includes(":") === (family === "ip6");
}

function canonical(element: string): string {
  const range = parseElement(element);
  if (range === undefined) throw new Error(`not a policy set element: ${JSON.stringify(element)}`);
  return formatElement(range);
}

/** Counts one element of a set in or out, and an element with ports on its address too. */
function count(counts: Map<string, Map<string, number>>, ported: Map<string, Map<string, number>>, set: string, text: string, by: 1 | -1): void {
  bump(counts.get(set)!, text, by);
  const space = text.indexOf(" ");
  if (space > 0) bump(ported.get(set)!, text.slice(0, space), by);
}

function bump(count: Map<string, number>, text: string, by: 1 | -1): void {
  const next = (count.get(text) ?? 0) + by;
  if (next <= 0) count.delete(text);
  else count.set(text, next);
}
