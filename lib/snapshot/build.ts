/**
 * @module
 * Composes what the adapters produced into one validated ClusterSnapshot: the cluster's name,
 * the time it was taken, the Mesos part (from `/master/state` or the operator API), Marathon's
 * apps, the config and the previous allocations. Pure: every input, `now` included, is given.
 */
import { InputError, inputIssues } from "./issues.ts";
import { ClusterSnapshot, type ClusterSnapshotInput, type PreviousAllocations } from "./schema.ts";
import type { Config } from "./config.ts";
import type { MarathonApp } from "./marathon.ts";
import { withAppIds } from "./task-apps.ts";

/** The Mesos part, as either Mesos adapter returns it. */
export type MesosSource = Pick<ClusterSnapshotInput, "leader" | "masters" | "agents" | "frameworks" | "tasks">;

export interface SnapshotSources {
  clusterName: string;
  /** When the snapshot is taken, ISO 8601 with an offset (`2026-01-01T00:00:00Z`). */
  now: string;
  /** No Mesos source gives a snapshot without agents, frameworks or tasks. */
  mesos?: MesosSource;
  marathonApps?: readonly MarathonApp[];
  /** Default: the DC/OS defaults. */
  config?: Config;
  previous?: PreviousAllocations;
}

/**
 * Builds and validates the snapshot; a value that fails the schema throws an `InputError`
 * (source `snapshot`) with the issue paths. Each task gets the Marathon app it belongs to
 * (`task-apps.ts`), which Mesos itself does not record.
 * @example
 * buildSnapshot({ clusterName: "prod", now: "2026-01-01T00:00:00Z", mesos: fromOperatorState(events, opts) }).tasks.length // 12
 */
export function buildSnapshot(sources: SnapshotSources): ClusterSnapshot {
  const input: ClusterSnapshotInput = {
    apiVersion: "wayfinder/v1",
    cluster: { name: sources.clusterName },
    now: sources.now,
    ...sources.mesos,
    marathonApps: [...(sources.marathonApps ?? [])],
    config: sources.config,
    previous: sources.previous ?? {},
  };
  const result = ClusterSnapshot.safeParse(input);
  if (!result.success) throw new InputError("snapshot", inputIssues(result.error));
  const snapshot = result.data;
  return { ...snapshot, tasks: withAppIds(snapshot.tasks, snapshot.frameworks, snapshot.marathonApps) };
}
