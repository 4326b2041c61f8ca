/**
 * @module
 * The live side of the snapshot store: each cluster's stored snapshot with its derivation
 * (the keyed desired objects), the recent generations' watch lines and the open watches. A
 * write (a PUT of a whole snapshot, a PATCH of a change) is one generation: checked, derived
 * (the keys it changes), stored durably with the allocations it moved, then appended to the
 * change log and pushed to every watcher. One instance per process on Node and per Durable
 * Object on Workers; either is the only writer of its store, and writes run one at a time,
 * so generations chain in order. A write that fails after the derivation moved drops the
 * cluster's live state: it is derived again from the store on next use, and its watchers
 * resume or relist. Node reports are kept beside the snapshot (the latest per node), and every
 * generation and report is told to the subscribers (the dashboard's live pages).
 */
import type { DesiredState } from "../desired/schema.ts";
import type { InputIssue } from "../snapshot/issues.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import type { SnapshotChange } from "../snapshot/snapshot-change.ts";
import { KeyedSnapshot, duplicateIdIssues, isEmptyChange, type ClusterFields } from "../store/keyed-snapshot.ts";
import type { SnapshotPatch } from "../store/snapshot-patch.ts";
import type { AllocationChanges, SnapshotStore, StoredChange, StoredCluster } from "../store/snapshot-store.ts";
import { deriveCluster, type Derivation, type ObjectChanges } from "./derivation.ts";
import { ChangeLog, DEFAULT_LOG_LIMITS, type ChangeLogLimits } from "./watch/change-log.ts";
import { generationLines, type GenerationLines } from "./watch/generation-lines.ts";
import { WatchHub, type WatchHubOptions, type WatchSource } from "./watch/watch-hub.ts";
import type { NodeStatusReport, StoredNodeStatus } from "../store/node-status.ts";
import { OperatorView } from "./operator-view.ts";

/** A stored cluster with what is derived from it. */
export interface ClusterState extends WatchSource {
  readonly cluster: string;
  readonly stored: StoredCluster;
  readonly hub: WatchHub;
  /** The whole desired state, assembled once per generation. */
  desired(): DesiredState;
  /** The node view of `agentId`, assembled on first use per generation; undefined for an agent the snapshot does not list. */
  view(agentId: string): DesiredState | undefined;
  /** True when the snapshot lists `agentId` (without assembling its view). */
  hasAgent(agentId: string): boolean;
  /** The state hash of `agentId`'s view (the `hash` of `view(agentId)`), without assembling it. */
  viewHash(agentId: string): string;
  /** Explanations and DNS answers of this generation, built on first use and kept until the next. */
  operator(): OperatorView;
}

/** What changed in a cluster: a new generation, or a node's report. */
export type ClusterEvent = { kind: "snapshot"; generation: number } | { kind: "node"; agentId: string };

/** Why a node's report was not kept. */
export type NodeStatusRefusal = "no-snapshot" | "unknown-agent";

/** What a stored write answers. */
export interface WriteResult {
  state: ClusterState;
  generation: number;
  storedAt: string;
  /** The state hash of the cluster's desired state after the write. */
  hash: string;
}

/** Why a write was refused; nothing of it was applied. */
export type WriteRefusal =
  | { status: 400; error: string; issues: InputIssue[] }
  | { status: 404; error: string }
  | { status: 409; error: string; generation: number };

export interface ClusterStatesOptions {
  /** The clock (`storedAt`, and the `now` of a PATCH that carries none). */
  now?: () => Date;
  /** Bounds of each cluster's change log. */
  log?: ChangeLogLimits;
  watch?: WatchHubOptions;
}

/**
 * @example
 * const states = new ClusterStates(new MemorySnapshotStore());
 * await states.put("prod", snapshot);
 * (await states.current("prod"))?.view("S1")?.hash
 */
export class ClusterStates {
  readonly #store: SnapshotStore;
  readonly #now: () => Date;
  readonly #logLimits: ChangeLogLimits;
  readonly #watch: WatchHubOptions;
  readonly #states = new Map<string, Promise<LiveCluster | undefined>>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #listeners = new Map<string, Set<(event: ClusterEvent) => void>>();
  /** One write at a time, so generations and allocations chain in order. */
  #writing: Promise<unknown> = Promise.resolve();

  constructor(store: SnapshotStore, options: ClusterStatesOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? (() => new Date());
    this.#logLimits = options.log ?? DEFAULT_LOG_LIMITS;
    this.#watch = options.watch ?? {};
  }

  /**
   * The cluster's current state, loaded from the store and derived on first use. A write under
   * way is waited for: its derivation moves before its generation is stored, and nothing that
   * is not stored yet is served.
   */
  async current(cluster: string): Promise<ClusterState | undefined> {
    for (;;) {
      const loading = this.#load(cluster);
      const state = await loading;
      if (state?.writing === undefined) return state;
      await state.writing;
      // A write that failed dropped this state: the next turn loads the cluster again.
      if (this.#states.get(cluster) === loading) return state;
    }
  }

  #load(cluster: string): Promise<LiveCluster | undefined> {
    let loading = this.#states.get(cluster);
    if (loading === undefined) {
      loading = this.#store.get(cluster).then((stored) => (stored === undefined ? undefined : new LiveCluster(stored, deriveCluster(stored), this.#logLimits, this.#watch)));
      this.#states.set(cluster, loading);
      // A failed load is not remembered: the next request tries again.
      loading.catch(() => this.#states.delete(cluster));
    }
    return loading;
  }

  /**
   * Stores a whole snapshot as the next generation (validated by the caller). A snapshot that
   * carries no previous allocations keeps the cluster's own (DESIGN principle 4), and an
   * unchanged cluster PUT again keeps its `now`, so its desired state (and ETag) stay.
   */
  put(cluster: string, snapshot: ClusterSnapshot): Promise<WriteResult | WriteRefusal> {
    return this.#serialised(async () => {
      const duplicates = duplicateIdIssues(snapshot);
      if (duplicates.length > 0) return { status: 400, error: "the snapshot lists an id twice with different contents, which a store by id cannot hold", issues: duplicates };
      const state = await this.#load(cluster);
      const { tasks: _t, marathonApps: _a, agents: _g, frameworks: _f, ...sent } = snapshot;
      const before = state?.stored.snapshot ?? KeyedSnapshot.from({ ...sent, tasks: [], marathonApps: [], agents: [], frameworks: [] });
      const { change, fieldsChanged } = before.diff(snapshot);
      const fields: ClusterFields = state !== undefined && isEmptyChange(change) && !fieldsChanged ? { ...sent, now: before.fields.now } : sent;
      if (state === undefined) {
        // A new cluster: derived whole, all its allocations stored with its first generation.
        const record = emptyRecord(cluster, fields);
        const derivation = deriveCluster({ snapshot: KeyedSnapshot.from({ ...snapshot, ...fields }), allocations: new Map() });
        return this.#write(cluster, new LiveCluster(record, derivation, this.#logLimits, this.#watch), true, { fields, change }, () => ({ upserts: [], deletes: [] }));
      }
      // Only objects changed: the change costs what it touches. Otherwise (config, masters, an
      // explicit previous) everything is derived again.
      const derive = !fieldsChanged ? (d: Derivation) => d.apply({ ...change, now: fields.now }) : (d: Derivation) => d.replace({ ...snapshot, ...fields });
      return this.#write(cluster, state, false, { fields, change }, derive);
    });
  }

  /** Applies a change if it was computed against the stored generation and names only stored ids to delete. */
  patch(cluster: string, body: SnapshotPatch): Promise<WriteResult | WriteRefusal> {
    return this.#serialised(async () => {
      const state = await this.#load(cluster);
      if (state === undefined) return { status: 404, error: `no snapshot stored for cluster '${cluster}' (PUT /v1/clusters/${cluster}/snapshot first)` };
      if (body.baseGeneration !== state.generation) {
        return { status: 409, error: `the change was computed against generation ${body.baseGeneration}, but the cluster is at generation ${state.generation}; read it again (or PUT the whole snapshot) and resend`, generation: state.generation };
      }
      const { baseGeneration: _base, ...rest } = body;
      const change: SnapshotChange = { ...rest, now: rest.now ?? this.#now().toISOString() };
      const issues = state.stored.snapshot.unknownIdIssues(change);
      if (issues.length > 0) return { status: 400, error: `the change cannot apply to generation ${state.generation}: ${issues[0]!.path}: ${issues[0]!.message}`, issues };
      return this.#write(cluster, state, false, { change }, (derivation) => derivation.apply(change));
    });
  }

  /** The time by this instance's clock. */
  now(): Date {
    return this.#now();
  }

  /** The clusters with a stored snapshot. */
  clusters(): Promise<string[]> {
    return this.#store.clusters();
  }

  /** The latest report of every node of `cluster` that reported. */
  nodeStatuses(cluster: string): Promise<ReadonlyMap<string, StoredNodeStatus>> {
    return this.#store.nodeStatuses(cluster);
  }

  /**
   * Keeps a node's report, stamped with when it arrived. Refused for a cluster with no
   * snapshot, or an agent its current snapshot does not list.
   */
  async putNodeStatus(cluster: string, agentId: string, report: NodeStatusReport): Promise<{ state: ClusterState; status: StoredNodeStatus } | NodeStatusRefusal> {
    const state = await this.current(cluster);
    if (state === undefined) return "no-snapshot";
    if (!state.hasAgent(agentId)) return "unknown-agent";
    const status: StoredNodeStatus = { ...report, agentId, receivedAt: this.#now().toISOString() };
    await this.#store.putNodeStatus(cluster, status);
    this.#emit(cluster, { kind: "node", agentId });
    return { state, status };
  }

  /**
   * Calls `listener` on every change of `cluster` until the returned function is called
   * (the dashboard's live pages).
   */
  subscribe(cluster: string, listener: (event: ClusterEvent) => void): () => void {
    let set = this.#listeners.get(cluster);
    if (set === undefined) this.#listeners.set(cluster, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(cluster) === set) this.#listeners.delete(cluster);
    };
  }

  #emit(cluster: string, event: ClusterEvent): void {
    for (const listener of this.#listeners.get(cluster) ?? []) listener(event);
  }

  /** Resolves at the cluster's next generation, after `timeoutMs`, or when `signal` aborts. */
  waitForChange(cluster: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let set = this.#waiters.get(cluster);
      if (set === undefined) this.#waiters.set(cluster, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      waiters.add(done);
    });
  }

  /** Ends every open watch cleanly (shutdown). */
  async endWatches(): Promise<void> {
    for (const loading of this.#states.values()) (await loading.catch(() => undefined))?.hub.endAll();
  }

  async #write(cluster: string, state: LiveCluster, created: boolean, written: { fields?: ClusterFields; change: SnapshotChange }, derive: (derivation: Derivation) => ObjectChanges): Promise<WriteResult> {
    let stored: StoredCluster;
    let changes: ObjectChanges;
    let settle!: () => void;
    state.writing = new Promise((resolve) => (settle = resolve));
    try {
      changes = derive(state.derivation);
      const allocations = created ? { upserts: state.derivation.allocationObjects(), deletes: [] } : allocationChanges(changes, state.derivation);
      const write: StoredChange = { generation: state.generation + 1, storedAt: this.#now().toISOString(), ...written, allocations };
      stored = await this.#store.commit(cluster, write);
    } catch (error) {
      this.#drop(cluster, state, created);
      state.writing = undefined;
      settle();
      throw error;
    }
    if (created) {
      state.restart(stored);
      this.#states.set(cluster, Promise.resolve(state));
    } else {
      const lines = generationLines(stored.generation, changes);
      state.advance(stored, lines);
      state.hub.publish(lines, state);
    }
    state.writing = undefined;
    settle();
    const waiters = this.#waiters.get(cluster);
    this.#waiters.delete(cluster);
    for (const wake of waiters ?? []) wake();
    this.#emit(cluster, { kind: "snapshot", generation: stored.generation });
    return { state, generation: stored.generation, storedAt: stored.storedAt, hash: state.derivation.hash() };
  }

  /** Forgets a cluster's live state after a failed write; its watchers resume or relist against what the store holds. */
  #drop(cluster: string, state: LiveCluster, created: boolean): void {
    if (created) return;
    this.#states.delete(cluster);
    state.hub.cutAll("the control plane could not store a change and reloads the cluster");
  }

  #serialised<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#writing.then(work);
    this.#writing = run.catch(() => {});
    return run;
  }
}

/** One cluster's live state. */
class LiveCluster implements ClusterState {
  stored: StoredCluster;
  readonly derivation: Derivation;
  log: ChangeLog;
  readonly hub: WatchHub;
  /** Settles when the write under way (whose derivation may be ahead of the store) is done. */
  writing: Promise<void> | undefined;
  readonly #limits: ChangeLogLimits;
  #desired: DesiredState | undefined;
  #views = new Map<string, DesiredState>();
  #operator: OperatorView | undefined;

  constructor(stored: StoredCluster, derivation: Derivation, limits: ChangeLogLimits, watch: WatchHubOptions) {
    this.stored = stored;
    this.derivation = derivation;
    this.#limits = limits;
    this.log = new ChangeLog(stored.generation, limits);
    this.hub = new WatchHub(watch);
  }

  get cluster(): string {
    return this.stored.cluster;
  }

  get generation(): number {
    return this.stored.generation;
  }

  desired(): DesiredState {
    return (this.#desired ??= this.derivation.desired());
  }

  view(agentId: string): DesiredState | undefined {
    if (!this.hasAgent(agentId)) return undefined;
    let view = this.#views.get(agentId);
    if (view === undefined) this.#views.set(agentId, (view = this.derivation.nodeView(agentId)));
    return view;
  }

  hasAgent(agentId: string): boolean {
    return this.stored.snapshot.objects.agents.has(agentId);
  }

  viewHash(agentId: string): string {
    return this.derivation.nodeHash(agentId);
  }

  operator(): OperatorView {
    return (this.#operator ??= new OperatorView(this.stored.snapshot.toSnapshot(), this.desired()));
  }

  /** The first generation of a new cluster: nothing before it can be resumed from. */
  restart(stored: StoredCluster): void {
    this.stored = stored;
    this.log = new ChangeLog(stored.generation, this.#limits);
    this.#forget();
  }

  /** A committed generation: `stored` is the store's record of it. */
  advance(stored: StoredCluster, lines: GenerationLines): void {
    this.stored = stored;
    this.log.append(lines);
    this.#forget();
  }

  #forget(): void {
    this.#desired = undefined;
    this.#views = new Map();
    this.#operator = undefined;
  }
}

function allocationChanges(changes: ObjectChanges, derivation: Derivation): AllocationChanges {
  return {
    upserts: changes.upserts.filter((u) => derivation.isAllocationKey(u.key)).map((u) => [u.key, u.json]),
    deletes: changes.deletes.filter((key) => derivation.isAllocationKey(key)),
  };
}

function emptyRecord(cluster: string, fields: ClusterFields): StoredCluster {
  return { cluster, generation: 0, storedAt: "", snapshot: KeyedSnapshot.from({ ...fields, tasks: [], marathonApps: [], agents: [], frameworks: [] }), allocations: new Map() };
}
