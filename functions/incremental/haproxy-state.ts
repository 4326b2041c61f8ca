/**
 * @module
 * The HAProxy objects after a change that touches Marathon apps, or an agent some Marathon
 * task runs on (its address is the task's). Keyed per LB group for now, not per section and
 * server slot: a change renders every group again, from every app, with the slots of the state
 * before as `previous` (the chain of docs/delta-path.md §5). A stopgap until the HAProxy desired
 * model (issue 12) gives sections and slots of their own to key.
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { HaproxyBackendSlots } from "../../lib/desired/schema.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { haproxyGroups, type HaproxyGroupsResult } from "../haproxy/index.ts";
import { setProducerDiagnostics, Part } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import type { SnapshotInputs } from "./inputs.ts";

/**
 * @example
 * const haproxy = new HaproxyState(objects, derivation.haproxy);
 * haproxy.touch(); haproxy.flush(base, inputs);
 */
export class HaproxyState {
  #groups: Set<string>;
  #slots: Record<string, HaproxyBackendSlots>;
  #subjects: Set<string>;
  #touched = false;

  constructor(
    private readonly objects: KeyedObjects,
    initial: HaproxyGroupsResult,
  ) {
    this.#groups = new Set(Object.keys(initial.groups));
    this.#slots = initial.allocations.backends;
    this.#subjects = new Set(initial.diagnostics.map((d) => d.subject));
  }

  /** The change touched an app, or the address of a host Marathon tasks run on. */
  touch(): void {
    this.#touched = true;
  }

  /** Renders the groups again when touched (and reports previous slots that did not parse, once). */
  flush(base: Omit<ClusterSnapshot, "tasks" | "agents" | "frameworks" | "marathonApps" | "previous">, inputs: SnapshotInputs, first: boolean): void {
    if (!this.#touched && !first) return;
    this.#touched = false;
    const snapshot: ClusterSnapshot = { ...base, tasks: [], frameworks: [], agents: [...inputs.agents.values()], marathonApps: inputs.apps(), previous: { haproxy: { backends: this.#slots } } };
    const result = haproxyGroups(snapshot);
    for (const group of this.#groups) if (result.groups[group] === undefined) this.objects.delete(ObjectKeys.haproxyGroup(group));
    for (const [group, files] of Object.entries(result.groups)) this.objects.set(ObjectKeys.haproxyGroup(group), files);
    const slots = result.allocations.backends;
    for (const backend of Object.keys(this.#slots)) if (slots[backend] === undefined) this.objects.delete(ObjectKeys.haproxySlots(backend));
    for (const [backend, own] of Object.entries(slots)) this.objects.set(ObjectKeys.haproxySlots(backend), own);
    setProducerDiagnostics(this.objects, Part.haproxy, this.#subjects, result.diagnostics);
    this.#groups = new Set(Object.keys(result.groups));
    this.#slots = slots;
    this.#subjects = new Set(result.diagnostics.map((d) => d.subject));
  }
}
