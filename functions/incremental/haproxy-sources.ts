/**
 * @module
 * HAProxy's normalisation, one app at a time: Marathon apps → source apps (a blue/green
 * deployment group merged into one, its apps looked at together) → services, kept per source,
 * with the two couplings between apps in small indexes: the apps whose service ports are
 * assigned (one assigner walks them in id order, so they are normalised again together when
 * one of them changes) and the backend names several services render (the first in
 * (app id, service port) order keeps it).
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import { declaredServicePorts, networkingMode, type HostResolver } from "../haproxy/app-network.ts";
import { mergeDeploymentGroups, type SourceApp } from "../haproxy/deployment-groups.ts";
import { appStem, backendName } from "../haproxy/names.ts";
import { ServicePortAssigner } from "../haproxy/service-port-assigner.ts";
import { appServices, type Service } from "../haproxy/services.ts";

/** A source's key: `p <app id>` for a plain app, `g <group id>` for a deployment group. */
export type SourceKey = string;

/** A service with the source it came from, and its place in (app id, service port) order. */
export interface SourcedService {
  readonly key: SourceKey;
  readonly service: Service;
}

/**
 * The order services are rendered in, and the first of which keeps a backend name: app id,
 * service port, then a plain app before a deployment group of the same id (their order in a
 * whole run).
 * @example services.sort(compareSourced)
 */
export function compareSourced(a: SourcedService, b: SourcedService): number {
  return compareStrings(a.service.appId, b.service.appId) || a.service.servicePort - b.service.servicePort || kindRank(a.key) - kindRank(b.key);
}

/** What normalising a source needs from outside it. */
export interface NormaliseContext {
  readonly config: HaproxyConfig;
  readonly previouslyServed: Pick<ReadonlySet<string>, "has">;
  readonly resolve: HostResolver;
}

/**
 * @example
 * const sources = new HaproxySources(config);
 * sources.setApp(app.id, app, appOf); sources.normalise(context).changedNames // Set {"web_10000"}
 */
export class HaproxySources {
  readonly #groupOf = new Map<string, string>();
  readonly #byGroup = new Map<string, Set<string>>();
  readonly #sources = new Map<SourceKey, SourceApp>();
  readonly #mergeDiagnostics = new Map<string, Diagnostic[]>();
  readonly #services = new Map<SourceKey, Service[]>();
  /** Sources whose service ports are assigned, by key. */
  readonly #assigning = new Set<SourceKey>();
  /** Backend name → the services rendering it. */
  readonly #byName = new Map<string, SourcedService[]>();
  /** Host → the sources with a task on it, and back. */
  readonly #byHost = new Map<string, Set<SourceKey>>();
  readonly #hostsOf = new Map<SourceKey, string[]>();
  #dirty = new Set<SourceKey>();
  /**
   * Sources whose services changed in the last pass: they are normalised again in the next.
   * Their `previouslyServed` was the slots before, so a task without health results that shares
   * an address with one that was serving becomes a backend only now (and the next pass settles).
   */
  #unsettled = new Set<SourceKey>();
  #assignersDirty = false;
  /** App-id stem → the sources whose backend names start with it (two app ids can share one). */
  readonly #byStem = new Map<string, Set<SourceKey>>();

  constructor(private readonly config: HaproxyConfig) {}

  /** An app as it is now (`appOf` reads any app, for the other apps of its deployment group). */
  setApp(id: string, app: MarathonApp | undefined, appOf: (id: string) => MarathonApp | undefined): void {
    const before = this.#groupOf.get(id);
    if (before !== undefined) {
      this.#groupOf.delete(id);
      const ids = this.#byGroup.get(before)!;
      ids.delete(id);
      if (ids.size === 0) this.#byGroup.delete(before);
    }
    this.#setSource(`p ${id}`, undefined);
    const label = app?.labels?.HAPROXY_DEPLOYMENT_GROUP;
    const group = label === undefined ? undefined : label.startsWith("/") ? label : `/${label}`;
    if (group !== undefined) {
      this.#groupOf.set(id, group);
      const ids = this.#byGroup.get(group);
      if (ids === undefined) this.#byGroup.set(group, new Set([id]));
      else ids.add(id);
    } else if (app !== undefined) {
      this.#setSource(`p ${id}`, mergeDeploymentGroups([app]).apps[0]);
    }
    for (const g of new Set([before, group])) if (g !== undefined) this.#mergeGroup(g, appOf);
  }

  /**
   * The slots of a backend name with this stem changed: the next pass normalises again every
   * source that checks its health-less tasks against them (`previouslyServed`).
   */
  touchStem(stem: string): void {
    for (const key of this.#byStem.get(stem) ?? []) this.#unsettled.add(key);
  }

  /** Every source with a task on `host` needs normalising again (its address changed). */
  touchHost(host: string): void {
    for (const key of this.#byHost.get(host) ?? []) this.#dirty.add(key);
  }

  /** Normalises every source touched since the last call; returns the backend names whose services changed. */
  normalise(context: NormaliseContext): { names: Set<string>; diagnostics: Map<SourceKey, Diagnostic[]>; merges: Map<string, Diagnostic[]> } {
    const dirty = new Set([...this.#dirty, ...this.#unsettled]);
    this.#dirty = new Set();
    this.#unsettled = new Set();
    // One assigner walks every assigning source: when one comes, goes or changes, all walk again.
    if (this.#assignersDirty || [...dirty].some((key) => this.#assigning.has(key))) for (const key of this.#assigning) dirty.add(key);
    this.#assignersDirty = false;
    const assigner = this.config.servicePortRange === null ? undefined : new ServicePortAssigner(this.config.servicePortRange);
    const names = new Set<string>();
    const diagnostics = new Map<SourceKey, Diagnostic[]>();
    // Assigning sources take ports in id order from one assigner: they go first, in that order.
    const order = [...dirty].sort((a, b) => Number(!this.#assigning.has(a)) - Number(!this.#assigning.has(b)) || compareKeys(a, b));
    for (const key of order) {
      const before = this.#services.get(key);
      for (const service of before ?? []) this.#unname(key, service, names);
      this.#unindexHosts(key);
      const source = this.#sources.get(key);
      const own: Diagnostic[] = [];
      const services = source === undefined || this.#skipped(source) ? [] : appServices(source, context, context.resolve, this.#assigning.has(key) ? assigner : undefined, own);
      diagnostics.set(key, own);
      if (source === undefined) {
        this.#services.delete(key);
        continue;
      }
      this.#services.set(key, services);
      if (JSON.stringify(services) !== JSON.stringify(before ?? [])) this.#unsettled.add(key);
      this.#indexHosts(key, source);
      for (const service of services) this.#name(key, service, names);
    }
    for (const name of names) this.#byName.get(name)?.sort(compareSourced);
    const merges = new Map(this.#mergeDiagnostics);
    this.#mergeDiagnostics.clear();
    return { names, diagnostics, merges };
  }

  /** The services rendering a backend name, in order: the first keeps it. */
  servicesNamed(name: string): readonly SourcedService[] {
    return this.#byName.get(name) ?? [];
  }

  #name(key: SourceKey, service: Service, names: Set<string>): void {
    const name = backendName(service.appId, service.servicePort);
    names.add(name);
    const list = this.#byName.get(name);
    if (list === undefined) this.#byName.set(name, [{ key, service }]);
    else list.push({ key, service });
  }

  #unname(key: SourceKey, service: Service, names: Set<string>): void {
    const name = backendName(service.appId, service.servicePort);
    names.add(name);
    const list = this.#byName.get(name)?.filter((s) => s.key !== key) ?? [];
    if (list.length === 0) this.#byName.delete(name);
    else this.#byName.set(name, list);
  }

  #mergeGroup(group: string, appOf: (id: string) => MarathonApp | undefined): void {
    const apps = [...(this.#byGroup.get(group) ?? [])].flatMap((id) => appOf(id) ?? []);
    const merged = mergeDeploymentGroups(apps);
    this.#setSource(`g ${group}`, merged.apps[0]);
    this.#mergeDiagnostics.set(group, merged.diagnostics);
  }

  #setSource(key: SourceKey, source: SourceApp | undefined): void {
    const old = this.#sources.get(key);
    if (old !== undefined) this.#byStem.get(appStem(old.id))?.delete(key);
    if (source !== undefined) {
      const keys = this.#byStem.get(appStem(source.id)) ?? new Set<SourceKey>();
      this.#byStem.set(appStem(source.id), keys.add(key));
    }
    const had = old !== undefined;
    if (source === undefined) this.#sources.delete(key);
    else this.#sources.set(key, source);
    if (!had && source === undefined) return;
    this.#dirty.add(key);
    if (this.#assigning.delete(key)) this.#assignersDirty = true;
    if (source !== undefined && this.#assigns(source)) {
      this.#assigning.add(key);
      this.#assignersDirty = true;
    }
  }

  /** marathon-lb's own app (`frameworkName`) is never balanced. */
  #skipped(source: SourceApp): boolean {
    return this.config.frameworkName !== undefined && source.id.slice(1) === this.config.frameworkName;
  }

  /** Whether normalising the source asks the assigner for ports (it does so even if it is in no group). */
  #assigns(source: SourceApp): boolean {
    if (this.#skipped(source) || this.config.servicePortRange === null || source.tasks.length === 0) return false;
    const mode = networkingMode(source.app);
    return mode === "container" && declaredServicePorts(source.app, mode).length === 0;
  }

  #indexHosts(key: SourceKey, source: SourceApp): void {
    const hosts = [...new Set(source.tasks.flatMap(({ task }) => (task.host === undefined ? [] : [task.host])))];
    this.#hostsOf.set(key, hosts);
    for (const host of hosts) {
      const keys = this.#byHost.get(host);
      if (keys === undefined) this.#byHost.set(host, new Set([key]));
      else keys.add(key);
    }
  }

  #unindexHosts(key: SourceKey): void {
    for (const host of this.#hostsOf.get(key) ?? []) {
      const keys = this.#byHost.get(host)!;
      keys.delete(key);
      if (keys.size === 0) this.#byHost.delete(host);
    }
    this.#hostsOf.delete(key);
  }
}

function compareKeys(a: SourceKey, b: SourceKey): number {
  return compareStrings(a.slice(2), b.slice(2)) || kindRank(a) - kindRank(b);
}

/** A plain app comes before a deployment group of the same id, as in a whole run's id order. */
function kindRank(key: SourceKey): number {
  return key.startsWith("p ") ? 0 : 1;
}
