/**
 * @module
 * A node's policy table as `nft -f` input: the full script (create-if-missing, delete, define,
 * in one transaction, so the node never runs half a policy), its skeleton (everything but set
 * elements: when two tables share it, a partial sync only moves elements), and that partial
 * sync. Pure.
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
  return `${header(table)}table ${TABLE} {}\ndelete table ${TABLE}\n${body(table, true)}`;
}

/**
 * The table without set elements: equal skeletons mean a sync only moves elements.
 * @example policySkeleton(a) === policySkeleton(b) // true when only tasks moved
 */
export function policySkeleton(table: PolicyTable): string {
  return body(table, false);
}

/**
 * The transaction that moves the installed table's elements from `before` to `after` (same
 * skeleton): per set, deletions first, then additions, so a changed map value (an address that
 * moved to another identity) is replaced within the one transaction. "" when nothing changes.
 * @example policyElementDelta(before, after) // "delete element inet wayfinder_policy sources4 { 9.0.0.2 }\nadd element ..."
 */
export function policyElementDelta(before: PolicyTable, after: PolicyTable): string {
  const old = new Map(before.sets.map((s) => [s.name, s]));
  const lines: string[] = [];
  for (const set of after.sets) {
    const was = new Set(old.get(set.name)?.elements ?? []);
    const now = new Set(set.elements);
    const removed = [...was].filter((e) => !now.has(e)).map((e) => keyOf(set, e));
    const added = set.elements.filter((e) => !was.has(e));
    if (removed.length > 0) lines.push(`delete element ${TABLE} ${set.name} { ${removed.join(", ")} }`);
    if (added.length > 0) lines.push(`add element ${TABLE} ${set.name} { ${added.join(", ")} }`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
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

function body(table: PolicyTable, withElements: boolean): string {
  const lines = [`table ${TABLE} {`];
  for (const counter of table.counters) lines.push(`\tcounter ${counter} {\n\t}`);
  for (const set of table.sets) {
    const elements = withElements && set.elements.length > 0 ? `\n\t\telements = {\n\t\t\t${set.elements.join(",\n\t\t\t")}\n\t\t}` : "";
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
function keyOf(set: TableSet, element: string): string {
  const colon = element.indexOf(" : ");
  return set.head.startsWith("map ") && colon >= 0 ? element.slice(0, colon) : element;
}
