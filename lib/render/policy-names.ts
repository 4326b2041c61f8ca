/**
 * @module
 * The names of the policy table: the table itself, and one named counter per thing that
 * decides (`rule-<name>`, `net-<network>`, `app-<set>-allow|deny`, `default`, `unprogrammed`,
 * `quarantine`), so `nft list counters` and the agent's metrics say which rule dropped what.
 * Names are data here, used by the renderer and read back by the applier. Pure.
 */
import type { PolicySection } from "../desired/policy-schema.ts";

/** The one table wayfinder owns for policy on a node; nothing outside it is touched. */
export const POLICY_TABLE = "wayfinder_policy";
export const POLICY_FAMILY = "inet";

/** What a counter counts: the tier, what decided (as `explain` names it), and the verdict. */
export interface CounterMeaning {
  tier: "admin" | "network" | "app" | "default" | "guard" | "quarantine";
  by: string;
  verdict: "allow" | "deny" | "pass";
}

/** Counters that do not depend on the rules. */
export const FIXED_COUNTERS = {
  unprogrammed: { name: "unprogrammed", meaning: { tier: "guard", by: "unprogrammed", verdict: "deny" } },
  quarantine: { name: "quarantine", meaning: { tier: "quarantine", by: "quarantine", verdict: "deny" } },
  default: { name: "default", meaning: { tier: "default", by: "default", verdict: "deny" } },
} as const satisfies Record<string, { name: string; meaning: CounterMeaning }>;

/** @example ruleCounter("web-to-db") // "rule-web-to-db" */
export function ruleCounter(rule: string): string {
  return `rule-${rule}`;
}

/** @example networkCounter("dcos") // "net-dcos" */
export function networkCounter(network: string): string {
  return `net-${network}`;
}

/** App counters are named by the app's member set (app ids may hold any character). @example appCounter("m-web-1a2b3c4d", "deny") // "app-m-web-1a2b3c4d-deny" */
export function appCounter(members: string, verdict: "allow" | "deny"): string {
  return `app-${members}-${verdict}`;
}

/**
 * Every counter a policy's table declares, with what it counts.
 * @example policyCounters(policy).get("rule-web-to-db") // { tier: "admin", by: "web-to-db", verdict: "allow" }
 */
export function policyCounters(policy: PolicySection): Map<string, CounterMeaning> {
  const out = new Map<string, CounterMeaning>();
  for (const rule of policy.rules) out.set(ruleCounter(rule.name), { tier: "admin", by: rule.name, verdict: rule.action });
  for (const network of policy.networks) out.set(networkCounter(network.name), { tier: "network", by: `network:${network.name}`, verdict: "deny" });
  for (const app of policy.apps) {
    for (const verdict of ["allow", "deny"] as const) out.set(appCounter(app.members, verdict), { tier: "app", by: `app:${app.appId}`, verdict });
  }
  out.set(FIXED_COUNTERS.default.name, { ...FIXED_COUNTERS.default.meaning, verdict: policy.default });
  out.set(FIXED_COUNTERS.unprogrammed.name, FIXED_COUNTERS.unprogrammed.meaning);
  out.set(FIXED_COUNTERS.quarantine.name, FIXED_COUNTERS.quarantine.meaning);
  return out;
}
