/**
 * @module
 * The network policy as keyed objects: its settings (default, rules, the outside identity,
 * isolated networks, app tiers), each address set and each identity on its own (a task that
 * comes or goes changes only the sets it is in), and each node's part in that node's scope.
 * The section is put back together from them where a whole view is assembled; a node's view
 * keeps what its sources use (`policyNodeView`).
 */
import { keySegment } from "../../lib/desired/object-keys.ts";
import type { NodePolicy, PolicyIdentity, PolicySection, PolicySet } from "../../lib/desired/policy-schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** `policy/settings`: the section without its sets, identities and nodes. */
export type PolicySettings = Omit<PolicySection, "sets" | "identities" | "nodes">;

/** The keys of the policy's objects. */
export const PolicyKeys = {
  settings: "policy/settings",
  set: (key: string) => `policy/set/${keySegment(key)}`,
  identity: (key: string) => `policy/identity/${keySegment(key)}`,
  node: (node: string) => `node/${keySegment(node)}/policy`,
  setPrefix: "policy/set/",
  identityPrefix: "policy/identity/",
} as const;

/**
 * @example policyPieces(desired.policy).get("policy/set/known") // { kind: "hosts", about: "...", elements: [...] }
 */
export function policyPieces(section: PolicySection): Map<string, unknown> {
  const { sets, identities, nodes, ...settings } = section;
  const out = new Map<string, unknown>([[PolicyKeys.settings, settings satisfies PolicySettings]]);
  for (const [key, set] of Object.entries(sets)) out.set(PolicyKeys.set(key), set);
  for (const [key, identity] of Object.entries(identities)) out.set(PolicyKeys.identity(key), identity);
  for (const [node, own] of Object.entries(nodes)) out.set(PolicyKeys.node(node), own);
  return out;
}

/**
 * The section from its pieces, every map sorted by key as the reconciler writes it.
 * @example policySectionOf(settings, sets, identities, nodes).sets.known?.kind // "hosts"
 */
export function policySectionOf(
  settings: PolicySettings,
  sets: ReadonlyArray<[string, PolicySet]>,
  identities: ReadonlyArray<[string, PolicyIdentity]>,
  nodes: ReadonlyArray<[string, NodePolicy]>,
): PolicySection {
  const sorted = <T>(entries: ReadonlyArray<[string, T]>) => Object.fromEntries([...entries].sort(([a], [b]) => compareStrings(a, b)));
  return { ...settings, sets: sorted(sets), identities: sorted(identities), nodes: sorted(nodes) };
}
