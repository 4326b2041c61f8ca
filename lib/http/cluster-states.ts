/**
 * @module
 * The live side of the snapshot store: each cluster's stored snapshot with its desired state,
 * node views and explanations computed once per generation (every executor poll would
 * otherwise pay for a full reconcile), and the long-poll waiters woken when a new snapshot
 * arrives. One instance
 * per process on Node and per Durable Object on Workers; either is the only writer of its
 * store, so what it caches is what is stored.
 */
import { nodeView } from "../../functions/node-view.ts";
import type { DesiredState } from "../desired/schema.ts";
import { previousFromDocument } from "../snapshot/previous.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import type { SnapshotStore, StoredSnapshot } from "../store/snapshot-store.ts";
import type { NodeStatusReport, StoredNodeStatus } from "../store/node-status.ts";
import { withStableNow } from "../sources/stable-now.ts";
import { OperatorView } from "./operator-view.ts";

/** A stored snapshot with what is derived from it. */
export interface ClusterState {
  stored: StoredSnapshot;
  desired: DesiredState;
  /** The node view of `agentId`, computed on first use; undefined for an agent the snapshot does not list. */
  view(agentId: string): DesiredState | undefined;
  /** True when the snapshot lists `agentId` (without computing its view). */
  hasAgent(agentId: string): boolean;
  /** Explanations and DNS answers of this generation (provenance was reported by its one reconcile). */
  operator: OperatorView;
}

/** What changed in a cluster: a new generation, or a node's report. */
export type ClusterEvent = { kind: "snapshot"; generation: number } | { kind: "node"; agentId: string };

/** Why a report was not kept. */
export type NodeStatusRefusal = "no-snapshot" | "unknown-agent";

/**
 * @example
 * const states = new ClusterStates(new MemorySnapshotStore(), () => new Date());
 * await states.put("prod", snapshot);
 * (await states.current("prod"))?.view("S1")?.hash
 */
export class ClusterStates {
  readonly #store: SnapshotStore;
  readonly #now: () => Date;
  readonly #states = new Map<string, ClusterState>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #listeners = new Map<string, Set<(event: ClusterEvent) => void>>();
  /** One write at a time per cluster, so generations and `previous` chain in order. */
  #writing: Promise<unknown> = Promise.resolve();

  constructor(store: SnapshotStore, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#now = now;
  }

  /** The cluster's current state, loaded from the store on first use. */
  async current(cluster: string): Promise<ClusterState | undefined> {
    const cached = this.#states.get(cluster);
    if (cached !== undefined) return cached;
    const stored = await this.#store.get(cluster);
    if (stored === undefined) return undefined;
    return this.#remember(stored);
  }

  /**
   * Stores a validated snapshot and wakes the waiters. A snapshot that carries no previous
   * allocations gets the ones of the cluster's current desired state, so VIP addresses and
   * overlay subnets stay put even when the source does not track them (DESIGN principle 4).
   */
  put(cluster: string, snapshot: ClusterSnapshot): Promise<ClusterState> {
    const write = this.#writing.then(async () => {
      const before = await this.current(cluster);
      const carry = before !== undefined && Object.keys(snapshot.previous).length === 0;
      // An unchanged cluster PUT again keeps its `now`, so its desired state (and ETag) stay;
      // allocations carried over below are not part of what the client sent, so not compared.
      const stable = withStableNow(carry ? { ...before.stored.snapshot, previous: {} } : before?.stored.snapshot, snapshot);
      const input = carry ? { ...stable, previous: previousFromDocument(before.desired, `the stored desired state of ${cluster}`) } : stable;
      const stored = await this.#store.put(cluster, input, this.#now().toISOString());
      const state = this.#remember(stored);
      const waiters = this.#waiters.get(cluster);
      this.#waiters.delete(cluster);
      for (const wake of waiters ?? []) wake();
      this.#emit(cluster, { kind: "snapshot", generation: stored.generation });
      return state;
    });
    this.#writing = write.catch(() => {});
    return write;
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

  /** Resolves at the cluster's next `put`, after `timeoutMs`, or when `signal` aborts. */
  waitForPut(cluster: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
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

  #remember(stored: StoredSnapshot): ClusterState {
    const operator = OperatorView.reconcile(stored.snapshot);
    const desired = operator.desired;
    const agents = new Set(stored.snapshot.agents.map((a) => a.id));
    const views = new Map<string, DesiredState>();
    const state: ClusterState = {
      stored,
      desired,
      view(agentId) {
        if (!agents.has(agentId)) return undefined;
        let view = views.get(agentId);
        if (view === undefined) views.set(agentId, (view = nodeView(desired, agentId)));
        return view;
      },
      hasAgent: (agentId) => agents.has(agentId),
      operator,
    };
    this.#states.set(stored.cluster, state);
    return state;
  }
}
