/**
 * @module
 * VIP labels a Marathon app declares that make no VIP. Marathon copies the labels of an app's
 * `portDefinitions` and `portMappings` to the discovery ports of the app's Mesos tasks, and that
 * is where dcos-net read VIPs, and where `l4lbServices` reads them (specs/overlay_l4lb.md §4.2):
 * Marathon's own document is never a VIP source. So a declared label that no Mesos task of the
 * app carries (a Marathon-only snapshot, tasks without discovery info) is left out; this says
 * so instead of leaving it out in silence.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { Task } from "../../lib/snapshot/schema.ts";
import { isVipLabelKey } from "../task-facts/vip-label.ts";

/** The diagnostic code: a declared VIP label that no Mesos task of the app carries. */
export const MARATHON_VIP_UNUSED = "l4lb.marathon-vip-unused";

interface DeclaredVip {
  /** Where Marathon's app has it: `portDefinitions[0]`, `container.portMappings[1]`, ... */
  where: string;
  key: string;
  value: string;
}

/**
 * One warning per app whose declared VIP labels no Mesos task of the app carries. An app's
 * Mesos tasks are found by Marathon's task ids (`/v2/apps?embed=apps.tasks`), which are the
 * Mesos task ids; an app without known tasks has nothing to serve, so nothing is said.
 * @example
 * unusedMarathonVips([{ id: "/web", portDefinitions: [{ port: 10000, labels: { VIP_0: "/web:80" } }], tasks: [{ id: "web.1" }] }], [])
 * // [{ level: "warning", code: "l4lb.marathon-vip-unused", subject: "app:/web", message: "portDefinitions[0] VIP_0=\"/web:80\" makes no VIP: ..." }]
 */
export function unusedMarathonVips(apps: readonly MarathonApp[], tasks: readonly Task[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  let byId: Map<string, Task> | undefined;
  for (const app of apps) {
    const declared = declaredVips(app);
    const appTasks = app.tasks ?? [];
    if (declared.length === 0 || appTasks.length === 0) continue;
    // Built only when some app declares a VIP: most clusters pay nothing here.
    byId ??= new Map(tasks.map((t) => [t.id, t]));
    const found = appTasks.flatMap((t) => byId!.get(t.id) ?? []);
    if (found.length === 0) {
      diagnostics.push(
        warning(
          app.id,
          `${describe(declared)} makes no VIP: VIPs are read from the app's Mesos tasks, as dcos-net read them, and none of its ${appTasks.length} task(s) is in the snapshot (a Marathon-only snapshot? take it with --mesos-state or --operator-state too)`,
        ),
      );
      continue;
    }
    const carried = new Set(found.flatMap((t) => (t.discovery?.ports ?? []).flatMap((p) => p.labels.filter((l) => isVipLabelKey(l.key)).map((l) => l.value))));
    const missing = declared.filter((d) => !carried.has(d.value));
    if (missing.length > 0) {
      diagnostics.push(
        warning(
          app.id,
          `${describe(missing)} makes no VIP: none of the app's ${found.length} Mesos task(s) carries it on a discovery port, where Marathon copies port labels and VIPs are read from`,
        ),
      );
    }
  }
  return diagnostics;
}

function declaredVips(app: MarathonApp): DeclaredVip[] {
  const sources: Array<[string, ReadonlyArray<{ labels?: Record<string, string> | undefined }> | undefined]> = [
    ["portDefinitions", app.portDefinitions],
    ["container.portMappings", app.container?.portMappings],
    ["container.docker.portMappings", app.container?.docker?.portMappings],
  ];
  return sources.flatMap(([field, ports]) =>
    (ports ?? []).flatMap((port, i) =>
      Object.entries(port.labels ?? {})
        .filter(([key]) => isVipLabelKey(key))
        .map(([key, value]) => ({ where: `${field}[${i}]`, key, value })),
    ),
  );
}

function describe(vips: readonly DeclaredVip[]): string {
  return vips.map((v) => `${v.where} ${v.key}=${JSON.stringify(v.value)}`).join(", ");
}

function warning(appId: string, message: string): Diagnostic {
  return { level: "warning", code: MARATHON_VIP_UNUSED, subject: `app:${appId}`, message };
}
