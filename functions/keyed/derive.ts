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
import type { Provenance } from "../../lib/desired/provenance.ts";
import { reportVipProvenance } from "../l4lb/vip-provenance.ts";

export interface DeriveOptions extends KeyedObjectsOptions {
  /** Told where each piece came from while it is derived (`explain`); the objects are the same without. */
  provenance?: Provenance;
}

/**
 * @example deriveObjects(snapshot).hash() // "5d1c..." (the DesiredState's hash)
 */
export function deriveObjects(snapshot: ClusterSnapshot, options: DeriveOptions = {}): KeyedObjects {
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
export function derive(input: ClusterSnapshot, options: DeriveOptions = {}): Derivation {
  const { provenance, ...objectOptions } = options;
  const objects = new KeyedObjects(objectOptions);
  const diagnostics = new DiagnosticObjects();
  // Every artifact reads the admitted snapshot: a quarantined task gets no name, backend or server.
  const admission = admitTasks(input);
  diagnostics.add(Part.admission, admission.diagnostics);
  const snapshot = admission.snapshot;
  const l4lb = deriveL4lb(snapshot, objects, diagnostics);
  if (provenance !== undefined) {
    for (const q of admission.quarantined) provenance.skipped(`task:${q.taskId}`, "admission", `quarantined: network ${q.network} refused by ACL entry policy.networks.${q.network}.attach[${q.entry}]`);
    reportVipProvenance(snapshot, l4lb, provenance);
  }
  const dns = deriveDns(snapshot, objects, diagnostics, l4lb.servicesByName, provenance);
  const overlay = deriveOverlay(snapshot, objects, diagnostics, provenance);
  const haproxy = deriveHaproxy(snapshot, objects, diagnostics, provenance);
  const quarantined = new Set(admission.quarantined.map((q) => q.taskId));
  const policy = policyModelOf({ snapshot, quarantined: input.tasks.filter((t) => quarantined.has(t.id)), overlayNodes: Object.fromEntries(overlay.entries) });
  policy?.flush(policySink(objects));
  diagnostics.writeTo(objects);
  // A fresh derivation is a starting point, not a change.
  objects.takeChanges();
  return { objects, l4lb, dns, overlay, haproxy, ...(policy === undefined ? {} : { policy }) };
}
