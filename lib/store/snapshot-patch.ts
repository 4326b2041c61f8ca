/**
 * @module
 * The body of `PATCH /v1/clusters/:cluster/snapshot` (docs/delta-path.md §4): a snapshot change
 * (`SnapshotChange`, the core's schema: unknown keys, an id upserted twice or both upserted and
 * deleted are refused with their paths) whose `baseGeneration`, optional in a change, is
 * required here: the store answers 409 when it is not the stored generation.
 */
import type { z } from "zod";
import { SnapshotChange } from "../snapshot/snapshot-change.ts";

/** `{ baseGeneration, now?, upsert: {...}, delete: {...} }`. */
export const SnapshotPatch = SnapshotChange.superRefine((change, ctx) => {
  if (change.baseGeneration === undefined) {
    ctx.addIssue({ code: "custom", path: ["baseGeneration"], message: "required: the generation the change was computed against" });
  }
});
export type SnapshotPatch = z.infer<typeof SnapshotPatch>;
export type SnapshotPatchInput = z.input<typeof SnapshotPatch>;
