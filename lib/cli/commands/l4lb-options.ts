/**
 * @module
 * `wayfinder l4lb`'s flags and their parsing into `L4lbOptions` (the wiring is in `l4lb.ts`).
 */
import type { L4BackendChoice } from "../../executor/l4lb/l4-backend.ts";
import { AGENT_COMMAND } from "./agent-options.ts";
import { parseFlags, usageError, type CommandSpec } from "../flags.ts";

const AGENT_FLAGS = AGENT_COMMAND.flags;

export const L4LB_COMMAND = {
  name: "l4lb",
  summary: "program a snapshot's VIPs into this node's kernel once (nftables or IPVS)",
  synopsis: ["l4lb [SNAPSHOT|DESIRED] [flags]"],
  arguments: [["SNAPSHOT|DESIRED", "a ClusterSnapshot or DesiredState file; without it, the embedded demo cluster"]],
  flags: {
    node: { type: "string", value: "ID", defaultNote: "every VIP of the cluster", description: "program one node's view (an agent id)" },
    "l4-backend": AGENT_FLAGS["l4-backend"],
    netns: AGENT_FLAGS.netns,
    "dry-run": { type: "boolean", description: "print what would be added, changed and removed, and change nothing" },
  },
  notes: [
    "A one-shot run remembers nothing: it reads wayfinder's tables and VIP routes back from the kernel and changes only what differs (tables missing or not as rendered are replaced whole, atomically), so --dry-run prints what the run would do. VIP routes need lo up: a run that has some sets a down lo up, and its plan says so.",
    "exit codes: 0 applied (or planned); 1 the kernel refused (nothing half-applied); 2 usage or unreadable input.",
  ],
} as const satisfies CommandSpec;

export interface L4lbOptions {
  /** Absent: the embedded demo cluster. */
  input?: string;
  node?: string;
  backend: L4BackendChoice;
  netns?: string;
  dryRun: boolean;
}

/**
 * @example parseL4lbOptions(["--dry-run", "--l4-backend", "nftables"]) // { backend: "nftables", dryRun: true }
 */
export function parseL4lbOptions(args: readonly string[]): L4lbOptions {
  const { values, positionals } = parseFlags(L4LB_COMMAND, args);
  if (positionals.length > 1) throw usageError("l4lb", "at most one SNAPSHOT or DESIRED argument");
  return {
    ...(positionals[0] === undefined ? {} : { input: positionals[0] }),
    ...(values.node === undefined ? {} : { node: values.node }),
    backend: values["l4-backend"] as L4BackendChoice,
    ...(values.netns === undefined ? {} : { netns: values.netns }),
    dryRun: values["dry-run"],
  };
}
