/**
 * @module
 * The schemas of what the file and Durable Object stores write, checked again when they read it
 * back: storage written by another version, or damaged, is reported instead of served.
 */
import { z } from "zod";
import { ClusterSnapshot } from "../snapshot/schema.ts";
import { SnapshotChange } from "../snapshot/snapshot-change.ts";

/** The cluster-level fields of a snapshot (everything but its four lists). */
export const ClusterFieldsSchema = ClusterSnapshot.omit({ tasks: true, marathonApps: true, agents: true, frameworks: true });

/** One generation as written (see `StoredChange` in snapshot-store.ts). */
export const StoredChangeSchema = z.object({
  generation: z.number().int().positive(),
  storedAt: z.string(),
  fields: ClusterFieldsSchema.optional(),
  change: SnapshotChange,
  allocations: z.object({ upserts: z.array(z.tuple([z.string(), z.string()])), deletes: z.array(z.string()) }),
});
