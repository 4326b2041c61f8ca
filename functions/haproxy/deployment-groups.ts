/**
 * @module
 * Blue/green deployment groups (`HAPROXY_DEPLOYMENT_GROUP`, `specs/l7.md` §2.1, zdd.py): the
 * apps of one group are merged into one app named after the group, the old colour's tasks
 * first, and as many old tasks as the new colour has healthy instances are marked draining
 * (rendered `disabled`). marathon-lb mutated the Marathon documents; here the inputs stay
 * untouched and each task carries its own draining flag. Pure.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { MarathonApp, MarathonTask } from "../../lib/snapshot/marathon.ts";
import { parseInteger } from "./label-values.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** A task with marathon-lb's `draining` mark. */
export interface GroupedTask {
  readonly task: MarathonTask;
  readonly draining: boolean;
}

/** An app after merging: its id (the group's for merged apps), definition and tasks. */
export interface SourceApp {
  readonly id: string;
  readonly app: MarathonApp;
  readonly tasks: readonly GroupedTask[];
}

const byId = (a: { id: string }, b: { id: string }) => compareStrings(a.id, b.id);

/**
 * Apps in id order, deployment groups merged.
 * @example mergeDeploymentGroups([blue, green]).apps.map((a) => a.id) // ["/nginx"]
 */
export function mergeDeploymentGroups(apps: readonly MarathonApp[]): { apps: SourceApp[]; diagnostics: Diagnostic[] } {
  const plain: SourceApp[] = [];
  const groups = new Map<string, SourceApp>();
  const refused = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const app of [...apps].sort(byId)) {
    const label = app.labels?.HAPROXY_DEPLOYMENT_GROUP;
    const tasks = [...(app.tasks ?? [])].sort(byId).map((task) => ({ task, draining: false }));
    if (label === undefined) {
      plain.push({ id: app.id, app, tasks });
      continue;
    }
    const id = label.startsWith("/") ? label : `/${label}`;
    const current: SourceApp = { id, app, tasks };
    const previous = groups.get(id);
    if (previous === undefined) {
      groups.set(id, current);
      continue;
    }
    const merged = mergePair(previous, current);
    if (typeof merged === "string") {
      refused.add(id);
      diagnostics.push({ level: "error", code: "haproxy.invalid-deployment-group", subject: `app:${app.id}`, message: `deployment group ${id}: ${merged}; the group is left out` });
    } else groups.set(id, merged);
  }
  const mergedApps = [...groups.values()].filter((g) => !refused.has(g.id));
  return { apps: [...plain, ...mergedApps].sort(byId), diagnostics };
}

/** marathon-lb's merge of the stored app (`prev`) with the next one (`cur`). */
function mergePair(prev: SourceApp, cur: SourceApp): SourceApp | string {
  const prevStarted = startedAt(prev.app);
  const curStarted = startedAt(cur.app);
  if (typeof prevStarted === "string") return prevStarted;
  if (typeof curStarted === "string") return curStarted;
  let [old, neu] = prevStarted < curStarted ? [prev, cur] : [cur, prev];

  let target = 1;
  const newLabels = neu.app.labels ?? {};
  if (newLabels.HAPROXY_DEPLOYMENT_NEW_INSTANCES !== undefined) {
    // A hybrid (traffic-split) deployment: the colour scaled last is the new one.
    if (scaledAt(old.app) > scaledAt(neu.app)) [old, neu] = [neu, old];
    const parsed = parseInteger(neu.app.labels?.HAPROXY_DEPLOYMENT_TARGET_INSTANCES ?? "");
    if (parsed.error !== undefined) return `HAPROXY_DEPLOYMENT_TARGET_INSTANCES of ${neu.app.id}: ${parsed.error}`;
    target = parsed.value;
  }

  // Upstream counts health results only if the app being merged now (cur, not necessarily
  // the new colour) has health checks; kept as is so both LBs drain the same tasks.
  const healthyNew =
    (cur.app.healthChecks ?? []).length > 0
      ? neu.tasks.filter(({ task }) => (task.healthCheckResults ?? []).some((r) => r.alive === true)).length
      : (neu.app.instances ?? neu.tasks.length);
  const oldInstances = old.app.instances ?? old.tasks.length;
  const drainable = Math.max(0, healthyNew + oldInstances - target);
  const oldTasks = [...old.tasks].sort((a, b) => byId(a.task, b.task));
  const drainCount = Math.min(oldTasks.length, healthyNew, drainable);
  const tasks = [...oldTasks.map((t, i) => (i < drainCount ? { task: t.task, draining: true } : t)), ...neu.tasks];
  return { id: old.id, app: old.app, tasks };
}

/** `HAPROXY_DEPLOYMENT_STARTED_AT` in ms; missing is the earliest time (Python `datetime.min`). */
function startedAt(app: MarathonApp): number | string {
  const raw = app.labels?.HAPROXY_DEPLOYMENT_STARTED_AT;
  if (raw === undefined) return Number.NEGATIVE_INFINITY;
  const ms = isoInstant(raw);
  return ms ?? `HAPROXY_DEPLOYMENT_STARTED_AT of ${app.id} (${JSON.stringify(raw)}) is not an ISO 8601 time`;
}

function scaledAt(app: MarathonApp): number {
  const raw = app.versionInfo?.lastScalingAt;
  return (raw === undefined ? undefined : isoInstant(raw)) ?? Number.NEGATIVE_INFINITY;
}

/**
 * An ISO 8601 time in ms. A time without an offset is read as UTC, never as the machine's
 * local time: every LB must order the two colours the same way.
 */
function isoInstant(raw: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
  if (match === null) return undefined;
  const zone = match[3] === undefined ? "Z" : match[3] === "Z" ? "Z" : match[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(`${match[1]}T${match[2] ?? "00:00"}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}
