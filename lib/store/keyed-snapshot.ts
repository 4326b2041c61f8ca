/**
 * @module
 * A ClusterSnapshot held by key: tasks, Marathon apps, agents and frameworks each in a map by
 * id, beside the cluster-level fields (name, `now`, masters, config, previous allocations). A
 * change touches only the objects it names, so storing one costs what it changes, and the
 * whole snapshot is assembled only where a whole one is asked for (a full reconcile, `GET
 * .../snapshot`). The parsed objects are shared with whoever assembles a snapshot from them,
 * never copied.
 */
import { canonicalJson } from "../net/canonical-json.ts";
import { compareStrings } from "../net/compare.ts";
import type { InputIssue } from "../snapshot/issues.ts";
import type { MarathonApp } from "../snapshot/marathon.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../snapshot/schema.ts";
import { CHANGE_LISTS, type ChangeList, type SnapshotChange } from "../snapshot/snapshot-change.ts";

/** The object of each kind, in the snapshot's own shape. */
export interface ObjectOfKind {
  tasks: Task;
  apps: MarathonApp;
  agents: Agent;
  frameworks: Framework;
}

/** Where each kind lives in a ClusterSnapshot (`apps` are its `marathonApps`). */
const SNAPSHOT_FIELD = { tasks: "tasks", apps: "marathonApps", agents: "agents", frameworks: "frameworks" } as const;

/** Everything of a snapshot but its four lists of objects. */
export type ClusterFields = Omit<ClusterSnapshot, (typeof SNAPSHOT_FIELD)[ChangeList]>;

type ObjectMaps = { [K in ChangeList]: Map<string, ObjectOfKind[K]> };

/**
 * @example
 * const keyed = KeyedSnapshot.from(snapshot);
 * keyed.apply({ upsert: { tasks: [task], apps: [], agents: [], frameworks: [] }, delete: { tasks: [], apps: [], agents: [], frameworks: [] } });
 * keyed.toSnapshot().tasks // sorted by id
 */
export class KeyedSnapshot {
  fields: ClusterFields;
  readonly objects: ObjectMaps;

  private constructor(fields: ClusterFields, objects: ObjectMaps) {
    this.fields = fields;
    this.objects = objects;
  }

  /** Keys a validated snapshot; a later duplicate id replaces an earlier one (see `duplicateIdIssues`). */
  static from(snapshot: ClusterSnapshot): KeyedSnapshot {
    const { tasks, marathonApps, agents, frameworks, ...fields } = snapshot;
    return new KeyedSnapshot(fields, {
      tasks: byId(tasks),
      apps: byId(marathonApps),
      agents: byId(agents),
      frameworks: byId(frameworks),
    });
  }

  /** The whole snapshot, each list sorted by id (so the same objects always give the same document). */
  toSnapshot(): ClusterSnapshot {
    const list = <K extends ChangeList>(kind: K): ObjectOfKind[K][] =>
      [...this.objects[kind].entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, value]) => value);
    return { ...this.fields, tasks: list("tasks"), marathonApps: list("apps"), agents: list("agents"), frameworks: list("frameworks") };
  }

  /** How many objects of each kind it holds. */
  counts(): Record<ChangeList, number> {
    return { tasks: this.objects.tasks.size, apps: this.objects.apps.size, agents: this.objects.agents.size, frameworks: this.objects.frameworks.size };
  }

  /**
   * The ids `change` deletes that are not stored, as issues with the paths of the PATCH body
   * (the change's schema refuses the rest: an id upserted twice, or upserted and deleted).
   * Costs what the change names.
   */
  unknownIdIssues(change: SnapshotChange): InputIssue[] {
    const issues: InputIssue[] = [];
    for (const kind of CHANGE_LISTS) {
      change.delete[kind].forEach((id, i) => {
        if (!this.objects[kind].has(id)) issues.push({ path: `delete.${kind}[${i}]`, message: `no ${singular(kind)} '${id}' is stored, so it cannot be deleted` });
      });
    }
    return issues;
  }

  /** Applies a valid change whose deleted ids are stored (`unknownIdIssues`). */
  apply(change: SnapshotChange): void {
    for (const kind of CHANGE_LISTS) {
      const map = this.objects[kind] as Map<string, ObjectOfKind[ChangeList]>;
      for (const object of change.upsert[kind]) map.set(object.id, object);
      for (const id of change.delete[kind]) map.delete(id);
    }
    if (change.now !== undefined) this.fields = { ...this.fields, now: change.now };
  }

  /**
   * The change that turns this snapshot's objects into `next`'s (objects compared by their
   * canonical JSON), and whether the cluster-level fields differ too (`now` aside: it moves
   * with every read).
   */
  diff(next: ClusterSnapshot): { change: SnapshotChange; fieldsChanged: boolean } {
    const other = KeyedSnapshot.from(next);
    const change: SnapshotChange = { upsert: { tasks: [], apps: [], agents: [], frameworks: [] }, delete: { tasks: [], apps: [], agents: [], frameworks: [] } };
    for (const kind of CHANGE_LISTS) {
      diffKind<{ id: string }>(this.objects[kind], other.objects[kind], change.upsert[kind] as { id: string }[], change.delete[kind]);
    }
    const fieldsChanged = canonicalJson({ ...this.fields, now: "" }) !== canonicalJson({ ...other.fields, now: "" });
    return { change, fieldsChanged };
  }
}

/**
 * Issues for an id listed twice with different contents, which a store by id cannot hold. The
 * same object listed twice (Mesos' state can repeat a task) is one object.
 * @example duplicateIdIssues(snapshot) // [{ path: "tasks[4].id", message: "'web.1' is at tasks[0] too, with other contents" }]
 */
export function duplicateIdIssues(snapshot: ClusterSnapshot): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const kind of CHANGE_LISTS) {
    const field = SNAPSHOT_FIELD[kind];
    const seen = new Map<string, number>();
    snapshot[field].forEach((object, i) => {
      const first = seen.get(object.id);
      if (first === undefined) seen.set(object.id, i);
      else if (canonicalJson(snapshot[field][first]) !== canonicalJson(object)) issues.push({ path: `${field}[${i}].id`, message: `'${object.id}' is at ${field}[${first}] too, with other contents` });
    });
  }
  return issues;
}

/**
 * True when a change upserts and deletes nothing (a PATCH that only moves `now`, say).
 * @example isEmptyChange(keyed.diff(keyed.toSnapshot()).change) // true
 */
export function isEmptyChange(change: SnapshotChange): boolean {
  return CHANGE_LISTS.every((kind) => change.upsert[kind].length === 0 && change.delete[kind].length === 0);
}

function diffKind<T>(before: Map<string, T>, after: Map<string, T>, upserts: T[], deletes: string[]): void {
  for (const [id, object] of after) {
    const old = before.get(id);
    if (old === undefined || (old !== object && canonicalJson(old) !== canonicalJson(object))) upserts.push(object);
  }
  for (const id of before.keys()) if (!after.has(id)) deletes.push(id);
}

function byId<T extends { id: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((object) => [object.id, object]));
}

function singular(kind: ChangeList): string {
  return kind === "apps" ? "app" : kind.slice(0, -1);
}
