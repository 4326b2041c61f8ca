/**
 * @module
 * The incremental reconciler (docs/delta-path.md §5): the keyed derivation of the current
 * snapshot, with the snapshot itself (one compact copy) and the indexes a change needs, taking
 * one change at a time and answering the keys it changed. Its objects after a change are those
 * of `deriveObjects` over the changed snapshot whose `previous` is the allocations before the
 * change, byte for byte (the property test holds it to that); its work is what the change
 * touches: the owners it names, the tasks of a changed agent or framework, the VIPs whose
 * backends move, the underlay IPs whose members change.
 *
 * Pure: the time of a change is part of it. It mutates only itself; a change it cannot apply
 * (an exception would be a bug) leaves it unusable, and its owner derives it again from the
 * snapshot.
 */
import type { DesiredState } from "../../lib/desired/schema.ts";
import { idOfSegment, keyScope, KeyPrefix, ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import type { HaproxyBackendSlots } from "../../lib/desired/schema.ts";
import type { NodeAllocation, OverlayNode } from "../../lib/desired/overlay-schema.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { SnapshotChange } from "../../lib/snapshot/snapshot-change.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../../lib/snapshot/schema.ts";
import { compareNamedVips } from "../l4lb/named-vip-allocation.ts";
import { desiredStateOf, nodeViewOf } from "../keyed/assemble.ts";
import { derive } from "../keyed/derive.ts";
import type { KeyedObjects, ObjectChanges, StoredObject } from "../keyed/object-store.ts";
import { DnsState } from "./dns-state.ts";
import { HaproxyState, type AppSource } from "./haproxy-state.ts";
import { PolicyState } from "./policy-state.ts";
import { duplicateIds, SnapshotInputs } from "./inputs.ts";
import { L4lbState } from "./l4lb-state.ts";
import { OverlayState } from "./overlay-state.ts";

/** What a change did: the keys it changed and the state hash after it. */
export interface ChangeResult extends ObjectChanges {
  hash: string;
}

/** The snapshot without its lists and allocations: what only a whole snapshot changes. */
type SnapshotBase = Omit<ClusterSnapshot, "tasks" | "agents" | "frameworks" | "marathonApps" | "previous">;

const ALLOCATION_PREFIXES = [KeyPrefix.namedVipAllocation, KeyPrefix.overlayAllocation, KeyPrefix.haproxySlots];

/**
 * @example
 * const reconciler = IncrementalReconciler.fromSnapshot(snapshot);
 * reconciler.apply(SnapshotChange.parse({ now, delete: { tasks: ["web.1"] } })).deletes // ["dns/records/task/web.1", ...]
 */
export class IncrementalReconciler {
  readonly objects: KeyedObjects;
  readonly #base: SnapshotBase;
  readonly #inputs: SnapshotInputs;
  readonly #dns: DnsState;
  readonly #l4lb: L4lbState;
  readonly #overlay: OverlayState;
  readonly #haproxy: HaproxyState;
  readonly #policy: PolicyState;
  /** The Marathon apps as every artifact sees them: without quarantined tasks. */
  readonly #apps: AppSource;
  /** The allocations the current objects were derived with, as given, until the first change. */
  #initialPrevious: PreviousAllocations | undefined;
  /** What the allocation keys held before the last change (to rebuild its `previous`). */
  #undo = new Map<string, StoredObject | undefined>();
  /** The allocation keys, so the allocations are read without a walk over every object. */
  readonly #allocationKeys = new Set<string>();

  private constructor(snapshot: ClusterSnapshot) {
    const { tasks: _t, agents: _a, frameworks: _f, marathonApps: _m, previous, ...base } = snapshot;
    this.#base = base;
    this.#initialPrevious = previous;
    const derivation = derive(snapshot);
    this.objects = derivation.objects;
    this.#inputs = SnapshotInputs.of(snapshot);
    this.#dns = new DnsState(this.objects, this.#inputs, snapshot, derivation.dns.wanting);
    this.#l4lb = new L4lbState(this.objects, snapshot, derivation.l4lb);
    this.#overlay = new OverlayState(this.objects, snapshot, derivation.overlay);
    this.#haproxy = new HaproxyState(this.objects, snapshot.config.haproxy, derivation.haproxy);
    this.#policy = new PolicyState(this.objects, snapshot, this.#inputs, derivation.policy);
    this.#apps = { app: (id) => this.#policy.admittedApp(this.#inputs.app(id)), apps: () => this.#inputs.apps().map((app) => this.#policy.admittedApp(app)!) };
    for (const [key] of this.objects.entries()) if (isAllocationKey(key)) this.#allocationKeys.add(key);
  }

  /**
   * Derives `snapshot` whole. Its lists must hold each id once (`duplicateIds`): a keyed
   * snapshot is a set by id, and one owner's objects cannot stand for two.
   */
  static fromSnapshot(snapshot: ClusterSnapshot): IncrementalReconciler {
    const duplicates = duplicateIds(snapshot);
    if (duplicates.length > 0) {
      throw new Error(`a snapshot listing an id twice cannot be reconciled incrementally: ${duplicates.map((d) => `${d.list} '${d.id}'`).join(", ")}`);
    }
    return new IncrementalReconciler(snapshot);
  }

  /** Applies one change (validated: see `SnapshotChange`); returns the keys it changed. */
  apply(change: SnapshotChange): ChangeResult {
    this.#initialPrevious = undefined;
    const base = this.#base as { now: string };
    base.now = change.now ?? base.now;
    const inputs = this.#inputs;
    const tasks = new Set<string>();
    const apps = new Set<string>();
    const addTasks = (ids: Iterable<string>) => {
      for (const id of ids) tasks.add(id);
    };
    this.#dns.begin();

    for (const framework of change.upsert.frameworks) this.#setFramework(framework.id, framework, addTasks);
    for (const id of change.delete.frameworks) this.#setFramework(id, undefined, addTasks);
    for (const agent of change.upsert.agents) this.#setAgent(agent.id, agent, addTasks);
    for (const id of change.delete.agents) this.#setAgent(id, undefined, addTasks);
    for (const task of change.upsert.tasks) inputs.setTask(task.id, task);
    for (const id of change.delete.tasks) inputs.setTask(id, undefined);
    for (const id of [...change.upsert.tasks.map((t) => t.id), ...change.delete.tasks]) {
      tasks.add(id);
      for (const app of inputs.appsOfTask(id)) apps.add(app);
    }
    for (const app of change.upsert.apps) inputs.setApp(app.id, app);
    for (const id of change.delete.apps) inputs.setApp(id, undefined);
    for (const id of [...change.upsert.apps.map((a) => a.id), ...change.delete.apps]) {
      apps.add(id);
      this.#haproxy.setApp(id, this.#apps);
      this.#policy.setApp(id);
    }

    for (const key of this.#overlay.flush()) {
      addTasks(inputs.tasksOfAgent(key));
      this.#policy.setNode(key);
    }
    const entryOf = memo((key: string) => this.objects.value<OverlayNode>(ObjectKeys.nodeOverlay(key)));
    for (const id of tasks) {
      const task = inputs.task(id);
      if (this.#policy.setTask(id, task)) {
        // Admitted or quarantined now: the Marathon apps listing it see it come or go.
        for (const app of inputs.appsOfTask(id)) {
          apps.add(app);
          this.#haproxy.setApp(app, this.#apps);
        }
      }
      const admitted = task !== undefined && !this.#policy.isQuarantined(id) ? task : undefined;
      this.#dns.setTask(id, admitted);
      this.#l4lb.setTask(id, admitted, admitted && inputs.agents.get(admitted.agentId), admitted && inputs.frameworks.get(admitted.frameworkId));
      this.#overlay.setTask(id, admitted, entryOf);
    }
    for (const id of apps) {
      const app = this.#apps.app(id);
      this.#l4lb.setApp(id, app, (app?.tasks ?? []).flatMap((t) => (this.#policy.isQuarantined(t.id) ? [] : (inputs.task(t.id) ?? []))));
    }
    this.#dns.flush();
    this.#dns.setNow(this.#base);
    this.#l4lb.flush(this.#base.now);
    this.#haproxy.flush(inputs, this.#apps);
    this.#policy.flush(entryOf);

    const changes = this.objects.takeChanges();
    this.#undo = new Map([...changes.before].filter(([key]) => isAllocationKey(key)));
    for (const { key } of changes.upserts) if (isAllocationKey(key)) this.#allocationKeys.add(key);
    for (const key of changes.deletes) this.#allocationKeys.delete(key);
    return { ...changes, hash: this.objects.hash() };
  }

  /** The whole DesiredState (`reconcile` of `snapshot()`). */
  desired(): DesiredState {
    return desiredStateOf(this.objects);
  }

  /** One node's view. */
  nodeView(node: string): DesiredState {
    return nodeViewOf(this.objects, node);
  }

  /** The allocations of the current objects: the next change's `previous` (costs what the allocations hold). */
  allocations(): PreviousAllocations {
    return this.#allocationsWith(new Map());
  }

  /**
   * The snapshot the current objects are the derivation of: its lists, and as `previous` the
   * allocations before the last change (or the first snapshot's own, before any change).
   */
  snapshot(): ClusterSnapshot {
    return { ...this.#base, ...this.#inputs.lists(), previous: this.#initialPrevious ?? this.#allocationsWith(this.#undo) };
  }

  #setFramework(id: string, framework: ClusterSnapshot["frameworks"][number] | undefined, addTasks: (ids: Iterable<string>) => void): void {
    if (framework === undefined) this.#inputs.frameworks.delete(id);
    else this.#inputs.frameworks.set(id, framework);
    this.#dns.setFramework(id, framework);
    addTasks(this.#inputs.tasksOfFramework(id));
  }

  #setAgent(id: string, agent: ClusterSnapshot["agents"][number] | undefined, addTasks: (ids: Iterable<string>) => void): void {
    const before = this.#inputs.agents.get(id);
    addTasks(this.#policy.setAgent(id, before?.ips, agent?.ips));
    if (agent === undefined) this.#inputs.agents.delete(id);
    else this.#inputs.agents.set(id, agent);
    this.#dns.setAgent(id, agent);
    this.#overlay.setAgent(id, agent);
    addTasks(this.#inputs.tasksOfAgent(id));
    this.#haproxy.setAgent(id, before, agent);
  }

  /** The allocation objects, with `undo`'s keys as they were before the last change. */
  #allocationsWith(undo: ReadonlyMap<string, StoredObject | undefined>): PreviousAllocations {
    const namedVips: PreviousNamedVip[] = [];
    const nodes: NodeAllocation[] = [];
    const backends: Record<string, HaproxyBackendSlots> = {};
    const add = (key: string, json: string) => {
      const value = JSON.parse(json) as unknown;
      if (key.startsWith(KeyPrefix.namedVipAllocation)) namedVips.push(...(value as PreviousNamedVip[]));
      else if (key.startsWith(KeyPrefix.overlayAllocation)) nodes.push(value as NodeAllocation);
      else if (key.startsWith(KeyPrefix.haproxySlots)) backends[idOfSegment(key.slice(KeyPrefix.haproxySlots.length))] = value as HaproxyBackendSlots;
    };
    for (const key of this.#allocationKeys) if (!undo.has(key)) add(key, this.objects.get(key)!.json);
    for (const [key, stored] of undo) if (stored !== undefined) add(key, stored.json);
    const spaces = this.objects.value<{ vtep: { subnet: string; subnet6?: string }; overlays: Record<string, object> }>(ObjectKeys.overlaySpaces)!;
    nodes.sort((a, b) => compareValues(parseIpValue(a.ip)!.value, parseIpValue(b.ip)!.value));
    return {
      l4lb: { namedVips: namedVips.sort(compareNamedVips) },
      overlay: { ...spaces, nodes },
      haproxy: { backends: Object.fromEntries(Object.entries(backends).sort(([a], [b]) => compareStrings(a, b))) },
    };
  }
}

/** `get` remembered per argument, for one change. */
function memo<T>(get: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, get(key));
    return seen.get(key)!;
  };
}

function isAllocationKey(key: string): boolean {
  return ALLOCATION_PREFIXES.some((prefix) => key.startsWith(prefix));
}

function compareValues(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
