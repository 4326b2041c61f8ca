/**
 * @module
 * The app tiers as apps and their tasks come and go: an app with policy labels and at least one
 * task endpoint has a tier (`policy/app/<id>`), a member set (its endpoints, from its tasks'
 * memberships) and one grantor per entry that lists sources. A tier is read from the labels of
 * the app's first task (by id): a known Marathon app's labels, or the task's own. Only the
 * apps whose tasks or labels changed are read again, and a tier whose entries read the same
 * changes nothing.
 */
import type { AppTier, PolicySet } from "../../lib/desired/policy-schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { appTier, type AppTierEntry } from "./app-tier.ts";
import { blocksSet, optional, setSafe, type CompiledPolicy } from "./compiled.ts";
import { GrantorIndex, type AppGrantor } from "./grantors.ts";
import { compileSelector } from "./selectors.ts";

interface AppState {
  /** Its tasks that have an endpoint. */
  members: Set<string>;
  /** The least of `members`. */
  first?: string;
  /** The entries of its tier as last read (JSON), "" for none. */
  entries: string;
  tier?: AppTier;
  grantors: AppGrantor[];
}

/** Where the app tiers write. */
export interface AppTierWriter {
  app(appId: string, tier: AppTier | undefined): void;
  set(key: string, set: PolicySet | undefined): void;
  diagnostics(subject: string, list: Diagnostic[]): void;
}

/** What a flush changed: the grantors gone and come, and the apps whose tier came or went. */
export interface TierChanges {
  removed: AppGrantor[];
  added: AppGrantor[];
  /** Apps whose member set came or went: their tasks' memberships change. */
  reseated: string[];
}

/**
 * @example
 * const tiers = new AppTierState(policy, (id) => labelsOf(id));
 * tiers.addMember("/api", "api.1"); tiers.flush(writer).added // the grantors of /api's labels
 */
export class AppTierState {
  readonly grants = new GrantorIndex<AppGrantor>();
  readonly #grantors = new Map<string, AppGrantor>();
  readonly #apps = new Map<string, AppState>();
  /** Users of the address-block sets app grantors add (the config's own sets are always there). */
  readonly #setUsers = new Map<string, number>();
  #dirty = new Set<string>();
  #entries = 0;

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly labelsOf: (taskId: string) => Readonly<Record<string, string>>,
  ) {}

  addMember(app: string, task: string): void {
    let state = this.#apps.get(app);
    if (state === undefined) this.#apps.set(app, (state = { members: new Set(), entries: "", grantors: [] }));
    state.members.add(task);
    if (state.first === undefined || compareStrings(task, state.first) < 0) state.first = task;
    this.#dirty.add(app);
  }

  removeMember(app: string, task: string): void {
    const state = this.#apps.get(app)!;
    state.members.delete(task);
    if (state.first === task) state.first = least(state.members);
    this.#dirty.add(app);
  }

  tierOf(app: string): AppTier | undefined {
    return this.#apps.get(app)?.tier;
  }

  membersOf(app: string): Iterable<string> {
    return this.#apps.get(app)?.members ?? [];
  }

  /** What the app tiers add to every node's table: each tier's entries and its own chain. */
  get sharedRules(): number {
    return this.#entries;
  }

  /** Every app grantor, by app and entry. */
  grantors(): AppGrantor[] {
    return [...this.#grantors.values()].sort((a, b) => compareStrings(a.app, b.app) || a.entry - b.entry);
  }

  /** Reads the changed apps' tiers again and writes what differs. */
  flush(writer: AppTierWriter): TierChanges {
    const changes: TierChanges = { removed: [], added: [], reseated: [] };
    for (const app of [...this.#dirty].sort(compareStrings)) this.#refresh(app, writer, changes);
    this.#dirty = new Set();
    return changes;
  }

  #refresh(appId: string, writer: AppTierWriter, changes: TierChanges): void {
    const state = this.#apps.get(appId)!;
    const spec = state.first === undefined ? { diagnostics: [] } : appTier(appId, this.labelsOf(state.first), this.policy.networks);
    writer.diagnostics(`app:${appId}`, spec.diagnostics);
    const entries = spec.entries === undefined ? "" : JSON.stringify(spec.entries);
    if (entries !== state.entries) this.#reread(appId, state, spec.entries, entries, writer, changes);
    if (state.members.size === 0) this.#apps.delete(appId);
  }

  #reread(appId: string, state: AppState, entries: AppTierEntry[] | undefined, text: string, writer: AppTierWriter, changes: TierChanges): void {
    for (const grantor of state.grantors) {
      this.grants.remove(grantor);
      this.#grantors.delete(grantor.id);
      if (grantor.outsideFrom !== undefined) this.#releaseSet(grantor.outsideFrom, writer);
      changes.removed.push(grantor);
    }
    state.grantors = [];
    entries?.forEach((entry, i) => {
      if (entry.sources === undefined) return;
      const selectors = entry.sources.map(compileSelector);
      const grantor: AppGrantor = { id: `${appId}\n${i}`, app: appId, entry: i, selectors, ...optional("outsideFrom", blocksSet(selectors, (key, kind, about, elements) => this.#useSet(key, { kind, about, elements: [...elements] }, writer))) };
      state.grantors.push(grantor);
      this.grants.add(grantor);
      this.#grantors.set(grantor.id, grantor);
      changes.added.push(grantor);
    });
    const members = `m-${setSafe(appId)}`;
    const tier: AppTier | undefined = entries === undefined ? undefined : { appId, members, entries: entries.map((e) => ({ ...(e.ports === undefined ? {} : { ports: e.ports }), anyone: e.sources === undefined })) };
    if ((tier === undefined) !== (state.tier === undefined)) {
      writer.set(members, tier === undefined ? undefined : { kind: "endpoints", about: `app ${appId}`, elements: [] });
      changes.reseated.push(appId);
    }
    this.#entries += (tier === undefined ? 0 : tier.entries.length + 1) - (state.tier === undefined ? 0 : state.tier.entries.length + 1);
    state.tier = tier;
    state.entries = text;
    writer.app(appId, tier);
  }

  #useSet(key: string, set: PolicySet, writer: AppTierWriter): string {
    if (this.policy.sets.has(key)) return key;
    const users = this.#setUsers.get(key) ?? 0;
    this.#setUsers.set(key, users + 1);
    if (users === 0) writer.set(key, { ...set, elements: normalizeElements(set.elements) });
    return key;
  }

  #releaseSet(key: string, writer: AppTierWriter): void {
    if (this.policy.sets.has(key)) return;
    const users = this.#setUsers.get(key)! - 1;
    if (users > 0) return void this.#setUsers.set(key, users);
    this.#setUsers.delete(key);
    writer.set(key, undefined);
  }
}

function least(ids: Iterable<string>): string | undefined {
  let out: string | undefined;
  for (const id of ids) if (out === undefined || compareStrings(id, out) < 0) out = id;
  return out;
}
