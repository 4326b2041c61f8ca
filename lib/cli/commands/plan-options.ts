/**
 * @module
 * `wayfinder plan`'s flags and their parsing into `PlanOptions` (the wiring is in `plan.ts`).
 */
import { DIAGNOSTICS_SHOWN_PER_CODE, FAIL_ON_FLAG, type FailOnLevel } from "../diagnostics-flags.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

/** How many L4 services and overlay nodes the summary lists: at 20k tasks there are thousands. */
export const ITEMS_SHOWN = 10;

export const PLAN_COMMAND = {
  name: "plan",
  summary: "summarise (or --json print) the desired state of a snapshot",
  synopsis: ["plan [SNAPSHOT] [flags]"],
  arguments: [["SNAPSHOT", "a ClusterSnapshot file (wayfinder snapshot -o); without it, the embedded demo cluster"]],
  flags: {
    json: { type: "boolean", description: "print the DesiredState itself as canonical JSON (every diagnostic included) instead of the summary" },
    node: { type: "string", value: "ID", defaultNote: "the whole cluster", description: "one node's view (an agent id): what that node's agent applies" },
    "fail-on": FAIL_ON_FLAG,
    diagnostics: {
      type: "string",
      value: "MODE",
      choices: ["summary", "all"],
      default: "summary",
      description: `how the summary lists diagnostics: counts per code with the first ${DIAGNOSTICS_SHOWN_PER_CODE} of each, or every one`,
    },
    list: {
      type: "string",
      value: "MODE",
      choices: ["summary", "all"],
      default: "summary",
      description: `how the summary lists L4 services and overlay nodes: the first ${ITEMS_SHOWN} of each and a count of the rest, or every one`,
    },
  },
  notes: ["exit codes: 0 printed; 1 printed, and --fail-on found a diagnostic at its level; 2 usage or unreadable input."],
} as const satisfies CommandSpec;

export interface PlanOptions {
  /** Absent: the embedded demo cluster. */
  snapshot?: string;
  json: boolean;
  node?: string;
  failOn?: FailOnLevel;
  diagnostics: "summary" | "all";
  list: "summary" | "all";
}

/**
 * @example parsePlanOptions(["snap.json", "--fail-on", "error"]) // { snapshot: "snap.json", json: false, failOn: "error", diagnostics: "summary", list: "summary" }
 */
export function parsePlanOptions(args: readonly string[]): PlanOptions {
  const { values, positionals } = parseFlags(PLAN_COMMAND, args);
  if (positionals.length > 1) throw usageError("plan", "at most one SNAPSHOT argument");
  return {
    ...(positionals[0] === undefined ? {} : { snapshot: positionals[0] }),
    json: values.json,
    ...(values.node === undefined ? {} : { node: values.node }),
    ...(values["fail-on"] === undefined ? {} : { failOn: values["fail-on"] as FailOnLevel }),
    diagnostics: values.diagnostics as PlanOptions["diagnostics"],
    list: values.list as PlanOptions["list"],
  };
}
