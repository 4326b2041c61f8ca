/**
 * @module
 * Sends a live cluster's snapshots to the control plane's store as changes: the first snapshot
 * whole (`PUT`), then each later one as what differs by id from the last one stored (`PATCH`
 * with `baseGeneration`), so a task restart costs a few objects on the wire, not the cluster.
 * It goes back to a whole PUT to resynchronise: when the store moved on without it (409), has
 * no snapshot (404), refuses a change (400: its idea of the store is wrong), when the
 * cluster-level fields changed (masters, config), and when the caller asks (an event stream
 * reconnected, so events may have been lost). A snapshot that lists an id twice keeps the first
 * object (the store holds one per id) and the others are reported.
 */
import { canonicalJson } from "../net/canonical-json.ts";
import type { ClusterSnapshot } from "../snapshot/schema.ts";
import { type SnapshotChange, CHANGE_LISTS } from "../snapshot/snapshot-change.ts";
import { KeyedSnapshot, isEmptyChange } from "../store/keyed-snapshot.ts";
import type { SnapshotPatchInput } from "../store/snapshot-patch.ts";
import { SourceError, describeNetworkError } from "./http-json.ts";

/** The part of a logger the sender uses. */
export interface SenderLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface SnapshotSenderOptions {
  /** `http(s)://HOST:PORT/v1/clusters/NAME/snapshot`. */
  url: string;
  /** Sent as the bearer token when set. */
  token?: string | undefined;
  timeoutMs: number;
  log: SenderLog;
}

/** What one `send` did. */
export type SendOutcome = { sent: "put" | "patch"; generation: number } | { sent: "nothing" | "rejected" };

/**
 * @example
 * const sender = new SnapshotSender({ url: "http://cp:8080/v1/clusters/prod/snapshot", timeoutMs: 10_000, log });
 * await sender.send(snapshot, { resync: false }); // { sent: "put", generation: 1 }, then "patch"es
 */
export class SnapshotSender {
  readonly #opts: SnapshotSenderOptions;
  /** What the store holds, as far as this sender knows, and at which generation. */
  #stored: { snapshot: KeyedSnapshot; generation: number } | undefined;
  /** A whole snapshot the store refused (400), so the same one is not sent again. */
  #refused: string | undefined;

  constructor(options: SnapshotSenderOptions) {
    this.#opts = options;
  }

  /** Sends what changed since the last snapshot stored; throws `SourceError` when the store cannot be reached or fails. */
  async send(read: ClusterSnapshot, options: { resync: boolean; reason?: string }): Promise<SendOutcome> {
    const snapshot = this.#unique(read);
    const stored = this.#stored;
    if (stored === undefined) return this.#put(snapshot, options.reason ?? "start");
    const { change, fieldsChanged } = stored.snapshot.diff(snapshot);
    if (isEmptyChange(change) && !fieldsChanged) return { sent: "nothing" };
    if (fieldsChanged) return this.#put(snapshot, "the cluster-level fields changed");
    if (options.resync) return this.#put(snapshot, options.reason ?? "resync");
    return this.#patch(snapshot, stored, change);
  }

  async #put(snapshot: ClusterSnapshot, reason: string): Promise<SendOutcome> {
    const key = canonicalJson({ ...snapshot, now: "" });
    if (key === this.#refused) return { sent: "nothing" };
    const { status, body } = await this.#request("PUT", snapshot);
    if (status === 400) {
      // Resending the same snapshot would be refused the same way: wait for the cluster to change.
      this.#refused = key;
      this.#stored = undefined;
      this.#opts.log.error("the store refused the snapshot", { url: this.#opts.url, response: body.slice(0, 2000) });
      return { sent: "rejected" };
    }
    if (status !== 200) throw new SourceError(`PUT ${this.#opts.url}`, `HTTP ${status}: ${body.slice(0, 200)}`, status);
    const generation = generationOf(body);
    this.#stored = { snapshot: KeyedSnapshot.from(snapshot), generation };
    this.#refused = undefined;
    this.#opts.log.info("snapshot stored", { url: this.#opts.url, generation, reason, tasks: snapshot.tasks.length });
    return { sent: "put", generation };
  }

  async #patch(snapshot: ClusterSnapshot, stored: { snapshot: KeyedSnapshot; generation: number }, change: SnapshotChange): Promise<SendOutcome> {
    const patch: SnapshotPatchInput = { baseGeneration: stored.generation, now: snapshot.now, upsert: change.upsert, delete: change.delete };
    const { status, body } = await this.#request("PATCH", patch);
    if (status === 409 || status === 404 || status === 400) {
      this.#opts.log.warn("the store did not take the change; sending the whole snapshot", { url: this.#opts.url, status, response: body.slice(0, 2000) });
      this.#stored = undefined;
      return this.#put(snapshot, `resync after HTTP ${status}`);
    }
    if (status !== 200) throw new SourceError(`PATCH ${this.#opts.url}`, `HTTP ${status}: ${body.slice(0, 200)}`, status);
    const generation = generationOf(body);
    stored.snapshot.apply({ ...change, now: snapshot.now });
    stored.generation = generation;
    this.#opts.log.info("change stored", { url: this.#opts.url, generation, ...counts(change) });
    return { sent: "patch", generation };
  }

  async #request(method: "PUT" | "PATCH", body: unknown): Promise<{ status: number; body: string }> {
    const { url, token, timeoutMs } = this.#opts;
    try {
      const response = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      throw new SourceError(`${method} ${url}`, describeNetworkError(error));
    }
  }

  /** The snapshot with one object per id (the first), the others reported. */
  #unique(snapshot: ClusterSnapshot): ClusterSnapshot {
    const fields = { tasks: "tasks", apps: "marathonApps", agents: "agents", frameworks: "frameworks" } as const;
    let out = snapshot;
    for (const kind of CHANGE_LISTS) {
      const list = snapshot[fields[kind]] as Array<{ id: string }>;
      const seen = new Set<string>();
      const repeated: string[] = [];
      const kept = list.filter((object) => (seen.has(object.id) ? (repeated.push(object.id), false) : (seen.add(object.id), true)));
      if (repeated.length === 0) continue;
      this.#opts.log.warn(`the cluster lists ${kind} with the same id more than once; the first of each is kept`, { ids: repeated.slice(0, 20), count: repeated.length });
      out = { ...out, [fields[kind]]: kept };
    }
    return out;
  }
}

function generationOf(body: string): number {
  const generation = (JSON.parse(body) as { generation?: unknown }).generation;
  if (typeof generation !== "number") throw new SourceError("store", `answered without a generation: ${body.slice(0, 200)}`);
  return generation;
}

function counts(change: SnapshotChange): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of CHANGE_LISTS) {
    if (change.upsert[kind].length > 0) out[`upsert.${kind}`] = change.upsert[kind].length;
    if (change.delete[kind].length > 0) out[`delete.${kind}`] = change.delete[kind].length;
  }
  return out;
}
