/**
 * @module
 * A whole snapshot → its keyed desired state (docs/delta-path.md §1): every artifact's objects,
 * in the order their data flows (admission first, every artifact reading the tasks it admits;
 * named VIPs before DNS, because their names land in `l4lb.thisdcos.directory`; the overlay's
 * node entries before the policy that reads them). `reconcile` assembles its DesiredState from these objects;
 * the incremental reconciler starts from them.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { admitTasks } from "../admission/index.ts";
import { policyModelOf, type PolicyModel } from "../policy/index.ts";
import { DiagnosticObjects, Part } from "./diagnostic-objects.ts";
import { policySink } from "./policy-pieces.ts";
import type { OverlayParts } from "../overlay/index.ts";
import { deriveDns, type DnsDerivation } from "./derive-dns.ts";
import { deriveHaproxy, type HaproxyDerivation } from "./derive-haproxy.ts";
import { deriveL4lb, type L4lbDerivation } from "./derive-l4lb.ts";
import { deriveOverlay } from "./derive-overlay.ts";
import { KeyedObjects, type KeyedObjectsOptions } from "./object-store.ts";

/**
 * @example deriveObjects(snapshot).hash() // "5d1c..." (the DesiredState's hash)
 */
export function deriveObjects(snapshot: ClusterSnapshot, options: KeyedObjectsOptions = {}): KeyedObjects {
  return derive(snapshot, options).objects;
}

/** A whole derivation: the objects, and what its parts worked out on the way (the incremental form starts from them). */
export interface Derivation {
  objects: KeyedObjects;
  l4lb: L4lbDerivation;
  dns: DnsDerivation;
  overlay: OverlayParts;
  haproxy: HaproxyDerivation;
  /** Absent without a policy config. */
  policy?: PolicyModel;
}

/**
 * @example derive(snapshot).l4lb.allocation.addresses[4].get("app.marathon") // "11.171.172.79"
 */
export function derive(input: ClusterSnapshot, options: KeyedObjectsOptions = {}): Derivation {
  const objects = new KeyedObjects(options);
  const diagnostics = new DiagnosticObjects();
  // Every artifact reads the admitted snapshot: a quarantined task gets no name, backend or server.
  const admission = admitTasks(input);
  diagnostics.add(Part.admission, admission.diagnostics);
  const snapshot = admission.snapshot;
  const l4lb = deriveL4lb(snapshot, objects, diagnostics);
  const dns = deriveDns(snapshot, objects, diagnostics, l4lb.servicesByName);
  const overlay = deriveOverlay(snapshot, objects, diagnostics);
  const haproxy = deriveHaproxy(snapshot, objects, diagnostics);
  const quarantined = new Set(admission.quarantined.map((q) => q.taskId));
  const policy = policyModelOf({ snapshot, quarantined: input.tasks.filter((t) => quarantined.has(t.id)), overlayNodes: Object.fromEntries(overlay.entries) });
  policy?.flush(policySink(objects));
  diagnostics.writeTo(objects);
  // A fresh derivation is a starting point, not a change.
  objects.takeChanges();
  return { objects, l4lb, dns, overlay, haproxy, ...(policy === undefined ? {} : { policy }) };
}
