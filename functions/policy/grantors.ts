/**
 * @module
 * Grantors: what lets sources in. An admin rule grants its `from` (it can decide for those
 * sources), an app-tier entry grants the sources its label lists. Which grantors a source
 * matches makes its identity. Most grantors name exact app ids, so they are found by the
 * source's app instead of being tested; grantors with address blocks answer per address; the
 * rest are tested once per profile (the task facts selectors read). Admin rules never change
 * without the config; app-tier grantors come and go with their apps' labels and tasks.
 */
import type { NodeEndpoint, TaskEndpoint } from "./endpoints.ts";
import type { CompiledSelector } from "./selectors.ts";

/** Something that lets sources in: an admin rule's `from`, or an app-tier entry's sources (OR'ed). */
export interface Grantor {
  /** Unique among its kind: the rule's name, `<app>\n<entry>`. */
  id: string;
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
 * Grantors indexed by how a source finds them.
 * @example
 * const index = new GrantorIndex(rules);
 * index.forProfile(endpoint) // the rules whose `from` matches every endpoint like it
 */
export class GrantorIndex<G extends Grantor> {
  /** Grantors whose selectors are all exact app ids, by those ids. */
  readonly #byApp = new Map<string, Set<G>>();
  /** Tested once per profile. */
  readonly #others = new Set<G>();
  /** With address blocks: tested per address. */
  readonly blocks = new Set<G>();
  /** Those a node can match (a selector without task facts). */
  readonly nodes = new Set<G>();

  constructor(list: Iterable<G> = []) {
    for (const grantor of list) this.add(grantor);
  }

  add(grantor: G): void {
    if (grantor.selectors.some((s) => !s.tasksOnly)) this.nodes.add(grantor);
    const apps = literalApps(grantor);
    if (grantor.selectors.some((s) => s.blockElements.length > 0)) this.blocks.add(grantor);
    else if (apps === undefined) this.#others.add(grantor);
    else {
      for (const app of apps) {
        const at = this.#byApp.get(app);
        if (at === undefined) this.#byApp.set(app, new Set([grantor]));
        else at.add(grantor);
      }
    }
  }

  remove(grantor: G): void {
    this.nodes.delete(grantor);
    this.blocks.delete(grantor);
    this.#others.delete(grantor);
    for (const app of literalApps(grantor) ?? []) {
      const at = this.#byApp.get(app);
      at?.delete(grantor);
      if (at?.size === 0) this.#byApp.delete(app);
    }
  }

  /** The grantors without address blocks that match a profile, judged on one of its endpoints. */
  forProfile(sample: TaskEndpoint): G[] {
    const out = [...(this.#byApp.get(sample.task.appId ?? "") ?? [])];
    for (const grantor of this.#others) if (matchesTask(grantor, sample)) out.push(grantor);
    return out;
  }

  /** The grantors with address blocks that match this endpoint. */
  forAddress(endpoint: TaskEndpoint): G[] {
    const out: G[] = [];
    for (const grantor of this.blocks) if (matchesTask(grantor, endpoint)) out.push(grantor);
    return out;
  }

  /** The grantors that match what a node sends (on any of its addresses). */
  forNode(node: NodeEndpoint): G[] {
    const out: G[] = [];
    for (const grantor of this.nodes) if (grantor.selectors.some((s) => s.any || node.addresses.some((a) => s.matchesNode(node, a)))) out.push(grantor);
    return out;
  }
}

/**
 * The app ids whose profiles a grantor may match without address blocks: its exact ids, or
 * undefined when it must be tested against every profile.
 * @example literalApps({ id: "r", selectors: [compileSelector({ apps: ["/web"] })] }) // ["/web"]
 */
export function literalApps(grantor: Grantor): string[] | undefined {
  if (!grantor.selectors.every((s) => s.literalApps !== undefined)) return undefined;
  return [...new Set(grantor.selectors.flatMap((s) => s.literalApps!))];
}

/**
 * Whether a task endpoint is among the grantor's sources.
 * @example matchesTask(ruleGrantor, endpoint) // true
 */
export function matchesTask(grantor: Grantor, endpoint: TaskEndpoint): boolean {
  return grantor.selectors.some((s) => s.any || s.matchesTask(endpoint));
}
