/**
 * @module
 * The network policy as pieces that change one at a time (docs/policy.md, docs/delta-path.md
 * §5): what the config decides (settings, its sets), the outside identity, one object per app
 * tier, per identity, per task's and per node's set membership, and per node's own part. Tasks
 * and nodes are set as they are now; `flush` works out what they touch and writes only the
 * pieces that differ:
 *
 * - a task: its membership, its node's part (its addresses' identities), its app's tier when
 *   its first task or labels change, an identity when it is the first or last of its kind;
 * - a node: its part and membership, and its identity;
 * - an app tier whose grants change: the identities of the sources its labels list, hence the
 *   parts of the nodes those sources are on, and the outside identity.
 *
 * A whole derivation is the same model with every task and node set once. Pure.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { PolicyIdentity } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { AppTierState, type TierChanges } from "./app-tier-state.ts";
import { RuleBudget } from "./budget.ts";
import type { CompiledPolicy } from "./compiled.ts";
import type { NodeEndpoint, TaskEndpoint } from "./endpoints.ts";
import { literalApps, matchesTask, type AppGrantor } from "./grantors.ts";
import { identityKey, IdentityRegistry } from "./identities.ts";
import { nodeMembership, quarantinedMembership, taskMembership } from "./memberships.ts";
import { Profiles, sortGrants, type KeyedIdentity, type Profile } from "./profiles.ts";

/** The kinds of pieces the policy is written as (`functions/keyed/policy-pieces.ts` keys them). */
export type PolicyPieceKind = "settings" | "outside" | "app" | "set" | "identity" | "task" | "node-member" | "node";

/** Where the model writes its pieces (undefined: the piece is gone) and its diagnostics. */
export interface PolicySink {
  piece(kind: PolicyPieceKind, id: string, value: unknown): void;
  diagnostics(subject: string, list: Diagnostic[]): void;
}

interface TaskState {
  node: string;
  app?: string;
  endpoints: TaskEndpoint[];
  quarantined: boolean;
}

interface NodeState {
  endpoint: NodeEndpoint | undefined;
  slices: string[];
  /** The identities its part refers to, one entry per use (its own, each source address). */
  uses: string[];
}

/**
 * @example
 * const model = new PolicyModel(compilePolicy(config.policy, config.overlay));
 * model.setNode("a1", endpoint, slices); model.setTask("web.1", endpoints, false); model.flush(sink);
 */
export class PolicyModel {
  readonly #identities: IdentityRegistry;
  readonly #tiers: AppTierState;
  readonly #profiles: Profiles;
  readonly #budget: RuleBudget;
  readonly #tasks = new Map<string, TaskState>();
  readonly #tasksOfNode = new Map<string, Set<string>>();
  readonly #nodes = new Map<string, NodeState>();
  /** Admitted endpoints per network: a configured network no task is on is probably a typo. */
  readonly #networkUse = new Map<string, number>();
  readonly #unused = new Set<string>();
  #outside: KeyedIdentity | undefined;
  #started = false;
  #dirtyTasks = new Set<string>();
  #dirtyNodes = new Set<string>();

  constructor(private readonly policy: CompiledPolicy) {
    this.#identities = new IdentityRegistry((rule) => policy.logged.has(rule));
    this.#tiers = new AppTierState(policy, (id) => this.#tasks.get(id)!.endpoints[0]!.task.labels);
    this.#profiles = new Profiles(policy, this.#tiers.grants);
    this.#budget = new RuleBudget(policy.config.maxRulesPerNode);
  }

  /** A task's endpoints as they are now (none: gone, terminal, or on no known agent); `quarantined`: its network refused it. */
  setTask(id: string, endpoints: readonly TaskEndpoint[], quarantined: boolean): void {
    const old = this.#tasks.get(id);
    if (old !== undefined) {
      this.#tasks.delete(id);
      this.#tasksOfNode.get(old.node)!.delete(id);
      this.#dirtyNodes.add(old.node);
      if (!old.quarantined) this.#count(old, -1);
    }
    this.#dirtyTasks.add(id);
    if (endpoints.length === 0) return;
    const facts = endpoints[0]!.task;
    const state: TaskState = { node: facts.node, ...(facts.appId === undefined ? {} : { app: facts.appId }), endpoints: [...endpoints], quarantined };
    this.#tasks.set(id, state);
    let local = this.#tasksOfNode.get(state.node);
    if (local === undefined) this.#tasksOfNode.set(state.node, (local = new Set()));
    local.add(id);
    this.#dirtyNodes.add(state.node);
    if (!quarantined) this.#count(state, 1);
  }

  /** A node as it is now (undefined: gone), with its overlay slices. */
  setNode(key: string, endpoint: NodeEndpoint | undefined, slices: readonly string[]): void {
    this.#nodes.set(key, { endpoint, slices: [...slices], uses: this.#nodes.get(key)?.uses ?? [] });
    this.#dirtyNodes.add(key);
  }

  /** Writes every piece that changed since the last flush (everything, the first time). */
  flush(sink: PolicySink): void {
    if (!this.#started) this.#start(sink);
    const tiers = this.#tiers.flush({
      app: (id, tier) => sink.piece("app", id, tier),
      set: (key, set) => sink.piece("set", key, set),
      diagnostics: (subject, list) => sink.diagnostics(subject, list),
    });
    for (const app of tiers.reseated) for (const id of this.#tiers.membersOf(app)) this.#dirtyTasks.add(id);
    if (tiers.removed.length + tiers.added.length > 0) this.#regrant(tiers, sink);
    for (const id of this.#dirtyTasks) sink.piece("task", id, this.#membership(id));
    for (const key of this.#dirtyNodes) this.#writeNode(key, sink);
    this.#dirtyTasks = new Set();
    this.#dirtyNodes = new Set();
    this.#identities.flush((key, identity) => sink.piece("identity", key, identity));
    this.#writeUnused(sink);
    const shared = this.policy.settings.networks.length * 4 + this.#tiers.sharedRules + 40 + this.#identities.weight(this.#outside!.key);
    this.#budget.flush(shared, (subject, list) => sink.diagnostics(subject, list));
  }

  #start(sink: PolicySink): void {
    this.#started = true;
    sink.piece("settings", "", this.policy.settings);
    for (const [key, set] of this.policy.sets) sink.piece("set", key, set);
    this.#setOutside(sink);
  }

  /** Counts an admitted task's endpoints in (or out of) profiles, its app and network use. */
  #count(state: TaskState, sign: 1 | -1): void {
    for (const e of state.endpoints) {
      if (sign === 1) this.#profiles.acquire(e);
      else this.#profiles.release(e);
      this.#networkUse.set(e.network, (this.#networkUse.get(e.network) ?? 0) + sign);
    }
    if (state.app === undefined) return;
    const id = state.endpoints[0]!.task.taskId;
    if (sign === 1) this.#tiers.addMember(state.app, id);
    else this.#tiers.removeMember(state.app, id);
  }

  #membership(id: string): unknown {
    const state = this.#tasks.get(id);
    if (state === undefined) return undefined;
    if (state.quarantined) return quarantinedMembership(state.endpoints);
    const members = state.app === undefined ? undefined : this.#tiers.tierOf(state.app)?.members;
    return taskMembership(state.endpoints, this.policy, (e) => this.#profiles.of(e)!.destinations, members);
  }

  /** App-tier grantors came or went: the profiles, nodes and outside sources they list get new identities. */
  #regrant(changes: TierChanges, sink: PolicySink): void {
    const changed = [...changes.removed, ...changes.added];
    const profiles = new Set<Profile>();
    const byAddress: AppGrantor[] = [];
    for (const grantor of changed) {
      const apps = literalApps(grantor);
      if (grantor.selectors.some((s) => s.blockElements.length > 0)) byAddress.push(grantor);
      else if (apps === undefined) for (const p of this.#profiles.all()) profiles.add(p);
      else for (const app of apps) for (const p of this.#profiles.ofApp(app)) profiles.add(p);
    }
    for (const profile of profiles) {
      const grants = sortGrants(this.#tiers.grants.forProfile(profile.sample));
      if (grants.length === profile.grants.length && grants.every((g, i) => g.id === profile.grants[i]!.id)) continue;
      profile.grants = grants;
      profile.identities.clear();
      for (const id of profile.tasks.keys()) this.#dirtyNodes.add(this.#tasks.get(id)!.node);
    }
    // An address-block grant answers per address: every task address is asked (a relabel with
    // address sources costs the cluster's addresses, once).
    if (byAddress.length > 0) {
      for (const [, state] of this.#tasks) {
        if (!state.quarantined && state.endpoints.some((e) => e.own && byAddress.some((g) => matchesTask(g, e)))) this.#dirtyNodes.add(state.node);
      }
    }
    if (changed.some((g) => g.selectors.some((s) => !s.tasksOnly))) {
      for (const [key, node] of this.#nodes) {
        if (node.endpoint !== undefined && node.uses[0] !== this.#nodeIdentity(node.endpoint).key) this.#dirtyNodes.add(key);
      }
    }
    this.#setOutside(sink);
  }

  /** The identity of sources outside the cluster: everyone-selectors, and address blocks checked per packet. */
  #setOutside(sink: PolicySink): void {
    const identity: PolicyIdentity = {
      rules: this.policy.rules.flatMap((r) => (r.selectors.some((s) => s.any) ? [{ name: r.name }] : r.outsideFrom ? [{ name: r.name, from: r.outsideFrom }] : [])),
      grants: this.#tiers.grantors().flatMap((g) => (g.selectors.some((s) => s.any) ? [{ app: g.app, entry: g.entry }] : g.outsideFrom ? [{ app: g.app, entry: g.entry, from: g.outsideFrom }] : [])),
    };
    const key = identityKey(identity);
    if (key === this.#outside?.key) return;
    this.#identities.ref(key, identity);
    if (this.#outside !== undefined) this.#identities.unref(this.#outside.key);
    this.#outside = { key, identity };
    sink.piece("outside", "", { identity: key });
  }

  #nodeIdentity(node: NodeEndpoint): KeyedIdentity {
    const identity: PolicyIdentity = {
      network: node.network,
      rules: this.#profiles.sortRules(this.policy.ruleIndex.forNode(node)).map((r) => ({ name: r.name })),
      grants: sortGrants(this.#tiers.grants.forNode(node)).map((g) => ({ app: g.app, entry: g.entry })),
    };
    return { key: identityKey(identity), identity };
  }

  /** A node's part and membership, from its tasks as they are now. */
  #writeNode(key: string, sink: PolicySink): void {
    const state = this.#nodes.get(key);
    const node = state?.endpoint;
    const before = state?.uses ?? [];
    if (state === undefined || node === undefined) {
      for (const use of before) this.#identities.unref(use);
      this.#nodes.delete(key);
      sink.piece("node", key, undefined);
      sink.piece("node-member", key, undefined);
      this.#budget.setNode(key, undefined);
      return;
    }
    const own = this.#nodeIdentity(node);
    const uses = [own.key];
    this.#identities.ref(own.key, own.identity);
    const sources: Record<string, string> = {};
    const local: string[] = [];
    const blocked: string[] = [];
    // Task ids in order, so a reused address is the same task's on every run.
    for (const id of [...(this.#tasksOfNode.get(key) ?? [])].sort(compareStrings)) {
      const task = this.#tasks.get(id)!;
      for (const e of task.endpoints) {
        if (task.quarantined) {
          if (e.own) blocked.push(e.address);
          continue;
        }
        local.push(...e.elements);
        if (!e.own || Object.hasOwn(sources, e.address)) continue;
        const identity = this.#profiles.identityOf(e);
        this.#identities.ref(identity.key, identity.identity);
        sources[e.address] = identity.key;
        uses.push(identity.key);
      }
    }
    for (const use of before) this.#identities.unref(use);
    state.uses = uses;
    sink.piece("node", key, {
      network: node.network,
      identity: own.key,
      addresses: [...node.addresses].sort(compareStrings),
      sources: Object.fromEntries(Object.entries(sources).sort(([a], [b]) => compareStrings(a, b))),
      local: normalizeElements(local),
      slices: normalizeElements(state.slices),
      blocked: normalizeElements(blocked),
    });
    sink.piece("node-member", key, nodeMembership(node, this.policy));
    let weight = 0;
    for (const use of new Set(uses)) weight += this.#identities.weight(use);
    this.#budget.setNode(key, weight);
  }

  /** A network under `policy.networks` that is no overlay, no pseudo-network and has no task: probably a typo. */
  #writeUnused(sink: PolicySink): void {
    for (const name of Object.keys(this.policy.config.networks)) {
      const unused = !this.policy.declared.has(name) && (this.#networkUse.get(name) ?? 0) === 0;
      if (unused === this.#unused.has(name)) continue;
      if (unused) this.#unused.add(name);
      else this.#unused.delete(name);
      sink.diagnostics(`network:${name}`, unused ? [{ level: "warning", code: "policy.unused-network", subject: `network:${name}`, message: `policy.networks.${name} names no overlay and no task is on it; check the name` }] : []);
    }
  }
}
