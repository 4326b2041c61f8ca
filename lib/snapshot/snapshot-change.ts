/**
 * @module
 * A change to a stored snapshot (docs/delta-path.md §4): tasks, Marathon apps, agents and
 * frameworks upserted (in the snapshot's own shapes) or deleted by id, and the time of the
 * change. What the schema alone can tell is checked here (an id upserted twice, or both
 * upserted and deleted); whether a deleted id exists is for whoever holds the snapshot
 * (`unknownIds`). Applying a change is pure: the same snapshot and change give the same snapshot.
 */
import { z } from "zod";
import { MarathonApp } from "./marathon.ts";
import { Agent, Framework, Task, type ClusterSnapshot, type PreviousAllocations } from "./schema.ts";

const Ids = z.array(z.string().min(1)).default([]);

/** The lists a change touches, named as in the PATCH body; `apps` are the snapshot's `marathonApps`. */
export const CHANGE_LISTS = ["tasks", "apps", "agents", "frameworks"] as const;
export type ChangeList = (typeof CHANGE_LISTS)[number];

export const SnapshotChange = z
  .object({
    /** The generation the change was made against (the store answers 409 when it is not the stored one). */
    baseGeneration: z.number().int().min(0).optional(),
    /** When the change happened (ISO 8601): SOA serials and VIP grace periods read it. The store stamps it when absent. */
    now: z.iso.datetime({ offset: true }).optional(),
    upsert: z
      .object({ tasks: z.array(Task).default([]), apps: z.array(MarathonApp).default([]), agents: z.array(Agent).default([]), frameworks: z.array(Framework).default([]) })
      .strict()
      .default({ tasks: [], apps: [], agents: [], frameworks: [] }),
    delete: z.object({ tasks: Ids, apps: Ids, agents: Ids, frameworks: Ids }).strict().default({ tasks: [], apps: [], agents: [], frameworks: [] }),
  })
  .strict()
  .superRefine((change, ctx) => {
    for (const list of CHANGE_LISTS) {
      const upserted = new Map<string, number>();
      change.upsert[list].forEach(({ id }, i) => {
        if (upserted.has(id)) ctx.addIssue({ code: "custom", path: ["upsert", list, i, "id"], message: `'${id}' is upserted twice (also at upsert.${list}[${upserted.get(id)}])` });
        else upserted.set(id, i);
      });
      const deleted = new Set<string>();
      change.delete[list].forEach((id, i) => {
        if (deleted.has(id)) ctx.addIssue({ code: "custom", path: ["delete", list, i], message: `'${id}' is deleted twice` });
        deleted.add(id);
        if (upserted.has(id)) ctx.addIssue({ code: "custom", path: ["delete", list, i], message: `'${id}' is both upserted (upsert.${list}[${upserted.get(id)}]) and deleted` });
      });
    }
  });
/** A change as a client writes it (lists optional). */
export type SnapshotChangeInput = z.input<typeof SnapshotChange>;
/** A validated change. */
export type SnapshotChange = z.infer<typeof SnapshotChange>;

/**
 * The snapshot's list a change list applies to.
 * @example snapshotList(snapshot, "apps") === snapshot.marathonApps // true
 */
export function snapshotList(snapshot: ClusterSnapshot, list: ChangeList): ReadonlyArray<{ id: string }> {
  return list === "apps" ? snapshot.marathonApps : snapshot[list];
}

/**
 * The deleted ids the snapshot does not hold, as issue paths (`delete.tasks[2]`).
 * @example unknownIds(snapshot, change) // [{ path: ["delete", "tasks", 0], id: "gone.1" }]
 */
export function unknownIds(snapshot: ClusterSnapshot, change: SnapshotChange): Array<{ path: [string, ChangeList, number]; id: string }> {
  const unknown: Array<{ path: [string, ChangeList, number]; id: string }> = [];
  for (const list of CHANGE_LISTS) {
    const held = new Set(snapshotList(snapshot, list).map((item) => item.id));
    change.delete[list].forEach((id, i) => {
      if (!held.has(id)) unknown.push({ path: ["delete", list, i], id });
    });
  }
  return unknown;
}

/**
 * The snapshot after the change: an upserted id replaces the entry with that id where it is,
 * a new id is appended, a deleted id is removed (an unknown one is ignored); `now` is the
 * change's when it has one. `previous` is the allocations the snapshot's derivation made (the
 * next derivation keeps them, docs/delta-path.md §5); without it the snapshot keeps its own.
 * @example applySnapshotChange(snapshot, SnapshotChange.parse({ delete: { tasks: ["web.1"] } })).tasks.some((t) => t.id === "web.1") // false
 */
export function applySnapshotChange(snapshot: ClusterSnapshot, change: SnapshotChange, previous?: PreviousAllocations): ClusterSnapshot {
  return {
    ...snapshot,
    now: change.now ?? snapshot.now,
    tasks: applyList(snapshot.tasks, change.upsert.tasks, change.delete.tasks),
    marathonApps: applyList(snapshot.marathonApps, change.upsert.apps, change.delete.apps),
    agents: applyList(snapshot.agents, change.upsert.agents, change.delete.agents),
    frameworks: applyList(snapshot.frameworks, change.upsert.frameworks, change.delete.frameworks),
    ...(previous === undefined ? {} : { previous }),
  };
}

function applyList<T extends { id: string }>(list: readonly T[], upserts: readonly T[], deletes: readonly string[]): T[] {
  if (upserts.length === 0 && deletes.length === 0) return [...list];
  const deleted = new Set(deletes);
  const replaced = new Map(upserts.map((item) => [item.id, item]));
  const out: T[] = [];
  for (const item of list) {
    if (deleted.has(item.id)) continue;
    const next = replaced.get(item.id);
    out.push(next ?? item);
    if (next !== undefined) replaced.delete(item.id);
  }
  for (const item of replaced.values()) out.push(item);
  return out;
}
