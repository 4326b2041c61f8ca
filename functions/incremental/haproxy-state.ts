/**
 * @module
 * The HAProxy objects after a change that touches Marathon apps, or an agent some Marathon
 * task runs on (its address is the task's). The pieces are keyed on the HAProxy model (group
 * settings, service sections, server slots), so what changes is what a node receives; working
 * them out is not yet incremental: the apps are normalised whole (blue/green groups, assigned
 * service ports and backend-name collisions couple them) and every group is rendered for its
 * diagnostics, with the slots of the state before as `previous` (docs/delta-path.md §5).
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { HaproxyBackendSlots } from "../../lib/desired/schema.ts";
import { idOfSegment, KeyPrefix } from "../../lib/desired/object-keys.ts";
import { haproxyModels } from "../haproxy/index.ts";
import { setProducerDiagnostics, Part } from "../keyed/diagnostic-objects.ts";
import type { HaproxyDerivation } from "../keyed/derive-haproxy.ts";
import { haproxyPieces } from "../keyed/haproxy-pieces.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import type { SnapshotInputs } from "./inputs.ts";

/**
 * @example
 * const haproxy = new HaproxyState(objects, derivation.haproxy);
 * haproxy.touch(); haproxy.flush(base, inputs, false);
 */
export class HaproxyState {
  #keys: Set<string>;
  #subjects: Set<string>;
  #touched = false;

  constructor(
    private readonly objects: KeyedObjects,
    initial: HaproxyDerivation,
  ) {
    this.#keys = initial.keys;
    this.#subjects = initial.subjects;
  }

  /** The change touched an app, or the address of a host Marathon tasks run on. */
  touch(): void {
    this.#touched = true;
  }

  /** Works the pieces out again when touched, and at the first change (its `previous` is the derivation's own slots). */
  flush(base: Omit<ClusterSnapshot, "tasks" | "agents" | "frameworks" | "marathonApps" | "previous">, inputs: SnapshotInputs, first: boolean): void {
    if (!this.#touched && !first) return;
    this.#touched = false;
    const backends: Record<string, HaproxyBackendSlots> = {};
    for (const key of this.#keys) {
      if (key.startsWith(KeyPrefix.haproxySlots)) backends[idOfSegment(key.slice(KeyPrefix.haproxySlots.length))] = this.objects.value<HaproxyBackendSlots>(key)!;
    }
    const snapshot: ClusterSnapshot = { ...base, tasks: [], frameworks: [], agents: [...inputs.agents.values()], marathonApps: inputs.apps(), previous: { haproxy: { backends } } };
    const pieces = haproxyPieces(haproxyModels(snapshot));
    for (const key of this.#keys) if (!pieces.objects.has(key)) this.objects.delete(key);
    for (const [key, value] of pieces.objects) this.objects.set(key, value);
    setProducerDiagnostics(this.objects, Part.haproxy, this.#subjects, pieces.diagnostics);
    this.#keys = new Set(pieces.objects.keys());
    this.#subjects = new Set(pieces.diagnostics.map((d) => d.subject));
  }
}
