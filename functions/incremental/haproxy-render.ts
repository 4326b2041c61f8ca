/**
 * @module
 * What rendering one LB group finds, kept per service so a change recomputes only the services
 * it reaches: a service is left out when an earlier one (in (app id, service port) order)
 * binds its port, or when its templates fail; otherwise its notes are reported. An earlier
 * service of the same app that rendered takes the app-id route, which a later one then skips:
 * so a service's outcome depends on the earlier services at its port and of its app, and a
 * change to one is carried to the later ones it can reach.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { HaproxyGroupModel, ServiceModel } from "../../lib/render/haproxy/model.ts";
import { PortTable } from "../../lib/render/haproxy/port-table.ts";
import { invalidTemplate, portConflict } from "../../lib/render/haproxy/render-group.ts";
import { serviceText } from "../../lib/render/haproxy/service-text.ts";
import { emptySharedState } from "../../lib/render/haproxy/shared-state.ts";
import { TemplateError } from "../../lib/render/haproxy/template-format.ts";
import { createTemplater, type Templater } from "../../lib/render/haproxy/templater.ts";
import { compareSourced, type SourcedService } from "./haproxy-sources.ts";

/** A member of the group: its place in order and its model. */
export interface Member {
  readonly sourced: SourcedService;
  readonly model: ServiceModel;
}

type Outcome = { kind: "rendered" } | { kind: "left-out"; diagnostic: Diagnostic };

/**
 * @example
 * const render = new GroupRender(settings);
 * render.set("web_10000", member); render.flush() // Map { "web_10000" → [] }
 */
export class GroupRender {
  readonly #members = new Map<string, Member>();
  readonly #byPort = new Map<number, string[]>();
  readonly #byApp = new Map<string, string[]>();
  readonly #outcomes = new Map<string, Outcome>();
  #due = new Set<string>();
  #settings: Omit<HaproxyGroupModel, "services">;
  #templater: Templater;

  constructor(settings: Omit<HaproxyGroupModel, "services">) {
    this.#settings = settings;
    this.#templater = createTemplater(settings.templates);
  }

  /** New settings (a wildcard vhost came or went in map mode): every member renders again. */
  setSettings(settings: Omit<HaproxyGroupModel, "services">): void {
    this.#settings = settings;
    for (const backend of this.#members.keys()) this.#due.add(backend);
  }

  /** A member as it is now (`undefined`: no longer in the group). */
  set(backend: string, member: Member | undefined): void {
    const before = this.#members.get(backend);
    if (before !== undefined) {
      this.#reach(before, backend);
      remove(this.#byPort, before.model.servicePort, backend);
      remove(this.#byApp, before.model.appId, backend);
      this.#members.delete(backend);
    }
    this.#due.add(backend);
    if (member === undefined) return;
    this.#members.set(backend, member);
    this.#insert(this.#byPort, member.model.servicePort, backend);
    this.#insert(this.#byApp, member.model.appId, backend);
    this.#reach(member, backend);
  }

  /** Works out the outcome of every service a change reached; returns their diagnostics (none: rendered without notes). */
  flush(): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>();
    const queue = [...this.#due].filter((b) => this.#members.has(b)).sort(this.#order);
    for (const backend of this.#due) if (!this.#members.has(backend)) out.set(backend, []);
    this.#due = new Set();
    const queued = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      const backend = queue[i]!;
      const member = this.#members.get(backend)!;
      const outcome = this.#outcome(backend, member);
      const before = this.#outcomes.get(backend);
      this.#outcomes.set(backend, outcome);
      out.set(backend, outcome.kind === "rendered" ? [...member.model.notes] : [outcome.diagnostic]);
      if (before?.kind === outcome.kind) continue;
      // Later services at its port, and of its app, may come out differently now.
      for (const later of this.#later(member, backend)) {
        if (queued.has(later)) continue;
        queued.add(later);
        const at = queue.findIndex((b, j) => j > i && this.#order(later, b) < 0);
        queue.splice(at < 0 ? queue.length : at, 0, later);
      }
    }
    for (const backend of out.keys()) if (!this.#members.has(backend)) this.#outcomes.delete(backend);
    return out;
  }

  #outcome(backend: string, member: Member): Outcome {
    const { model } = member;
    const ports = new PortTable(this.#settings.frontends, this.#settings.head);
    for (const earlier of this.#byPort.get(model.servicePort) ?? []) {
      if (earlier === backend) break;
      const other = this.#members.get(earlier)!.model;
      if (this.#outcomes.get(earlier)?.kind === "rendered") ports.claim(other.bindAddr, other.servicePort, other.backend);
    }
    const conflict = ports.claim(model.bindAddr, model.servicePort, model.backend);
    if (conflict !== undefined) return { kind: "left-out", diagnostic: portConflict(this.#settings.group, model, conflict) };
    const state = emptySharedState();
    for (const earlier of this.#byApp.get(model.appId) ?? []) {
      if (earlier === backend) break;
      if (this.#outcomes.get(earlier)?.kind === "rendered") state.appIdsSeen.add(model.appId);
    }
    try {
      serviceText(model, { templater: this.#templater, state, haproxyDir: this.#settings.haproxyDir, mapFallThrough: this.#settings.mapFallThrough, mapMode: this.#settings.mapMode });
      return { kind: "rendered" };
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return { kind: "left-out", diagnostic: invalidTemplate(this.#settings.group, model, error) };
    }
  }

  /** Marks the members after this one at its port and of its app as due. */
  #reach(member: Member, backend: string): void {
    for (const later of this.#later(member, backend)) this.#due.add(later);
  }

  #later(member: Member, backend: string): string[] {
    const after = (list: readonly string[] | undefined) => (list ?? []).filter((b) => b !== backend && this.#order(b, backend) > 0);
    return [...after(this.#byPort.get(member.model.servicePort)), ...after(this.#byApp.get(member.model.appId))];
  }

  #insert(map: Map<number | string, string[]>, key: number | string, backend: string): void {
    const list = map.get(key) ?? [];
    list.push(backend);
    map.set(key, list.sort(this.#order));
  }

  /** (app id, service port) order of two members. */
  readonly #order = (a: string, b: string): number => compareSourced(this.#members.get(a)!.sourced, this.#members.get(b)!.sourced);
}

function remove(map: Map<number | string, string[]>, key: number | string, backend: string): void {
  const list = map.get(key)?.filter((b) => b !== backend) ?? [];
  if (list.length === 0) map.delete(key);
  else map.set(key, list);
}
