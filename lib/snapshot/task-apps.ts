/**
 * @module
 * Which Marathon app each task is an instance of: Marathon's `/v2/apps?embed=apps.tasks` says
 * so directly; without it (or for a task Marathon has not listed yet) the id Marathon gave the
 * task does, because Marathon builds task ids from the app id (`shop_web.<uuid>`,
 * `shop_web.instance-<uuid>._app.1`, `pod.instance-<uuid>.container`) and app ids cannot
 * contain `_` (Marathon's PathId rule), so the path comes back unambiguously. Pure.
 */
import type { MarathonApp } from "./marathon.ts";
import type { Framework, Task } from "./schema.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const MARATHON_TASK_ID = new RegExp(`^([a-z0-9][a-z0-9._-]*?)\\.(?:instance-|marathon-)?${UUID}(?:\\.[A-Za-z0-9_.-]+)?$`);

/**
 * The app id inside a Marathon task id, or undefined when the id is not Marathon's.
 * @example marathonAppIdOf("shop_web.instance-e9d06dcd-2930-11e8-96bf-70b3d5800001._app.1") // "/shop/web"
 * @example marathonAppIdOf("hello-0-server__7830c08b-f769-45d8-8be2-0004ff825dea") // undefined
 */
export function marathonAppIdOf(taskId: string): string | undefined {
  const match = MARATHON_TASK_ID.exec(taskId);
  return match === null ? undefined : `/${match[1]!.replaceAll("_", "/")}`;
}

/** Marathon registers as `marathon`, and DC/OS's Marathon-on-Marathon instances as `marathon-<name>`. */
function isMarathon(framework: Framework | undefined): boolean {
  return framework !== undefined && (framework.name === "marathon" || framework.name.startsWith("marathon-"));
}

/**
 * The tasks with `appId` set where it was missing: from the app that lists the task, else from
 * the task id of a Marathon framework's task. A task that already names its app keeps it.
 * @example withAppIds(tasks, frameworks, apps).find((t) => t.id === "nginx.3a58a46a-c937-11e5-9836-026ee08d9f6f")?.appId // "/nginx"
 */
export function withAppIds(tasks: readonly Task[], frameworks: readonly Framework[], apps: readonly MarathonApp[]): Task[] {
  const listed = new Map<string, string>();
  for (const app of apps) for (const task of app.tasks ?? []) listed.set(task.id, app.id);
  const byId = new Map(frameworks.map((f) => [f.id, f]));
  return tasks.map((task) => {
    if (task.appId !== undefined) return task;
    const appId = listed.get(task.id) ?? (isMarathon(byId.get(task.frameworkId)) ? marathonAppIdOf(task.id) : undefined);
    return appId === undefined ? task : { ...task, appId };
  });
}
