/**
 * @module
 * A node's policy table as `nft -f` input: the full script (create-if-missing, delete, define,
 * in one transaction, so the node never runs half a policy) and the partial sync from one table
 * to another (only the elements, chains, sets and counters that differ, also one transaction).
 * Pure.
 */
import type { DesiredState } from "../desired/schema.ts";
import { policyNodeView } from "../desired/policy-node-view.ts";
import { POLICY_FAMILIES, familyChain, policyTable, type PolicyTable, type TableSet } from "./policy-table.ts";
import { POLICY_FAMILY, POLICY_TABLE } from "./policy-names.ts";

const TABLE = `${POLICY_FAMILY} ${POLICY_TABLE}`;

/**
 * The whole table as an atomic replacement script.
 * @example renderPolicyTable(policyTable(view.policy!, "S1")) // "# wayfinder network policy of node S1 ...\ntable inet wayfinder_policy {}\n..."
 */
export function renderPolicyTable(table: PolicyTable): string {
  return `${header(table)}table ${TABLE} {}\ndelete table ${TABLE}\n${body(table)}`;
}

/**
 * The one transaction that moves the installed table from `before` to `after` without
 * replacing it: new counters, sets and (empty) chains first; then element changes of the sets
 * and maps both have (deletions before additions, so a map value that moved is replaced
 * within the transaction); then every chain whose rules changed is flushed and refilled, and
 * new chains filled; last, what nothing refers to any more is deleted. "" when nothing changes.
 * @example policyDelta(before, after) // "add element inet wayfinder_policy sources4 { 9.0.0.9 : jump id-i-3f2a9c01b4e7-4 }\n"
 */
export function policyDelta(before: PolicyTable, after: PolicyTable): string {
  const lines: string[] = [];
  const oldSets = new Map(before.sets.map((s) => [s.name, s]));
  const newSets = new Map(after.sets.map((s) => [s.name, s]));
  const oldChains = new Map(before.chains.map((c) => [c.name, c]));
  const newChains = new Map(after.chains.map((c) => [c.name, c]));
  const oldCounters = new Set(before.counters);
  const newCounters = new Set(after.counters);
  // A set whose type changed is a new set under the same name: removed, then added back.
  const retyped = new Set(after.sets.filter((s) => oldSets.has(s.name) && oldSets.get(s.name)!.head !== s.head).map((s) => s.name));

  for (const counter of after.counters) if (!oldCounters.has(counter)) lines.push(`add counter ${TABLE} ${counter}`);
  for (const name of retyped) lines.push(`delete ${oldSets.get(name)!.head.startsWith("map ") ? "map" : "set"} ${TABLE} ${name}`);
  for (const set of after.sets) {
    if (oldSets.has(set.name) && !retyped.has(set.name)) continue;
    lines.push(`add ${declaration(set)}`);
    if (set.elements.length > 0) lines.push(`add element ${TABLE} ${set.name} { ${set.elements.join(", ")} }`);
  }
  for (const chain of after.chains) if (!oldChains.has(chain.name)) lines.push(`add chain ${TABLE} ${chain.name}`);
  for (const set of after.sets) {
    const old = oldSets.get(set.name);
    if (old === undefined || retyped.has(set.name) || sameList(old.elements, set.elements)) continue;
    const was = new Set(old.elements);
    const now = new Set(set.elements);
    lines.push(...elementLines(set, old.elements.filter((e) => !now.has(e)), set.elements.filter((e) => !was.has(e))));
  }
  for (const chain of after.chains) {
    const old = oldChains.get(chain.name);
    if (old !== undefined && sameList(old.rules, chain.rules)) continue;
    if (old !== undefined) lines.push(`flush chain ${TABLE} ${chain.name}`);
    for (const rule of chain.rules) lines.push(`add rule ${TABLE} ${chain.name} ${rule}`);
  }
  for (const chain of before.chains) if (!newChains.has(chain.name)) lines.push(`delete chain ${TABLE} ${chain.name}`);
  for (const set of before.sets) if (!newSets.has(set.name)) lines.push(`delete ${set.head.startsWith("map ") ? "map" : "set"} ${TABLE} ${set.name}`);
  for (const counter of before.counters) if (!newCounters.has(counter)) lines.push(`delete counter ${TABLE} ${counter}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/**
 * The lines that take `removed` out of a set or map of the table and put `added` in (deletions
 * first, so a map value that moved is replaced within the transaction).
 * @example elementLines(known4, ["9.0.0.3"], ["9.0.0.9"]) // ["delete element inet wayfinder_policy known-4 { 9.0.0.3 }", "add element ... { 9.0.0.9 }"]
 */
export function elementLines(set: Pick<TableSet, "name" | "head">, removed: readonly string[], added: readonly string[]): string[] {
  const lines: string[] = [];
  if (removed.length > 0) lines.push(`delete element ${TABLE} ${set.name} { ${removed.map((e) => keyOf(set, e)).join(", ")} }`);
  if (added.length > 0) lines.push(`add element ${TABLE} ${set.name} { ${added.join(", ")} }`);
  return lines;
}

/**
 * What changed between two tables, by object: for plans and reports.
 * @example policyChanges(before, after) // { adds: ["counter rule-new"], changes: ["map sources4"], deletes: [] }
 */
export function policyChanges(before: PolicyTable, after: PolicyTable): { adds: string[]; changes: string[]; deletes: string[] } {
  // Each object as its key and the lines that make it, compared line by line (no joined copies).
  const keyed = (t: PolicyTable) =>
    new Map<string, readonly string[]>([
      ...t.counters.map((c): [string, readonly string[]] => [`counter ${c}`, []]),
      ...t.sets.map((s): [string, readonly string[]] => [`${s.head.startsWith("map ") ? "map" : "set"} ${s.name}`, [s.head, ...s.elements]]),
      ...t.chains.map((c): [string, readonly string[]] => [`chain ${c.name}`, c.rules]),
    ]);
  const old = keyed(before);
  const now = keyed(after);
  return {
    adds: [...now.keys()].filter((k) => !old.has(k)),
    changes: [...now.keys()].filter((k) => old.has(k) && !sameList(old.get(k)!, now.get(k)!)),
    deletes: [...old.keys()].filter((k) => !now.has(k)),
  };
}

function declaration(set: TableSet): string {
  const [first, ...rest] = set.head.split("\n").map((l) => l.trim());
  return `${first!.replace(/^(set|map) /, `$1 ${TABLE} `)} ${rest.map((l) => `${l}; `).join("")}}`;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

/**
 * `policy/<node>.nft` for every node of the desired state's policy (one, in a node view).
 * @example policyFiles(nodeView(desired, "S1")).keys() // ["policy/S1.nft"]
 */
export function policyFiles(desired: DesiredState): Map<string, string> {
  const files = new Map<string, string>();
  const policy = desired.policy;
  if (policy === undefined) return files;
  for (const node of Object.keys(policy.nodes)) {
    // A node id names a file: Mesos ids (`<uuid>-S3`) and `master@<ip>` pass; anything else is left out.
    if (!/^[A-Za-z0-9._:@-]+$/.test(node) || node === "." || node === "..") continue;
    files.set(`policy/${node}.nft`, renderPolicyTable(policyTable(desired.node === undefined ? policyNodeView(policy, node) : policy, node)));
  }
  return files;
}

function header(table: PolicyTable): string {
  return `# wayfinder network policy of node ${table.node}. Generated; applied atomically with \`nft -f\`. Do not edit.\n`;
}

function body(table: PolicyTable): string {
  const lines = [`table ${TABLE} {`];
  for (const counter of table.counters) lines.push(`\tcounter ${counter} {\n\t}`);
  for (const set of table.sets) {
    const elements = set.elements.length > 0 ? `\n\t\telements = {\n\t\t\t${set.elements.join(",\n\t\t\t")}\n\t\t}` : "";
    lines.push(`\t${set.head}${elements}\n\t}`);
  }
  for (const base of table.base) {
    const dispatch = POLICY_FAMILIES.map((f) => `${f === "ip" ? "ipv4" : "ipv6"} : jump ${familyChain(base.name, f)}`).join(", ");
    lines.push(`\tchain ${base.name} {\n\t\t${base.hook}\n\t\tmeta nfproto vmap { ${dispatch} }\n\t}`);
  }
  for (const chain of table.chains) lines.push(`\tchain ${chain.name} {${chain.rules.map((r) => `\n\t\t${r}`).join("")}\n\t}`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A map element is deleted by its key alone. */
function keyOf(set: Pick<TableSet, "head">, element: string): string {
  const colon = element.indexOf(" : ");
  return set.head.startsWith("map ") && colon >= 0 ? element.slice(0, colon) : element;
}
