/**
 * @module
 * The policy questions people ask, in one place for the CLI, the HTTP API and the operator's
 * views: why can (or can't) X reach Y on a port, the whole truth table of apps × apps × ports
 * (or a page of it), and what may reach one party and what it may reach (`explain task`).
 * X and Y are names (app id, task id, agent id, IP). Answers come from the desired state's
 * policy through `PolicyDecider`, the reading the nodes' tables are rendered from.
 */
import type { DesiredState } from "../../lib/desired/schema.ts";
import type { PolicySection } from "../../lib/desired/policy-schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { Protocol } from "../../lib/desired/policy-ports.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { PolicyDecider } from "./decide.ts";
import { explain, partyCells, policyMatrix, type Explanation, type MatrixCell, type MatrixPort } from "./matrix.ts";
import { partiesOf, resolveParty, type Parties, type Party } from "./parties.ts";

/**
 * Ports `around` asks about unless told which: each costs one decision per address pair of
 * the party and every other app, so a party's answer stays cheap whatever the policy names.
 */
export const AROUND_PORT_LIMIT = 6;

export interface PolicyQuestions {
  /** Whether a policy is configured; without one every connection is open (DC/OS's network). */
  readonly configured: boolean;
  /** Why `from` can or cannot reach `to`; `unknown` names a side that matches nothing. */
  explain(from: string, to: string, protocol: Protocol, port: number): Explanation | { unknown: string };
  matrix(ports: readonly MatrixPort[]): MatrixCell[];
  /** The ports the policy names (rules and app labels), for a matrix asked without any. */
  namedPorts(): MatrixPort[];
  /** The app ids the matrix speaks about, sorted. */
  apps(): string[];
  /** The agent ids (and masters') that are sources of the matrix, sorted. */
  nodes(): string[];
  /** A page of the matrix: each of `from` (app ids, `node:<id>`) against each of `to` (app ids); names that match nothing are skipped. */
  cells(from: readonly string[], to: readonly string[], ports: readonly MatrixPort[]): CellSummary[];
  /**
   * What may reach `name` (every app and node against it) and what it may reach (it against
   * every app), on `ports`, or by default on the ports it holds and the policy names.
   */
  around(name: string, ports?: readonly MatrixPort[]): Surroundings | { unknown: string };
}

/** One party against another on one port: the verdict, what decided and in which tier, how many address pairs were judged. */
export type CellSummary = Omit<ExplanationSummary, "pairs"> & { pairs: number };

/** A party's row and column of the matrix. */
export interface Surroundings {
  /** The ports asked, both ways. By default the party's host ports (as TCP), then those the policy names, at most `AROUND_PORT_LIMIT`. */
  ports: MatrixPort[];
  /** The default ports past the limit, not asked (ask for them by name). */
  portsLeftOut: MatrixPort[];
  inbound: CellSummary[];
  outbound: CellSummary[];
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
    apps: () => [...parties.apps.keys()].sort(compareStrings),
    nodes: () => [...parties.nodes.keys()].sort(compareStrings),
    cells(from, to, ports) {
      if (decider === undefined) return [];
      const sources = from.flatMap((name) => partyOf(parties, name));
      const destinations = to.flatMap((name) => parties.apps.get(name) ?? []);
      return partyCells(decider, sources, destinations, ports).map(cellSummary);
    },
    around(name, asked) {
      if (decider === undefined) return { ports: [], portsLeftOut: [], inbound: [], outbound: [] };
      const party = resolveParty(name, parties, decider);
      if (party === undefined) return { unknown: name };
      const wanted = asked ?? portsAround(policy!, party);
      const ports = asked ?? wanted.slice(0, AROUND_PORT_LIMIT);
      const apps = [...parties.apps.keys()].sort(compareStrings).map((id) => parties.apps.get(id)!);
      const nodes = [...parties.nodes.keys()].sort(compareStrings).map((id) => parties.nodes.get(id)!);
      return {
        ports: [...ports],
        portsLeftOut: wanted.slice(ports.length),
        inbound: partyCells(decider, [...apps, ...nodes], [party], ports).map(cellSummary),
        outbound: partyCells(decider, [party], apps, ports).map(cellSummary),
      };
    },
  };
}

/** An app id, or `node:<id>` (a node is a source only). */
function partyOf(parties: Parties, name: string): Party[] {
  const party = name.startsWith("node:") ? parties.nodes.get(name.slice(5)) : parties.apps.get(name);
  return party === undefined ? [] : [party];
}

/** The first port of each host-port range `party` is reached on (what it listens on), then the ports the policy names. */
function portsAround(policy: PolicySection, party: Party): MatrixPort[] {
  const held = [...new Set(party.destinations.flatMap((d) => d.ports ?? []).map(([lo]) => lo))].sort((a, b) => a - b);
  const seen = new Map(held.map((port): [string, MatrixPort] => [`tcp/${port}`, { protocol: "tcp", port }]));
  for (const p of namedPorts(policy)) if (!seen.has(`${p.protocol}/${p.port}`)) seen.set(`${p.protocol}/${p.port}`, p);
  return [...seen.values()];
}

function cellSummary(answer: Explanation): CellSummary {
  return { ...explanationSummary(answer), pairs: answer.pairs.length };
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
