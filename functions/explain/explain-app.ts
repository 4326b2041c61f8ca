/**
 * @module
 * `explain app ID`: a Marathon app's HAProxy services per LB group (or why it has none), the
 * labels that steer wayfinder, the network policy's decisions about it (and which of its tasks
 * are quarantined, and why), and a one-line account of each of its tasks. An app of 10,000
 * instances is not listed whole: the first `limit` tasks by id are, with the total beside them.
 */
import { compareStrings } from "../../lib/net/compare.ts";
import { closestMatches } from "./closest.ts";
import type { ExplainContext } from "./context.ts";
import { subjectPolicy } from "./explain-policy.ts";
import { taskSummary } from "./explain-task.ts";
import { reasonsFor } from "./reasons.ts";
import type { AppExplanation, ExplainOptions, NotFound, Reason } from "./schema.ts";

/** Tasks listed when the caller sets no limit. */
export const DEFAULT_TASK_LIMIT = 50;

/** Label keys that steer wayfinder: Marathon-LB's, the VIP ones and the policy's. */
const STEERING_LABEL = /^(HAPROXY_|VIP|WAYFINDER_POLICY_)/i;

/**
 * @example explainApp(context, "/web").haproxy.services[0] // { group: "external", backend: "web_10000", ... }
 */
export function explainApp(context: ExplainContext, query: string, options: ExplainOptions = {}): AppExplanation | NotFound {
  const trimmed = query.trim();
  const id = trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
  const app = context.apps.get(id);
  if (app === undefined) {
    return {
      kind: "not-found",
      subject: "app",
      query,
      message: `no Marathon app '${id}' in the snapshot`,
      closest: closestMatches(id, context.apps.keys()),
    };
  }
  const limit = options.limit ?? DEFAULT_TASK_LIMIT;
  const taskIds = [...new Set((app.tasks ?? []).map((t) => t.id))].sort(compareStrings);
  const labels = Object.fromEntries(Object.entries(app.labels ?? {}).filter(([key]) => STEERING_LABEL.test(key)).sort(([a], [b]) => compareStrings(a, b)));
  const services = context.ledger
    .haproxyServices()
    .filter(({ service }) => service.appId === id)
    .map(({ group, service }) => ({
      group,
      backend: service.backend,
      servicePort: service.servicePort,
      mode: service.mode,
      vhosts: service.vhosts,
      servers: service.servers.length,
      size: service.size,
    }));
  return {
    kind: "app",
    app: { id, ...(app.instances === undefined ? {} : { instances: app.instances }), labels, tasks: taskIds.length },
    haproxy: { services, reasons: reasonsFor(context, `app:${id}`, "haproxy") },
    policy: subjectPolicy(context, id, quarantinedTasks(context, taskIds), options.ports),
    tasks: taskIds.slice(0, Math.max(0, limit)).map((taskId) => taskSummary(context, taskId)),
    diagnostics: [...context.diagnosticsOf(`app:${id}`)],
  };
}

/** Each distinct quarantine among the app's tasks, with how many of them it keeps out. */
function quarantinedTasks(context: ExplainContext, taskIds: readonly string[]): Reason[] {
  const counts = new Map<string, number>();
  for (const id of taskIds) {
    for (const reason of reasonsFor(context, `task:${id}`, "admission")) counts.set(reason.message, (counts.get(reason.message) ?? 0) + 1);
  }
  return [...counts].map(([message, n]) => ({ message: `${n} of its ${taskIds.length} tasks ${message}` }));
}
