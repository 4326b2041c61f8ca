/**
 * @module
 * The snapshot store on Workers: one Durable Object per cluster (`idFromName(cluster)`), so
 * each cluster's writes are serialised by the object, and its long polls and watches are woken
 * by the PUT or PATCH that lands in the same object. The object serves the very same Hono app
 * as Node, with its storage behind the store interface; the Worker entry forwards
 * `/v1/clusters/:cluster/*` here.
 */
import type { Hono } from "hono";
import { createApp } from "./app.ts";
import type { ClusterStatesOptions } from "./cluster-states.ts";
import { appOptionsFromEnv } from "./env.ts";
import { DurableObjectSnapshotStore, type DurableStorage } from "../store/durable-object-store.ts";

/** The part of `DurableObjectState` the object uses. */
export interface DurableObjectStateLike {
  storage: DurableStorage;
}

/**
 * What one object keeps for its watchers, within its 128 MB: at 10,000 tasks the cluster and
 * its derivation hold about 40 MB, so the change log gets 8 MiB and a slow watcher 4 MiB.
 */
export const DURABLE_OBJECT_LIMITS: ClusterStatesOptions = {
  log: { generations: 1024, bytes: 8 * 1024 * 1024 },
  watch: { maxQueuedBytes: 4 * 1024 * 1024 },
};

/**
 * Declared in `wrangler.toml` (binding `SNAPSHOTS`, SQLite-backed, migration `v1`).
 * @example env.SNAPSHOTS.get(env.SNAPSHOTS.idFromName("prod")).fetch(request)
 */
export class SnapshotStoreObject {
  readonly #app: Hono;

  constructor(state: DurableObjectStateLike, env: Record<string, unknown>) {
    // Built once per object instance: the app's ClusterStates holds the cached desired state
    // and the long-poll waiters, which must outlive a single request.
    this.#app = createApp({ ...appOptionsFromEnv(env), store: new DurableObjectSnapshotStore(state.storage), clusters: DURABLE_OBJECT_LIMITS });
  }

  fetch(request: Request): Promise<Response> {
    return Promise.resolve(this.#app.fetch(request));
  }
}
