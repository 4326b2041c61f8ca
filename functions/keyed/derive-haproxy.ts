/**
 * @module
 * The HAProxy part of a whole derivation: each LB group's settings, each service's sections,
 * each server slot (`haproxy-pieces.ts`), each backend's slot allocation (control), and the
 * groups each agent runs (`node/<agent>/haproxy`).
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { haproxyModels } from "../haproxy/index.ts";
import { Part, type DiagnosticObjects } from "./diagnostic-objects.ts";
import { haproxyPieces, placementPieces } from "./haproxy-pieces.ts";
import type { KeyedObjects } from "./object-store.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/**
 * Writes the HAProxy objects; returns their keys and diagnostics (the incremental form starts from them).
 * @example deriveHaproxy(snapshot, objects, diagnostics).keys.has("haproxy/group/external") // true
 */
export function deriveHaproxy(snapshot: ClusterSnapshot, objects: KeyedObjects, diagnostics: DiagnosticObjects, provenance?: Provenance): HaproxyDerivation {
  const models = haproxyModels(snapshot, provenance);
  const pieces = haproxyPieces(models);
  for (const [key, value] of pieces.objects) objects.set(key, value);
  diagnostics.add(Part.haproxy, pieces.diagnostics);
  const placement = placementPieces(snapshot.agents, snapshot.config.haproxy, models.groups);
  for (const [key, value] of placement.objects) objects.set(key, value);
  diagnostics.add(Part.haproxyPlacement, placement.diagnostics);
  return {
    keys: new Set([...pieces.objects.keys(), ...placement.objects.keys()]),
    subjects: new Set(pieces.diagnostics.map((d) => d.subject)),
    placementSubjects: new Set(placement.diagnostics.map((d) => d.subject)),
  };
}

/** What the HAProxy part wrote: its keys, and the subjects of its diagnostics (groups', placement's). */
export interface HaproxyDerivation {
  keys: Set<string>;
  subjects: Set<string>;
  placementSubjects: Set<string>;
}
