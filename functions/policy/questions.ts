/**
 * @module
 * The policy questions people ask, in one place for the CLI, the HTTP API and the operator's
 * views: why can (or can't) X reach Y on a port, and the whole truth table of apps × apps ×
 * ports. X and Y are names (app id, task id, agent id, IP). Answers come from the desired
 * state's policy through `PolicyDecider`, the reading the nodes' tables are rendered from.
 */
import type { DesiredState } from "../../lib/desired/schema.ts";
import type { PolicySection } from "../../lib/desired/policy-schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { Protocol } from "../../lib/desired/policy-ports.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { PolicyDecider } from "./decide.ts";
import { explain, policyMatrix, type Explanation, type MatrixCell, type MatrixPort } from "./matrix.ts";
import { partiesOf, resolveParty } from "./parties.ts";

export interface PolicyQuestions {
  /** Whether a policy is configured; without one every connection is open (DC/OS's network). */
  readonly configured: boolean;
  /** Why `from` can or cannot reach `to`; `unknown` names a side that matches nothing. */
  explain(from: string, to: string, protocol: Protocol, port: number): Explanation | { unknown: string };
  matrix(ports: readonly MatrixPort[]): MatrixCell[];
  /** The ports the policy names (rules and app labels), for a matrix asked without any. */
  namedPorts(): MatrixPort[];
}

/**
 * @example
 * const q = policyQuestions(snapshot, reconcile(snapshot));
 * q.explain("/shop/web", "/bank/db", "tcp", 5432) // { verdict: "allow", by: ["web-to-db"], ... }
 */
export function policyQuestions(snapshot: ClusterSnapshot, desired: DesiredState): PolicyQuestions {
  const policy = desired.policy;
  const decider = policy === undefined ? undefined : new PolicyDecider(policy);
  const parties = partiesOf(snapshot, desired);
  const open = (from: string, to: string, protocol: Protocol, port: number): Explanation => ({ from, to, protocol, port, verdict: "allow", by: ["no-policy"], pairs: [] });
  return {
    configured: policy !== undefined,
    explain(fromName, toName, protocol, port) {
      if (decider === undefined) return open(fromName, toName, protocol, port);
      const from = resolveParty(fromName, parties, decider);
      const to = resolveParty(toName, parties, decider);
      if (from === undefined) return { unknown: fromName };
      if (to === undefined) return { unknown: toName };
      return explain(decider, from, to, protocol, port);
    },
    matrix(ports) {
      if (decider === undefined) return [];
      return policyMatrix(decider, parties, ports);
    },
    namedPorts: () => (policy === undefined ? [] : namedPorts(policy)),
  };
}

function namedPorts(policy: PolicySection): MatrixPort[] {
  const specs = [...policy.rules.flatMap((r) => r.ports ?? []), ...policy.apps.flatMap((a) => a.entries.flatMap((e) => e.ports ?? []))];
  const seen = new Map<string, MatrixPort>();
  for (const spec of specs) if (spec.port !== undefined) seen.set(`${spec.protocol}/${spec.port}`, { protocol: spec.protocol, port: spec.port });
  return [...seen.values()].sort((a, b) => compareStrings(a.protocol, b.protocol) || a.port - b.port);
}

/** What `explain --json` and the HTTP API answer. */
export interface ExplanationSummary {
  from: string;
  to: string;
  protocol: Protocol;
  port: number;
  /** `allow` only when every pair of addresses is allowed. */
  verdict: "allow" | "deny";
  /** What decided: a rule's name, `network:<name>`, `app:<id>`, `default`, ... (for the first denied pair when one is). */
  by: string;
  tier: string;
  /** True when the pairs did not all agree. */
  mixed: boolean;
  pairs: Explanation["pairs"];
}

/**
 * @example explanationSummary(q.explain("/web", "/db", "tcp", 5432)) // { verdict: "allow", by: "web-to-db", tier: "admin", ... }
 */
export function explanationSummary(answer: Explanation): ExplanationSummary {
  const decisive = answer.pairs.find((p) => p.verdict === "deny") ?? answer.pairs[0];
  return {
    from: answer.from,
    to: answer.to,
    protocol: answer.protocol,
    port: answer.port,
    verdict: answer.verdict === "allow" ? "allow" : "deny",
    by: decisive?.by ?? answer.by[0] ?? "no-pair",
    tier: decisive?.tier ?? "scope",
    mixed: answer.verdict === "mixed",
    pairs: answer.pairs,
  };
}
