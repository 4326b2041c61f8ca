/**
 * @module
 * `explain`: where each answer of a DesiredState comes from, and why something is missing, for
 * one subject at a time (a DNS name, a VIP, a task, a Marathon app). One file per subject;
 * this one dispatches. Everything here is pure: the context holds the snapshot, its desired
 * state and the provenance the reconcilers reported.
 */
import type { ExplainContext } from "./context.ts";
import { explainApp } from "./explain-app.ts";
import { explainName } from "./explain-name.ts";
import { explainTask } from "./explain-task.ts";
import { explainVip, explainedVip, vipText } from "./explain-vip.ts";
import type { ExplainOptions, ExplainSubject, Explanation } from "./schema.ts";

export { ExplainContext } from "./context.ts";
export { explainApp, explainName, explainTask, explainVip, explainedVip, vipText };

/**
 * @example explain(context, "task", "web.1").kind // "task" (or "not-found")
 */
export function explain(context: ExplainContext, subject: ExplainSubject, query: string, options: ExplainOptions = {}): Explanation {
  switch (subject) {
    case "name":
      return explainName(context, query);
    case "vip":
      return explainVip(context, query);
    case "task":
      return explainTask(context, query, options);
    case "app":
      return explainApp(context, query, options);
  }
}
