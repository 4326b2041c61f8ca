/**
 * @module
 * The applier contract on the delta path (docs/delta-path.md §7), kube-proxy's partial sync:
 * an applier takes the keys a batch changed and applies only those, from a record of what it
 * installed; whenever it cannot (no record yet, a failed partial apply, damage found behind its
 * back) it falls back to a full sync, observe → plan → apply → verify against the whole view.
 * Appliers that only know whole desired states (`Applier`) join through `wholeStateApplier`,
 * which runs that full sync when one of their keys changed.
 */
import type { DesiredState } from "../desired/schema.ts";
import { runApplier, type ApplierResult } from "./apply-desired.ts";
import type { Applier } from "./applier.ts";

/** One changed key: its object hash, its value's canonical JSON, and the parsed value where the view keeps it. */
export interface ChangedKey {
  hash: string;
  json: string;
  value?: unknown;
}

/** The keys changed since an applier last took its changes (one batch, or several merged). */
export interface KeyChanges {
  /** Keys set to a new value. */
  readonly upserts: ReadonlyMap<string, ChangedKey>;
  readonly deletes: ReadonlySet<string>;
  /** True when `upserts` lists every key of the view the applier takes, changed or not (a relist asked for them). */
  readonly complete: boolean;
}

/** What an applier reads of the node's view besides the changes. */
export interface ViewReader {
  readonly node: string;
  /** The generation the view holds. */
  readonly generation: number;
  /** The view hash. */
  readonly hash: string;
  /** The view hash of its `dns/` keys alone. */
  readonly dnsHash: string;
  /** The value of a key the view keeps. */
  value<T = unknown>(key: string): T | undefined;
  /** The kept values under a key prefix. */
  valuesUnder<T = unknown>(prefix: string): Iterable<[string, T]>;
  /** The node's whole desired state, assembled from the view (DNS zones only where DNS values are kept). */
  desired(): DesiredState;
}

/** What an applier implements to take changes (the registry says which keys are its own). */
export interface ChangeApplier {
  /**
   * Applies `changes` from the applier's record of what it installed. Returns undefined when it
   * has no record to build on (then the caller runs `syncAll`); throws when the partial apply
   * failed (the caller then runs `syncAll` too).
   */
  applyChanges(changes: KeyChanges, view: ViewReader): Promise<ApplierResult | undefined>;
  /** Brings the node to the whole view: observe, plan, apply, verify. */
  syncAll(view: ViewReader, changes?: KeyChanges): Promise<ApplierResult>;
}

/** One applier on the delta path. */
export interface KeyedApplier extends ChangeApplier {
  readonly name: string;
  /** True for the keys whose changes this applier applies. */
  takes(key: string): boolean;
  /** Ends what the applier keeps open between syncs (long-lived nft processes). */
  close?(): Promise<void>;
  /** The applier behind this one, for what else it offers (the policy's counters). */
  readonly applier?: Applier;
}

/**
 * An applier that can only be handed this: the whole view is no longer enough, the keys' values
 * must be listed again (the DNS store was lost or fell behind the view). The agent relists,
 * asking for every value of the keys the applier takes.
 */
export class NeedsValuesError extends Error {
  override readonly name = "NeedsValuesError";
}

/**
 * A whole-state applier on the delta path: any change to its keys is a full sync.
 * @example wholeStateApplier(createCniApplier(opts), (key) => key.startsWith("node/"))
 */
export function wholeStateApplier(applier: Applier, takes: (key: string) => boolean): KeyedApplier {
  const syncAll = (view: ViewReader) => runApplier(view.desired(), applier, false);
  return { name: applier.name, takes, applyChanges: async () => undefined, syncAll, applier, ...(applier.close ? { close: () => applier.close!() } : {}) };
}

/**
 * True when `changes` touch no key.
 * @example changesAreEmpty({ upserts: new Map(), deletes: new Set(), complete: false }) // true
 */
export function changesAreEmpty(changes: KeyChanges): boolean {
  return changes.upserts.size === 0 && changes.deletes.size === 0 && !changes.complete;
}
