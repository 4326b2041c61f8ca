/**
 * @module
 * `wayfinder status`'s flags, parsed into `StatusOptions` (the wiring is in `status.ts`).
 */
import { wholeNumber } from "../flag-values.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const STATUS_COMMAND = {
  name: "status",
  summary: "which node runs what: nodes converged, laggards and failing appliers, from the control plane",
  synopsis: ["status --source http://HOST:PORT/v1/clusters/NAME [flags]"],
  flags: {
    source: { type: "string", value: "URL", description: "the control plane's cluster: http://HOST:PORT/v1/clusters/NAME (WAYFINDER_TOKEN is sent as the bearer token)" },
    json: { type: "boolean", description: "print the summary as JSON (the shape of GET /v1/clusters/NAME/nodes)" },
    limit: { type: "string", value: "N", default: "20", description: "the most laggards listed (oldest report first, never-reported last)" },
  },
  notes: ["exit codes: 0 every node runs its current view and no applier fails; 1 otherwise; 2 usage or an unreachable control plane."],
} as const satisfies CommandSpec;

export interface StatusOptions {
  source: string;
  json: boolean;
  limit: number;
}

/**
 * @example parseStatusOptions(["--source", "http://cp:8080/v1/clusters/prod"]) // { source: "http://cp:8080/v1/clusters/prod", json: false, limit: 20 }
 */
export function parseStatusOptions(args: readonly string[]): StatusOptions {
  const { values, positionals } = parseFlags(STATUS_COMMAND, args);
  if (positionals.length > 0) throw usageError("status", `unexpected argument '${positionals[0]}'`);
  if (values.source === undefined) throw usageError("status", "--source http://HOST:PORT/v1/clusters/NAME is required (the control plane's cluster)");
  return { source: values.source, json: values.json, limit: wholeNumber("status", "--limit", values.limit, 0, 10_000) };
}
