/**
 * @module
 * A whole snapshot → its keyed desired state (docs/delta-path.md §1): every artifact's objects,
 * in the order their data flows (named VIPs are allocated before DNS, because their names land
 * in `l4lb.thisdcos.directory`). `reconcile` assembles its DesiredState from these objects;
 * the incremental reconciler starts from them.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { DiagnosticObjects } from "./diagnostic-objects.ts";
import { deriveDns } from "./derive-dns.ts";
import { deriveHaproxy } from "./derive-haproxy.ts";
import { deriveL4lb } from "./derive-l4lb.ts";
import { deriveOverlay } from "./derive-overlay.ts";
import { KeyedObjects, type KeyedObjectsOptions } from "./object-store.ts";

/**
 * @example deriveObjects(snapshot).hash() // "5d1c..." (the DesiredState's hash)
 */
export function deriveObjects(snapshot: ClusterSnapshot, options: KeyedObjectsOptions = {}): KeyedObjects {
  const objects = new KeyedObjects(options);
  const diagnostics = new DiagnosticObjects();
  const vipServices = deriveL4lb(snapshot, objects, diagnostics);
  deriveDns(snapshot, objects, diagnostics, vipServices);
  deriveOverlay(snapshot, objects, diagnostics);
  deriveHaproxy(snapshot, objects, diagnostics);
  diagnostics.writeTo(objects);
  // A fresh derivation is a starting point, not a change.
  objects.takeChanges();
  return objects;
}
