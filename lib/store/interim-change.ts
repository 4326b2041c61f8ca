/**
 * @module
 * INTERIM, until the pure core's `SnapshotChange` (lib/snapshot, branch i14-core) is merged:
 * the schema of one change to a ClusterSnapshot (docs/delta-path.md §4), objects in the
 * snapshot's own shapes, upserted or deleted by id. This file is deleted at that merge and its
 * importers take the core's schema instead.
 */
import { z } from "zod";
import { MarathonApp } from "../snapshot/marathon.ts";
import { Agent, Framework, Task } from "../snapshot/schema.ts";

const Ids = z.array(z.string().min(1)).default([]);

/** A change to a snapshot: objects upserted whole, ids deleted. Unknown keys are errors. */
export const SnapshotChange = z.strictObject({
  /** When the change was read (ISO 8601); the snapshot's `now` from then on. */
  now: z.iso.datetime({ offset: true }).optional(),
  upsert: z
    .strictObject({
      tasks: z.array(Task).default([]),
      apps: z.array(MarathonApp).default([]),
      agents: z.array(Agent).default([]),
      frameworks: z.array(Framework).default([]),
    })
    .default({ tasks: [], apps: [], agents: [], frameworks: [] }),
  delete: z.strictObject({ tasks: Ids, apps: Ids, agents: Ids, frameworks: Ids }).default({ tasks: [], apps: [], agents: [], frameworks: [] }),
});
export type SnapshotChange = z.infer<typeof SnapshotChange>;
