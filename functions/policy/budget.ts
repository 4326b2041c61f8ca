/**
 * @module
 * The rule budget: about how many nft rules each node's table needs, against
 * `maxRulesPerNode`. A node's count is a shared part (fixed chains, isolation, the app tiers,
 * the outside identity) plus its own identities'; both families carry the same chains, so it
 * is doubled. A node over budget gets an error diagnostic. The shared part changes only with
 * app tiers, so a task change re-judges its own node alone.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";

/**
 * @example
 * const budget = new RuleBudget(50_000);
 * budget.setNode("a1", 120); budget.flush(80, write) // nothing over budget: writes nothing new
 */
export class RuleBudget {
  /** Node → the rules its own identities add. */
  readonly #own = new Map<string, number>();
  /** Node → the rule count it was reported over budget with. */
  readonly #reported = new Map<string, number>();
  #shared: number | undefined;
  #touched = new Set<string>();

  constructor(private readonly max: number) {}

  /** A node's own share (undefined: the node is gone). */
  setNode(node: string, own: number | undefined): void {
    if (own === undefined) this.#own.delete(node);
    else this.#own.set(node, own);
    this.#touched.add(node);
  }

  /** Judges the nodes that changed (every node when the shared part did) and writes their diagnostics. */
  flush(shared: number, write: (subject: string, list: Diagnostic[]) => void): void {
    const nodes = shared === this.#shared ? this.#touched : new Set([...this.#own.keys(), ...this.#reported.keys()]);
    this.#shared = shared;
    this.#touched = new Set();
    for (const node of nodes) {
      const own = this.#own.get(node);
      const rules = own === undefined ? 0 : (shared + own) * 2;
      const over = rules > this.max;
      if (over === this.#reported.has(node) && (!over || this.#reported.get(node) === rules)) continue;
      if (over) this.#reported.set(node, rules);
      else this.#reported.delete(node);
      write(`agent:${node}`, over ? [overBudget(node, rules, this.max)] : []);
    }
  }
}

function overBudget(node: string, rules: number, max: number): Diagnostic {
  return {
    level: "error",
    code: "policy.node-over-budget",
    subject: `agent:${node}`,
    message: `its policy table needs about ${rules} rules, more than policy.maxRulesPerNode (${max}); narrow the rules' selectors or raise the budget`,
  };
}
