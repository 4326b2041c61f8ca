/**
 * @module
 * INTERIM, until the pure core's incremental reconciler (branch i14-core) is merged: a
 * `Derivation` that runs the full `reconcile` on every change and keys its DesiredState
 * coarsely (a zone, a VIP service, an HAProxy group, a node's overlay entry), so the store,
 * the change log and the watch streams can be built and tested before the core lands. Its cost
 * grows with the cluster; this file is deleted at that merge.
 */
import { nodeView } from "../../functions/node-view.ts";
import { reconcile } from "../../functions/reconcile.ts";
import type { DesiredState } from "../desired/schema.ts";
import { canonicalJson } from "../net/canonical-json.ts";
import { sha256Hex } from "../net/digest.ts";
import { previousFromDocument } from "../snapshot/previous.ts";
import type { ClusterSnapshot, PreviousAllocations } from "../snapshot/schema.ts";
import { KeyedSnapshot } from "../store/keyed-snapshot.ts";
import type { StoredCluster } from "../store/snapshot-store.ts";
import type { SnapshotChange } from "../store/interim-change.ts";
import type { Derivation, ObjectChanges, StoredObject } from "./derivation.ts";
import { nodeSegment } from "./watch/generation-lines.ts";

const ALLOCATIONS = "control/allocations";

/**
 * Derives a stored cluster; its allocation objects, when there are any, are the `previous`.
 * @example const derivation = deriveCluster(stored); derivation.nodeHash("S1")
 */
export function deriveCluster(stored: Pick<StoredCluster, "snapshot" | "allocations">): Derivation {
  const json = stored.allocations.get(ALLOCATIONS);
  const snapshot = stored.snapshot.toSnapshot();
  return new RecomputingDerivation(json === undefined ? snapshot : { ...snapshot, previous: JSON.parse(json) as PreviousAllocations });
}

class RecomputingDerivation implements Derivation {
  #keyed: KeyedSnapshot;
  #desired: DesiredState;
  #objects: Map<string, StoredObject>;
  #views = new Map<string, DesiredState>();

  constructor(snapshot: ClusterSnapshot) {
    this.#keyed = KeyedSnapshot.from(snapshot);
    this.#desired = reconcile(snapshot);
    this.#objects = keyedObjects(this.#desired);
  }

  apply(change: SnapshotChange): ObjectChanges {
    this.#keyed.apply(change);
    return this.#rederive({ ...this.#keyed.toSnapshot(), previous: previousFromDocument(this.#desired, "the derivation") });
  }

  replace(snapshot: ClusterSnapshot): ObjectChanges {
    this.#keyed = KeyedSnapshot.from(snapshot);
    const carry = Object.keys(snapshot.previous).length === 0;
    return this.#rederive(carry ? { ...snapshot, previous: previousFromDocument(this.#desired, "the derivation") } : snapshot);
  }

  // The interim hashes are the whole-state ones (sha256 of the canonical JSON), so the watch's
  // commit hashes equal the ETags of the whole-view GETs, as they will with the core's state hash.
  hash(): string {
    return this.#desired.hash;
  }

  nodeHash(node: string): string {
    let view = this.#views.get(node);
    if (view === undefined) this.#views.set(node, (view = nodeView(this.#desired, node)));
    return view.hash;
  }

  nodeObjects(node: string): Array<[string, StoredObject]> {
    return [...this.#objects.entries()].filter(([key]) => !key.startsWith("control/") && (!key.startsWith("node/") || key.startsWith(`node/${nodeSegment(node)}/`)));
  }

  desired(): DesiredState {
    return this.#desired;
  }

  nodeView(node: string): DesiredState {
    this.nodeHash(node);
    return this.#views.get(node)!;
  }

  isAllocationKey(key: string): boolean {
    return key === ALLOCATIONS;
  }

  #rederive(snapshot: ClusterSnapshot): ObjectChanges {
    this.#desired = reconcile(snapshot);
    this.#views = new Map();
    const next = keyedObjects(this.#desired);
    const changes: ObjectChanges = { upserts: [], deletes: [] };
    for (const [key, object] of next) if (this.#objects.get(key)?.hash !== object.hash) changes.upserts.push({ key, ...object });
    for (const key of this.#objects.keys()) if (!next.has(key)) changes.deletes.push(key);
    this.#objects = next;
    return changes;
  }
}

function keyedObjects(desired: DesiredState): Map<string, StoredObject> {
  const objects = new Map<string, StoredObject>();
  const set = (key: string, value: unknown) => {
    const json = canonicalJson(value);
    objects.set(key, { json, hash: sha256Hex(json) });
  };
  for (const zone of desired.dns.zones) set(`dns/zone/${encodeURIComponent(zone.origin)}`, zone);
  set("dns/forwarding", desired.dns.forwarding ?? null);
  set("dns/aliases", desired.dns.aliases ?? []);
  for (const s of desired.l4lb.services) set(`l4lb/service/${encodeURIComponent(s.vip.ip)}/${s.vip.protocol}/${s.vip.port}`, s);
  for (const [group, value] of Object.entries(desired.haproxy.groups)) set(`haproxy/group/${encodeURIComponent(group)}`, value);
  const { nodes, ...overlay } = desired.overlay;
  set("overlay/section", overlay);
  for (const [agent, entry] of Object.entries(nodes)) set(`node/${nodeSegment(agent)}/overlay`, entry);
  set(ALLOCATIONS, previousFromDocument(desired, "the derivation"));
  set("control/diagnostics", desired.diagnostics);
  return objects;
}
