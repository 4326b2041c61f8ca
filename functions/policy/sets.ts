/**
 * @module
 * The policy's address sets, built once per snapshot and keyed by what selects them, so equal
 * selectors share one set and a task change touches only the sets it is in. Selectors are
 * matched per *profile* (the task facts a selector reads: app, role, labels, network) rather
 * than per task: an app's instances share one answer, and the cost follows apps × selectors,
 * not tasks × rules. Address blocks, the one per-address condition, are checked per address.
 */
import type { PolicySet } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { sha256Hex } from "../../lib/net/digest.ts";
import type { CompiledSelector } from "./selectors.ts";
import type { Endpoints, TaskEndpoint } from "./endpoints.ts";

/** Endpoints grouped by the facts selectors read, so a selector is judged once per group. */
export class EndpointIndex {
  readonly profiles: TaskEndpoint[][];
  /** Endpoint → the index of its profile in `profiles`. */
  readonly profileOf = new Map<TaskEndpoint, number>();
  readonly #matched = new Map<string, TaskEndpoint[]>();

  constructor(readonly endpoints: Endpoints) {
    const groups = new Map<string, TaskEndpoint[]>();
    // Labels are compared by content: tasks of no known app each carry their own record.
    const labelTexts = new Map<Readonly<Record<string, string>>, string>();
    for (const endpoint of endpoints.tasks) {
      const { task } = endpoint;
      let labels = labelTexts.get(task.labels);
      if (labels === undefined) labelTexts.set(task.labels, (labels = canonicalJson(task.labels)));
      const key = `${task.appId ?? ""}\n${task.role ?? ""}\n${labels}\n${endpoint.network}`;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [endpoint]);
      else group.push(endpoint);
    }
    this.profiles = [...groups.values()];
    this.profiles.forEach((profile, i) => profile.forEach((e) => this.profileOf.set(e, i)));
  }

  /** The task endpoints a selector matches (memoised by selector key). */
  tasksMatching(selector: CompiledSelector): TaskEndpoint[] {
    let out = this.#matched.get(selector.key);
    if (out !== undefined) return out;
    out = [];
    for (const profile of this.profiles) {
      // Every endpoint of a profile answers alike except for address blocks.
      if (!selector.blockElements.length) {
        if (selector.matchesTask(profile[0]!)) out.push(...profile);
      } else {
        for (const endpoint of profile) if (selector.matchesTask(endpoint)) out.push(endpoint);
      }
    }
    this.#matched.set(selector.key, out);
    return out;
  }
}

/** Collects sets by key; the first definition of a key wins (keys are content hashes). */
export class SetCollector {
  readonly sets = new Map<string, PolicySet>();

  /**
   * The address blocks of the blocks-only selectors among `selectors`: what a source outside
   * the cluster is checked against. Undefined when there are none (no such source matches).
   */
  blocks(selectors: readonly CompiledSelector[]): string | undefined {
    const only = selectors.filter((s) => s.blocksOnly);
    if (only.length === 0) return undefined;
    return this.put(`a-${hashOf(only)}`, "addresses", only.map((s) => s.about).join(" or "), only.flatMap((s) => s.blockElements));
  }

  /** Where destinations matching `selector` are reached. */
  destinations(selector: CompiledSelector, index: EndpointIndex): string {
    const key = `e-${hashOf([selector])}`;
    if (this.sets.has(key)) return key;
    if (selector.blocksOnly) return this.put(key, "endpoints", selector.about, selector.blockElements);
    const elements = index.tasksMatching(selector).flatMap((e) => e.elements);
    for (const node of index.endpoints.nodes) for (const address of node.addresses) if (selector.matchesNode(node, address)) elements.push(address);
    return this.put(key, "endpoints", selector.about, elements);
  }

  /** A set of given elements under a fixed or derived key. */
  put(key: string, kind: PolicySet["kind"], about: string, elements: Iterable<string>): string {
    if (!this.sets.has(key)) this.sets.set(key, { kind, about, elements: normalizeElements(elements) });
    return key;
  }
}

function hashOf(selectors: readonly CompiledSelector[]): string {
  return sha256Hex(selectors.map((s) => s.key).join(" ")).slice(0, 12);
}
