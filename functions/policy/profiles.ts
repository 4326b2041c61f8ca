/**
 * @module
 * Profiles: task endpoints grouped by the facts selectors read (app, role, labels, network).
 * Every endpoint of a profile answers a selector alike, but for address blocks, so what a
 * profile matches (its admin rules, app-tier grants and destination sets) is worked out once,
 * when its first endpoint comes, and the cost follows apps × selectors, not tasks × rules. A
 * profile keeps the tasks it holds, so a grant that comes or goes finds the nodes whose
 * identities it changes.
 */
import type { PolicyIdentity } from "../../lib/desired/policy-schema.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { CompiledPolicy } from "./compiled.ts";
import type { TaskEndpoint } from "./endpoints.ts";
import type { AppGrantor, GrantorIndex, RuleGrantor } from "./grantors.ts";
import { identityKey } from "./identities.ts";

/** An identity with its key. */
export interface KeyedIdentity {
  key: string;
  identity: PolicyIdentity;
}

export interface Profile {
  key: string;
  /** One of its endpoints: what selectors are judged on. */
  sample: TaskEndpoint;
  /** The admin rules without address blocks whose `from` it matches, in decision order. */
  rules: RuleGrantor[];
  /** The app-tier grants without address blocks that list it, by app and entry. */
  grants: AppGrantor[];
  /** The destination sets without address blocks it is in. */
  destinations: string[];
  /** Task id → how many of its endpoints are of this profile. */
  tasks: Map<string, number>;
  /** Identities of its endpoints, by the address-block grantors each matches. */
  identities: Map<string, KeyedIdentity>;
}

/**
 * @example
 * const profiles = new Profiles(policy, grants);
 * profiles.acquire(endpoint).destinations // ["e-1f2e3d4c5b6a"]
 */
export class Profiles {
  readonly #profiles = new Map<string, Profile>();
  readonly #byApp = new Map<string, Set<Profile>>();
  readonly #ruleRank: Map<RuleGrantor, number>;
  /** Labels are compared by content; a Marathon app's tasks share one labels record. */
  readonly #labelTexts = new WeakMap<object, string>();

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly grants: GrantorIndex<AppGrantor>,
  ) {
    this.#ruleRank = new Map(policy.rules.map((r, i) => [r, i]));
  }

  /** The profile of an endpoint, as it is now (undefined when no endpoint holds it). */
  of(endpoint: TaskEndpoint): Profile | undefined {
    return this.#profiles.get(this.#keyOf(endpoint));
  }

  /** Counts `endpoint` (of its task) in its profile, making the profile if it is the first. */
  acquire(endpoint: TaskEndpoint): Profile {
    const key = this.#keyOf(endpoint);
    let profile = this.#profiles.get(key);
    if (profile === undefined) {
      const { destinations } = this.policy;
      const own = [...(destinations.byApp.get(endpoint.task.appId ?? "") ?? []), ...destinations.others.filter((d) => d.selector.matchesTask(endpoint))];
      profile = {
        key,
        sample: endpoint,
        rules: this.sortRules(this.policy.ruleIndex.forProfile(endpoint)),
        grants: sortGrants(this.grants.forProfile(endpoint)),
        destinations: own.map((d) => d.key),
        tasks: new Map(),
        identities: new Map(),
      };
      this.#profiles.set(key, profile);
      const app = endpoint.task.appId ?? "";
      const list = this.#byApp.get(app);
      if (list === undefined) this.#byApp.set(app, new Set([profile]));
      else list.add(profile);
    }
    profile.tasks.set(endpoint.task.taskId, (profile.tasks.get(endpoint.task.taskId) ?? 0) + 1);
    return profile;
  }

  /** Uncounts `endpoint`; the last one out drops its profile. */
  release(endpoint: TaskEndpoint): void {
    const profile = this.of(endpoint)!;
    const id = endpoint.task.taskId;
    const left = profile.tasks.get(id)! - 1;
    if (left > 0) profile.tasks.set(id, left);
    else profile.tasks.delete(id);
    if (profile.tasks.size > 0) return;
    this.#profiles.delete(profile.key);
    const app = profile.sample.task.appId ?? "";
    const list = this.#byApp.get(app)!;
    list.delete(profile);
    if (list.size === 0) this.#byApp.delete(app);
  }

  /** The profiles of one app id (tasks of no app: ""). */
  ofApp(app: string): Iterable<Profile> {
    return this.#byApp.get(app) ?? [];
  }

  all(): Iterable<Profile> {
    return this.#profiles.values();
  }

  /** The identity of a task endpoint: its profile's grantors and the address-block ones its address matches. */
  identityOf(endpoint: TaskEndpoint): KeyedIdentity {
    const profile = this.of(endpoint)!;
    const rules = this.policy.ruleIndex.forAddress(endpoint);
    const grants = this.grants.forAddress(endpoint);
    const memo = `${rules.map((r) => r.id).join("\n")}\n\n${grants.map((g) => g.id).join("\n")}`;
    let known = profile.identities.get(memo);
    if (known === undefined) {
      const identity: PolicyIdentity = {
        network: endpoint.network,
        rules: this.sortRules([...new Set([...profile.rules, ...rules])]).map((r) => ({ name: r.name })),
        grants: sortGrants([...new Set([...profile.grants, ...grants])]).map((g) => ({ app: g.app, entry: g.entry })),
      };
      known = { key: identityKey(identity), identity };
      profile.identities.set(memo, known);
    }
    return known;
  }

  /** Rules in decision order. */
  sortRules(rules: RuleGrantor[]): RuleGrantor[] {
    return rules.sort((a, b) => this.#ruleRank.get(a)! - this.#ruleRank.get(b)!);
  }

  #keyOf(endpoint: TaskEndpoint): string {
    const { task } = endpoint;
    let labels = this.#labelTexts.get(task.labels);
    if (labels === undefined) this.#labelTexts.set(task.labels, (labels = canonicalJson(task.labels)));
    return `${task.appId ?? ""}\n${task.role ?? ""}\n${labels}\n${endpoint.network}`;
  }
}

/**
 * App-tier grants in the order identities list them: by app id, then entry.
 * @example sortGrants(grants).map((g) => g.id) // ["/api\n0", "/api\n1", "/db\n0"]
 */
export function sortGrants(grants: AppGrantor[]): AppGrantor[] {
  return grants.sort((a, b) => compareStrings(a.app, b.app) || a.entry - b.entry);
}
