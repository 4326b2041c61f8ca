/**
 * @module
 * The overlay part of a whole derivation: the address spaces, every node's allocation
 * (control), every present node's entry (its own scope) and peer (cluster scope), and the
 * diagnostics of each stage.
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { overlayParts, type OverlayParts } from "../overlay/index.ts";
import { overlayPeer } from "../overlay/peer.ts";
import { recordSpaces } from "../overlay/spaces.ts";
import { Part, type DiagnosticObjects } from "./diagnostic-objects.ts";
import type { KeyedObjects } from "./object-store.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/**
 * @example deriveOverlay(snapshot, objects, diagnostics); objects.has("node/S1/overlay") // true
 */
export function deriveOverlay(snapshot: ClusterSnapshot, objects: KeyedObjects, diagnostics: DiagnosticObjects, provenance?: Provenance): OverlayParts {
  const parts = overlayParts(snapshot, provenance);
  objects.set(ObjectKeys.overlaySpaces, recordSpaces(parts.spaces));
  for (const node of parts.allocated.nodes) objects.set(ObjectKeys.overlayAllocation(node.ip), node);
  for (const [key, entry] of parts.entries) {
    objects.set(ObjectKeys.nodeOverlay(key), entry);
    objects.set(ObjectKeys.overlayPeer(key), overlayPeer(entry));
  }
  diagnostics.add(Part.overlayAgent, parts.members.agentDiagnostics);
  diagnostics.add(Part.overlayMasters, parts.members.masterDiagnostics);
  diagnostics.add(Part.overlaySharedIp, parts.members.sharedDiagnostics);
  diagnostics.add(Part.overlayPrevious, [...parts.releaseDiagnostics, ...parts.allocated.invalid]);
  diagnostics.add(Part.overlaySpaces, parts.spaceDiagnostics);
  diagnostics.add(Part.overlayExhausted, parts.allocated.exhausted);
  diagnostics.add(Part.overlayAbsent, parts.allocated.absent);
  for (const list of parts.taskDiagnostics.values()) diagnostics.add(Part.overlayTasks, list);
  return parts;
}
