/**
 * @module
 * Identities: what can decide for a source. A source on a node is known when the table is
 * built (a local task's address, or the node itself), so the admin rules whose `from` it
 * matches, and the app-tier entries that list it, are picked then; its packets go straight to
 * that short list instead of testing every rule's source. Sources with the same answer (an
 * app's instances, whatever node they are on) share one identity, so the table grows with
 * apps and rules, not tasks × rules. Sources outside the cluster are one identity whose
 * address-block rules and entries test the address.
 */
import type { PolicyIdentity } from "../../lib/desired/policy-schema.ts";
import { sha256Hex } from "../../lib/net/digest.ts";
import type { NodeEndpoint, TaskEndpoint } from "./endpoints.ts";
import type { CompiledSelector } from "./selectors.ts";
import type { EndpointIndex } from "./sets.ts";

/** Something that lets sources in: an admin rule's `from`, or an app-tier entry's sources (OR'ed). */
export interface Grantor {
  selectors: readonly CompiledSelector[];
  /** The address-block set checked for sources outside the cluster; absent when none can match. */
  outsideFrom?: string;
}

export interface RuleGrantor extends Grantor {
  name: string;
}

export interface AppGrantor extends Grantor {
  app: string;
  entry: number;
}

/**
 * @example
 * const ids = new Identities(rules, grants, index);
 * ids.ofTask(endpoint) // "i-3f2a9c01b4e7"
 */
export class Identities {
  readonly identities = new Map<string, PolicyIdentity>();
  readonly #byProfile = new Map<number, { rules: number[]; grants: number[] }>();
  readonly #keys = new Map<string, string>();
  /** Grantors with address blocks: the only ones judged per address rather than per profile. */
  readonly #blockRules: number[];
  readonly #blockGrants: number[];
  readonly #ruleIndex: GrantorIndex;
  readonly #grantIndex: GrantorIndex;

  constructor(
    private readonly rules: readonly RuleGrantor[],
    private readonly grants: readonly AppGrantor[],
    private readonly index: EndpointIndex,
  ) {
    this.#blockRules = indexes(rules, hasBlocks);
    this.#blockGrants = indexes(grants, hasBlocks);
    this.#ruleIndex = grantorIndex(rules);
    this.#grantIndex = grantorIndex(grants);
  }

  /** The identity of a task's own address. */
  ofTask(endpoint: TaskEndpoint): string {
    const profile = this.index.profileOf.get(endpoint)!;
    let shared = this.#byProfile.get(profile);
    if (shared === undefined) {
      // Without address blocks a grantor answers alike for every endpoint of a profile.
      const matching = (list: readonly Grantor[], index: GrantorIndex) =>
        union(index.byApp.get(endpoint.task.appId ?? "") ?? [], index.others.filter((i) => list[i]!.selectors.some((s) => s.any || s.matchesTask(endpoint))));
      shared = { rules: matching(this.rules, this.#ruleIndex), grants: matching(this.grants, this.#grantIndex) };
      this.#byProfile.set(profile, shared);
    }
    const perAddress = (list: readonly Grantor[], which: readonly number[]) => which.filter((i) => list[i]!.selectors.some((s) => s.any || s.matchesTask(endpoint)));
    return this.#put(endpoint.network, union(shared.rules, perAddress(this.rules, this.#blockRules)), union(shared.grants, perAddress(this.grants, this.#blockGrants)));
  }

  /** The identity of what a node sends: a selector matches when any of the node's addresses does. */
  ofNode(node: NodeEndpoint): string {
    const matches = (g: Grantor) => g.selectors.some((s) => s.any || node.addresses.some((a) => s.matchesNode(node, a)));
    return this.#put(node.network, indexes(this.rules, matches), indexes(this.grants, matches));
  }

  /** The identity of sources outside the cluster: everyone-selectors, and address blocks checked per packet. */
  outside(): string {
    const identity: PolicyIdentity = {
      rules: this.rules.flatMap((r) => (r.selectors.some((s) => s.any) ? [{ name: r.name }] : r.outsideFrom ? [{ name: r.name, from: r.outsideFrom }] : [])),
      grants: this.grants.flatMap((g) => (g.selectors.some((s) => s.any) ? [{ app: g.app, entry: g.entry }] : g.outsideFrom ? [{ app: g.app, entry: g.entry, from: g.outsideFrom }] : [])),
    };
    return this.#store(identity);
  }

  #put(network: string, rules: readonly number[], grants: readonly number[]): string {
    // Most sources share an identity with many others: hash each distinct one once.
    const memo = `${network}\n${rules.join(",")}\n${grants.join(",")}`;
    const known = this.#keys.get(memo);
    if (known !== undefined) return known;
    const key = this.#store({
      network,
      rules: rules.map((i) => ({ name: this.rules[i]!.name })),
      grants: grants.map((i) => ({ app: this.grants[i]!.app, entry: this.grants[i]!.entry })),
    });
    this.#keys.set(memo, key);
    return key;
  }

  #store(identity: PolicyIdentity): string {
    const key = `i-${sha256Hex(JSON.stringify(identity)).slice(0, 12)}`;
    if (!this.identities.has(key)) this.identities.set(key, identity);
    return key;
  }
}

/** Grantors by the exact app ids they name (most of them), and the rest, to be tested; address-block grantors are in neither. */
interface GrantorIndex {
  byApp: Map<string, number[]>;
  others: number[];
}

function grantorIndex(list: readonly Grantor[]): GrantorIndex {
  const byApp = new Map<string, number[]>();
  const others: number[] = [];
  list.forEach((g, i) => {
    if (hasBlocks(g)) return;
    if (!g.selectors.every((s) => s.literalApps !== undefined)) return void others.push(i);
    for (const app of new Set(g.selectors.flatMap((s) => s.literalApps!))) {
      const at = byApp.get(app);
      if (at === undefined) byApp.set(app, [i]);
      else at.push(i);
    }
  });
  return { byApp, others };
}

function hasBlocks(grantor: Grantor): boolean {
  return grantor.selectors.some((s) => s.blockElements.length > 0);
}

function indexes<T>(list: readonly T[], keep: (item: T) => boolean): number[] {
  const out: number[] = [];
  list.forEach((item, i) => keep(item) && out.push(i));
  return out;
}

/** Two ascending index lists as one ascending list. */
function union(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return [...a];
  if (a.length === 0) return [...b];
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}
