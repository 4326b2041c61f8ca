/**
 * @module
 * `wayfinder render`'s flags and their parsing into `RenderOptions` (the wiring is in `render.ts`).
 */
import { FAIL_ON_FLAG, type FailOnLevel } from "../diagnostics-flags.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const RENDER_COMMAND = {
  name: "render",
  summary: "write every artifact of a snapshot into a directory",
  synopsis: ["render [SNAPSHOT] --out DIR [flags]"],
  arguments: [["SNAPSHOT", "a ClusterSnapshot file; without it, the embedded demo cluster"]],
  flags: {
    out: {
      type: "string",
      value: "DIR",
      description:
        "the directory to write into (required): dns/<zone>.zone, l4lb/ruleset.nft, l4lb/ipvsadm.rules, haproxy/<group>.cfg, overlay/<agent>/..., policy/<node>.nft (when the config has a policy), desired.json. Unchanged files keep their mtime; files wayfinder did not write are left alone",
    },
    node: { type: "string", value: "ID", defaultNote: "the whole cluster", description: "only what one node (an agent id) applies" },
    "fail-on": { ...FAIL_ON_FLAG, description: `${FAIL_ON_FLAG.description}, and write nothing` },
  },
  notes: [
    "exit codes: 0 written or up to date; 1 --fail-on found a diagnostic at its level (nothing written), or a file could not be written; 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

export interface RenderOptions {
  /** Absent: the embedded demo cluster. */
  snapshot?: string;
  out: string;
  node?: string;
  failOn?: FailOnLevel;
}

/**
 * @example parseRenderOptions(["--out", "out/"]) // { out: "out/" }
 */
export function parseRenderOptions(args: readonly string[]): RenderOptions {
  const { values, positionals } = parseFlags(RENDER_COMMAND, args);
  if (values.out === undefined) throw usageError("render", "--out DIR is required");
  if (positionals.length > 1) throw usageError("render", "at most one SNAPSHOT argument");
  return {
    ...(positionals[0] === undefined ? {} : { snapshot: positionals[0] }),
    out: values.out,
    ...(values.node === undefined ? {} : { node: values.node }),
    ...(values["fail-on"] === undefined ? {} : { failOn: values["fail-on"] as FailOnLevel }),
  };
}
