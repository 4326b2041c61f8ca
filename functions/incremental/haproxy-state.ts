/**
 * @module
 * The HAProxy objects, one change at a time, on the HAProxy model: the apps a change touches
 * (and those with a task on an agent it readdresses) are normalised again (`haproxy-sources.ts`),
 * the backend names their services render get their winner, the apps whose services changed
 * get their slots (the state before as `previous`), models and pieces again, and each group
 * works out again what rendering finds for the services reached (`haproxy-render.ts`). The first
 * change starts from scratch: its `previous` is the whole derivation's own slots.
 */
import type { Diagnostic, HaproxyBackendSlots } from "../../lib/desired/schema.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { HaproxyServiceObject } from "../../lib/desired/object-values.ts";
import { ipFamily } from "../../lib/net/ip-literal.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import type { Agent } from "../../lib/snapshot/schema.ts";
import { agentAddress } from "../haproxy/app-network.ts";
import { groupModel, serviceModel } from "../haproxy/group-model.ts";
import { matchesGroups } from "../haproxy/groups.ts";
import { uniqueDiagnostics } from "../haproxy/index.ts";
import { backendName } from "../haproxy/names.ts";
import { allocateSlots, slotKey } from "../haproxy/slots.ts";
import type { HaproxyDerivation } from "../keyed/derive-haproxy.ts";
import { Part, setDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import { GroupRender, type Member } from "./haproxy-render.ts";
import { PlacementTracker } from "./haproxy-placement.ts";
import { serviceListener } from "../haproxy/placement-report.ts";
import { sharedListeners } from "../../lib/render/haproxy/listeners.ts";
import { compareSourced, HaproxySources, type SourcedService } from "./haproxy-sources.ts";
import type { SnapshotInputs } from "./inputs.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";

/** The Marathon apps as the artifacts see them (without quarantined tasks). */
export interface AppSource {
  app(id: string): MarathonApp | undefined;
  apps(): MarathonApp[];
}

/**
 * @example
 * const haproxy = new HaproxyState(objects, config, derivation.haproxy);
 * haproxy.setApp(app.id, app, inputs); haproxy.flush(inputs);
 */
export class HaproxyState {
  readonly #sources: HaproxySources;
  readonly #agentsAt = new Map<string, Map<string, Agent>>();
  readonly #winners = new Map<string, SourcedService>();
  readonly #backendsOfApp = new Map<string, Set<string>>();
  readonly #servers = new Map<string, number>();
  /** Per group: what rendering finds, and the members with a wildcard vhost (in map mode they change its settings). */
  readonly #groups = new Map<string, { render: GroupRender; wildcards: Set<string> }>();
  readonly #groupsOf = new Map<string, string[]>();
  /** Who says what about a subject: `src:`, `merge:`, `name:` and `render:` contributions. */
  readonly #contributions = new Map<string, Diagnostic[]>();
  readonly #bySubject = new Map<string, Set<string>>();
  #subjects = new Set<string>();
  #initial: HaproxyDerivation | undefined;
  #touched = new Set<string>();
  readonly #placement: PlacementTracker;

  constructor(
    private readonly objects: KeyedObjects,
    private readonly config: HaproxyConfig,
    initial: HaproxyDerivation,
  ) {
    this.#sources = new HaproxySources(config);
    this.#placement = new PlacementTracker(objects, config);
    this.#initial = initial;
  }

  /** An app as it is now (before the first change, `flush` takes every app at once). */
  setApp(id: string, apps: AppSource): void {
    if (this.#initial === undefined) this.#sources.setApp(id, apps.app(id), (other) => apps.app(other));
  }

  /** An agent as it is now: the Marathon tasks on its hostname (before and after) resolve anew, its placement is worked out again. */
  setAgent(id: string, before: Agent | undefined, after: Agent | undefined): void {
    this.#placement.setAgent(id, after);
    for (const agent of [before, after]) {
      if (agent === undefined) continue;
      const at = this.#agentsAt.get(agent.hostname);
      at?.delete(id);
      if (at?.size === 0) this.#agentsAt.delete(agent.hostname);
      this.#touched.add(agent.hostname);
    }
    if (after !== undefined) {
      const at = this.#agentsAt.get(after.hostname) ?? new Map<string, Agent>();
      this.#agentsAt.set(after.hostname, at.set(id, after));
    }
  }

  /** Writes what the change touched (everything at the first change). */
  flush(inputs: SnapshotInputs, apps: AppSource): void {
    const initial = this.#initial;
    if (initial !== undefined) this.#start(inputs, apps, initial);
    for (const host of this.#touched) this.#sources.touchHost(host);
    this.#touched = new Set();
    const slots = (backend: string) => this.objects.value<HaproxyBackendSlots>(ObjectKeys.haproxySlots(backend));
    const normalised = this.#sources.normalise({
      config: this.config,
      previouslyServed: { has: (key) => served(key, slots) },
      resolve: (host) => (ipFamily(host) !== undefined ? host : agentAddress([...(this.#agentsAt.get(host)?.values() ?? [])])),
    });
    for (const [key, list] of normalised.diagnostics) this.#contribute(`src:${key}`, list);
    for (const [group, list] of normalised.merges) this.#contribute(`merge:${group}`, list);
    const changedApps = new Set<string>();
    for (const name of normalised.names) this.#winnerOf(name, changedApps);
    for (const appId of changedApps) this.#writeApp(appId, slots);
    for (const [group, { render }] of this.#groups) for (const [backend, list] of render.flush()) this.#contribute(`render:${group} ${backend}`, list);
    for (const subject of this.#subjects) {
      const list = [...(this.#bySubject.get(subject) ?? [])].flatMap((id) => this.#contributions.get(id) ?? []).filter((d) => d.subject === subject);
      setDiagnostics(this.objects, Part.haproxy, subject, uniqueDiagnostics(list));
    }
    this.#subjects = new Set();
    this.#placement.flush();
    if (initial !== undefined) {
      const expected = this.#keys();
      for (const key of initial.keys) if (!expected.has(key)) this.objects.delete(key);
      this.#initial = undefined;
    }
  }

  /** The first change: every app, agent and group from scratch; the derivation's diagnostics are due again. */
  #start(inputs: SnapshotInputs, apps: AppSource, initial: HaproxyDerivation): void {
    this.#agentsAt.clear();
    for (const agent of inputs.agents.values()) this.setAgent(agent.id, undefined, agent);
    this.#touched = new Set();
    for (const app of apps.apps()) this.#sources.setApp(app.id, app, (other) => apps.app(other));
    for (const group of [...this.config.groups].sort()) {
      const settings = this.#settings(group, false);
      this.#groups.set(group, { render: new GroupRender(settings), wildcards: new Set() });
      this.objects.set(ObjectKeys.haproxyGroup(group), settings);
      this.#placement.setShared(group, sharedListeners(settings.frontends, settings.head));
    }
    for (const subject of initial.subjects) this.#subjects.add(subject);
    this.#placement.reportAgain(initial.placementSubjects);
  }

  /** The name's winner (the first service rendering it) and the reports of the others. */
  #winnerOf(name: string, apps: Set<string>): void {
    const [winner, ...losers] = this.#sources.servicesNamed(name);
    const before = this.#winners.get(name);
    if (before !== undefined) {
      apps.add(before.service.appId);
      this.#backendsOfApp.get(before.service.appId)?.delete(name);
    }
    if (winner === undefined) this.#winners.delete(name);
    else {
      this.#winners.set(name, winner);
      apps.add(winner.service.appId);
      const own = this.#backendsOfApp.get(winner.service.appId) ?? new Set<string>();
      this.#backendsOfApp.set(winner.service.appId, own.add(name));
    }
    const owner = winner?.service.appId;
    this.#contribute(
      `name:${name}`,
      losers.map(({ service }) => ({
        level: "error" as const,
        code: "haproxy.duplicate-backend",
        subject: `app:${service.appId}`,
        message: `its backend name ${name} is already taken by ${owner === service.appId ? "another of its service ports" : owner}; service port ${service.servicePort} is left out`,
      })),
    );
    if (winner === undefined) {
      this.#setSlots(name, undefined);
      this.#writePieces(name, undefined);
    }
  }

  /** An app's services: slots (the state before as `previous`), models, pieces, group memberships. */
  #writeApp(appId: string, slots: (backend: string) => HaproxyBackendSlots | undefined): void {
    const names = [...(this.#backendsOfApp.get(appId) ?? [])];
    const siblings = names.map((name) => this.#winners.get(name)!).sort(compareSourced);
    for (const sourced of siblings) {
      const { service } = sourced;
      const name = backendName(service.appId, service.servicePort);
      const own = allocateSlots(service.backends.map(slotKey), slots(name), this.config.minSlots);
      this.#setSlots(name, own);
      const model = serviceModel({ service, siblings: siblings.map((s) => s.service), slots: own, config: this.config });
      const groups = [...this.config.groups].sort().filter((g) => matchesGroups([g], service.groups) && service.settings.enabled);
      this.#setMembership(name, groups, sourced, model);
      this.#writePieces(name, groups.length === 0 ? undefined : { groups, model });
    }
  }

  /** A backend's slots; when they change, the sources checking tasks against them look again next time. */
  #setSlots(name: string, slots: HaproxyBackendSlots | undefined): void {
    const key = ObjectKeys.haproxySlots(name);
    const before = this.objects.get(key)?.json;
    this.objects.set(key, slots);
    if (this.objects.get(key)?.json !== before) this.#sources.touchStem(name.slice(0, name.lastIndexOf("_")));
  }

  #setMembership(name: string, groups: string[], sourced: SourcedService, model: ReturnType<typeof serviceModel>): void {
    const wildcard = sourced.service.settings.vhosts?.some((h) => h.startsWith("*.")) === true;
    for (const group of new Set([...(this.#groupsOf.get(name) ?? []), ...groups])) {
      this.#member(group, name, groups.includes(group) ? { sourced, model } : undefined, wildcard);
    }
    if (groups.length === 0) this.#groupsOf.delete(name);
    else this.#groupsOf.set(name, groups);
  }

  /** A backend's place in one group (`undefined`: not in it); a wildcard vhost coming or going may change the group's settings. */
  #member(group: string, name: string, member: Member | undefined, wildcard: boolean): void {
    const entry = this.#groups.get(group)!;
    const before = entry.wildcards.size > 0;
    if (member !== undefined && wildcard) entry.wildcards.add(name);
    else entry.wildcards.delete(name);
    const after = entry.wildcards.size > 0;
    if (before !== after && this.config.haproxyMap) {
      const settings = this.#settings(group, after);
      entry.render.setSettings(settings);
      this.objects.set(ObjectKeys.haproxyGroup(group), settings);
    }
    entry.render.set(name, member);
    this.#placement.setService(group, name, member === undefined ? undefined : serviceListener(member.model));
  }

  #settings(group: string, wildcards: boolean) {
    const { services: _services, ...settings } = groupModel({ group, services: [], modelOf: () => undefined as never, config: this.config });
    return { ...settings, mapFallThrough: settings.mapMode && wildcards };
  }

  #writePieces(name: string, piece: { groups: string[]; model: ReturnType<typeof serviceModel> } | undefined): void {
    if (piece === undefined) {
      this.objects.delete(ObjectKeys.haproxyService(name));
      for (const group of this.#groupsOf.get(name) ?? []) this.#member(group, name, undefined, false);
      this.#groupsOf.delete(name);
    } else {
      const { servers, notes: _notes, ...sections } = piece.model;
      this.objects.set(ObjectKeys.haproxyService(name), { groups: piece.groups, model: sections } satisfies HaproxyServiceObject);
      servers.forEach((server, i) => this.objects.set(ObjectKeys.haproxyServer(name, i + 1), server));
    }
    const count = piece?.model.servers.length ?? 0;
    for (let slot = count + 1; slot <= (this.#servers.get(name) ?? 0); slot++) this.objects.delete(ObjectKeys.haproxyServer(name, slot));
    if (count === 0) this.#servers.delete(name);
    else this.#servers.set(name, count);
  }

  #contribute(id: string, list: readonly Diagnostic[]): void {
    for (const d of this.#contributions.get(id) ?? []) {
      this.#subjects.add(d.subject);
      this.#bySubject.get(d.subject)?.delete(id);
    }
    if (list.length === 0) this.#contributions.delete(id);
    else this.#contributions.set(id, [...list]);
    for (const d of list) {
      this.#subjects.add(d.subject);
      const ids = this.#bySubject.get(d.subject) ?? new Set<string>();
      this.#bySubject.set(d.subject, ids.add(id));
    }
  }

  /** Every key this state holds. */
  #keys(): Set<string> {
    const keys = new Set<string>(this.#placement.keys());
    for (const group of this.#groups.keys()) keys.add(ObjectKeys.haproxyGroup(group));
    for (const name of this.#winners.keys()) keys.add(ObjectKeys.haproxySlots(name));
    for (const name of this.#groupsOf.keys()) {
      keys.add(ObjectKeys.haproxyService(name));
      for (let slot = 1; slot <= (this.#servers.get(name) ?? 0); slot++) keys.add(ObjectKeys.haproxyServer(name, slot));
    }
    return keys;
  }
}

/** Whether `backend|ip:port` was served: the address holds a slot of the backend now. */
function served(key: string, slots: (backend: string) => HaproxyBackendSlots | undefined): boolean {
  const bar = key.indexOf("|");
  return slots(key.slice(0, bar))?.servers[key.slice(bar + 1)] !== undefined;
}
