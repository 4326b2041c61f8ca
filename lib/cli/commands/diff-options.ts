/**
 * @module
 * `wayfinder diff`'s flags and their parsing into `DiffOptions` (the wiring is in `diff.ts`).
 */
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

export const DIFF_COMMAND = {
  name: "diff",
  summary: "what would change between two snapshots or desired states",
  synopsis: ["diff OLD NEW [flags]"],
  arguments: [
    ["OLD", "a ClusterSnapshot or DesiredState file"],
    ["NEW", "a ClusterSnapshot or DesiredState file"],
  ],
  flags: {
    json: { type: "boolean", description: "print the changes as canonical JSON" },
  },
  notes: ["exit codes, as diff(1): 0 nothing changes; 1 something does; 2 usage or unreadable input."],
} as const satisfies CommandSpec;

export interface DiffOptions {
  before: string;
  after: string;
  json: boolean;
}

/**
 * @example parseDiffOptions(["old.json", "new.json"]) // { before: "old.json", after: "new.json", json: false }
 */
export function parseDiffOptions(args: readonly string[]): DiffOptions {
  const { values, positionals } = parseFlags(DIFF_COMMAND, args);
  const [before, after] = positionals;
  if (positionals.length !== 2 || before === undefined || after === undefined) throw usageError("diff", "give two files: OLD NEW");
  return { before, after, json: values.json };
}
