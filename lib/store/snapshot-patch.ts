/**
 * @module
 * The body of `PATCH /v1/clusters/:cluster/snapshot` (docs/delta-path.md §4): a snapshot change
 * and the generation it was computed against. Unknown keys are errors, at every level the
 * change itself defines; the objects are checked by the ClusterSnapshot's own schemas.
 */
import { z } from "zod";
import { SnapshotChange } from "./interim-change.ts";

/** `{ baseGeneration, now?, upsert: {...}, delete: {...} }`. */
export const SnapshotPatch = SnapshotChange.extend({
  /** The generation the change was computed against: anything else stored is a 409. */
  baseGeneration: z.number().int().nonnegative(),
});
export type SnapshotPatch = z.infer<typeof SnapshotPatch>;
export type SnapshotPatchInput = z.input<typeof SnapshotPatch>;
