/**
 * @module
 * `explain` and `matrix`: the decision function asked about parties instead of addresses.
 * `explain` judges every source of one party against every destination of another on one port;
 * `matrix` does it for every app (and node) against every app, per port (`partyCells` for any
 * sources and destinations: a page of it, one party's row and column), and `matrixChanges`
 * keeps only the cells two matrices disagree on: what a change would open or close. Pure.
 */
import { compareStrings } from "../../lib/net/compare.ts";
import type { Protocol, ProtocolPort } from "../../lib/desired/policy-ports.ts";
import type { Decision, PolicyDecider, Source } from "./decide.ts";
import { reachedOn, type Parties, type Party } from "./parties.ts";

/** One source address against one destination address. */
export interface PairDecision extends Decision {
  from: string;
  to: string;
}

export interface Explanation {
  from: string;
  to: string;
  protocol: Protocol;
  port: number;
  /** `allow` or `deny` when every pair agrees, else `mixed`. */
  verdict: "allow" | "deny" | "mixed";
  /** What decided, each once, in pair order. */
  by: string[];
  pairs: PairDecision[];
}

/**
 * @example explain(decider, web, db, "tcp", 5432) // { verdict: "allow", by: ["web-to-db"], pairs: [...] }
 */
export function explain(decider: PolicyDecider, from: Party, to: Party, protocol: Protocol, port: number): Explanation {
  const pairs: PairDecision[] = [];
  for (const source of from.sources) {
    for (const destination of to.destinations) {
      if (!reachedOn(destination, port) || !sameFamily(source, destination.address)) continue;
      pairs.push({ from: source.address, to: destination.address, ...decider.decide(source, destination.address, protocol, port) });
    }
  }
  const verdicts = new Set(pairs.map((p) => p.verdict));
  const verdict = verdicts.size === 1 ? [...verdicts][0]! : "mixed";
  return { from: from.label, to: to.label, protocol, port, verdict, by: [...new Set(pairs.map((p) => p.by))], pairs };
}

/** A port the matrix asks about. */
export type MatrixPort = ProtocolPort;

/** A cell: `verdict` over every pair of the two parties on that port (`mixed` when they differ). */
export type MatrixCell = Omit<Explanation, "pairs"> & { pairs: number };

/**
 * Every source (apps, then nodes) against every app, on each port; cells with no pair (an app
 * not reached on that port) are left out.
 * @example policyMatrix(decider, parties, [{ protocol: "tcp", port: 80 }])[0] // { from: "/shop/api", to: "/shop/web", verdict: "deny", ... }
 */
export function policyMatrix(decider: PolicyDecider, parties: Parties, ports: readonly MatrixPort[]): MatrixCell[] {
  const sources = [...sorted(parties.apps), ...sorted(parties.nodes)].map(([, party]) => party);
  const destinations = sorted(parties.apps).map(([, party]) => party);
  return partyCells(decider, sources, destinations, ports).map(({ pairs, ...cell }) => ({ ...cell, pairs: pairs.length }));
}

/**
 * Each source against each destination on each port, in that order: the whole matrix, a page
 * of it, or one party's row and column. Cells with no pair are left out.
 * @example partyCells(decider, [web], [db, api], [{ protocol: "tcp", port: 5432 }])[0].by // ["web-to-db"]
 */
export function partyCells(decider: PolicyDecider, sources: readonly Party[], destinations: readonly Party[], ports: readonly MatrixPort[]): Explanation[] {
  const cells: Explanation[] = [];
  for (const from of sources) {
    for (const to of destinations) {
      for (const { protocol, port } of ports) {
        const cell = explain(decider, from, to, protocol, port);
        if (cell.pairs.length > 0) cells.push(cell);
      }
    }
  }
  return cells;
}

/** A cell that differs between two matrices: what a change opens (deny → allow) or closes. */
export interface MatrixChange {
  from: string;
  to: string;
  protocol: Protocol;
  port: number;
  before: MatrixCell["verdict"] | "absent";
  after: MatrixCell["verdict"] | "absent";
  by: string[];
}

/**
 * @example matrixChanges(before, after) // [{ from: "/shop/web", to: "/bank/db", port: 5432, before: "deny", after: "allow", by: ["web-to-db"] }]
 */
export function matrixChanges(before: readonly MatrixCell[], after: readonly MatrixCell[]): MatrixChange[] {
  const key = (c: MatrixCell) => `${c.from}\n${c.to}\n${c.protocol}\n${c.port}`;
  const old = new Map(before.map((c) => [key(c), c]));
  const out: MatrixChange[] = [];
  for (const cell of after) {
    const was = old.get(key(cell));
    old.delete(key(cell));
    if (was?.verdict === cell.verdict) continue;
    out.push({ from: cell.from, to: cell.to, protocol: cell.protocol, port: cell.port, before: was?.verdict ?? "absent", after: cell.verdict, by: cell.by });
  }
  for (const was of old.values()) out.push({ from: was.from, to: was.to, protocol: was.protocol, port: was.port, before: was.verdict, after: "absent", by: was.by });
  return out;
}

function sorted(map: ReadonlyMap<string, Party>): Array<[string, Party]> {
  return [...map].sort(([a], [b]) => compareStrings(a, b));
}

function sameFamily(source: Source, address: string): boolean {
  return source.address.includes(":") === address.includes(":");
}
