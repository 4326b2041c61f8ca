/**
 * @module
 * One node's view of the policy: its own entry, the identities its sources use, and only the
 * sets those identities, the isolated networks and the app tiers refer to. Everything a node
 * may send to is in it; the rules that can never decide for one of its sources are not.
 */
import { FIXED_SETS, type PolicySection } from "./policy-schema.ts";
import { compareStrings } from "../net/compare.ts";

/**
 * @example policyNodeView(desired.policy, "S1").nodes // { S1: { network: "host", ... } }
 */
export function policyNodeView(policy: PolicySection, node: string): PolicySection {
  const own = policy.nodes[node];
  const ids = own === undefined ? [policy.outside] : [...new Set([own.identity, policy.outside, ...Object.values(own.sources)])].sort(compareStrings);
  const identities = Object.fromEntries(ids.map((id) => [id, policy.identities[id]!]));
  const used = new Set(ids.flatMap((id) => identities[id]!.rules.map((r) => r.name)));
  const keys = new Set<string>(FIXED_SETS);
  for (const id of ids) {
    for (const checked of [...identities[id]!.rules, ...identities[id]!.grants]) if (checked.from !== undefined) keys.add(checked.from);
  }
  for (const rule of policy.rules) if (used.has(rule.name) && rule.to !== undefined) keys.add(rule.to);
  for (const network of policy.networks) keys.add(network.members);
  for (const app of policy.apps) keys.add(app.members);
  return {
    ...policy,
    rules: policy.rules.filter((r) => used.has(r.name)),
    sets: Object.fromEntries(Object.entries(policy.sets).filter(([key]) => keys.has(key))),
    identities,
    nodes: own === undefined ? {} : { [node]: own },
  };
}
