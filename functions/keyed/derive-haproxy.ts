/**
 * @module
 * The HAProxy part of a whole derivation: each LB group's files (`haproxy/group/<group>`) and
 * each backend's server slots (control). Keyed per group for now, not per section and server
 * slot: the group text is rendered whole.
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { haproxyGroups } from "../haproxy/index.ts";
import { Part, type DiagnosticObjects } from "./diagnostic-objects.ts";
import type { KeyedObjects } from "./object-store.ts";

/**
 * @example deriveHaproxy(snapshot, objects, diagnostics); objects.has("haproxy/group/external") // true
 */
export function deriveHaproxy(snapshot: ClusterSnapshot, objects: KeyedObjects, diagnostics: DiagnosticObjects): void {
  const result = haproxyGroups(snapshot);
  for (const [group, files] of Object.entries(result.groups)) objects.set(ObjectKeys.haproxyGroup(group), files);
  for (const [backend, slots] of Object.entries(result.allocations.backends)) objects.set(ObjectKeys.haproxySlots(backend), slots);
  diagnostics.add(Part.haproxy, result.diagnostics);
}
