/**
 * @module
 * `wayfinder <command>`: dispatch to one module per command. Exit codes: 0 success, 1 the
 * command ran and failed (e.g. validation), 2 usage or unreadable input. `--help` prints the
 * help written from the command's flag table, the same table its parser uses.
 */
import type { CommandSpec } from "./flags.ts";
import { helpText } from "./help.ts";
import { CliUsageError, type CliIo } from "./io.ts";
import { processIo } from "./process-io.ts";

export type Command = (args: string[], io: CliIo) => Promise<number>;

interface CommandEntry {
  /** The command's spec (flags, synopsis): light to load, for `--help`. */
  spec: () => Promise<CommandSpec>;
  load: () => Promise<Command>;
}

/** Commands load lazily so `wayfinder plan` does not pay for the HTTP server or the DNS server. */
export const COMMANDS: Record<string, CommandEntry> = {
  snapshot: { spec: async () => (await import("./commands/snapshot-options.ts")).SNAPSHOT_COMMAND, load: async () => (await import("./commands/snapshot.ts")).run },
  plan: { spec: async () => (await import("./commands/plan-options.ts")).PLAN_COMMAND, load: async () => (await import("./commands/plan.ts")).run },
  render: { spec: async () => (await import("./commands/render-options.ts")).RENDER_COMMAND, load: async () => (await import("./commands/render.ts")).run },
  diff: { spec: async () => (await import("./commands/diff-options.ts")).DIFF_COMMAND, load: async () => (await import("./commands/diff.ts")).run },
  l4lb: { spec: async () => (await import("./commands/l4lb-options.ts")).L4LB_COMMAND, load: async () => (await import("./commands/l4lb.ts")).run },
  serve: { spec: async () => (await import("./commands/serve-options.ts")).SERVE_COMMAND, load: async () => (await import("./commands/serve.ts")).run },
  dns: { spec: async () => (await import("./commands/dns-options.ts")).DNS_COMMAND, load: async () => (await import("./commands/dns.ts")).run },
  source: { spec: async () => (await import("./commands/source-options.ts")).SOURCE_COMMAND, load: async () => (await import("./commands/source.ts")).run },
  agent: { spec: async () => (await import("./commands/agent-options.ts")).AGENT_COMMAND, load: async () => (await import("./commands/agent.ts")).run },
  status: { spec: async () => (await import("./commands/status-options.ts")).STATUS_COMMAND, load: async () => (await import("./commands/status.ts")).run },
  explain: { spec: async () => (await import("./commands/explain-options.ts")).EXPLAIN_COMMAND, load: async () => (await import("./commands/explain.ts")).run },
  policy: { spec: async () => (await import("./commands/policy-options.ts")).POLICY_COMMAND, load: async () => (await import("./commands/policy.ts")).run },
};

async function usage(): Promise<string> {
  const specs = await Promise.all(Object.values(COMMANDS).map((c) => c.spec()));
  const lines = specs.map((spec) => `  ${spec.name.padEnd(10)}${spec.summary}`);
  return `usage: wayfinder <command> [flags]\n\ncommands:\n${lines.join("\n")}\n\n'wayfinder <command> --help' describes a command and its flags.\n`;
}

/**
 * Runs one CLI invocation and returns its exit code.
 * @example await main(["plan", "--json"]) // prints the demo cluster's DesiredState, returns 0
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout(await usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`wayfinder: unknown command '${name}'\n${await usage()}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(helpText(await command.spec()));
    return 0;
  }
  try {
    return await (await command.load())(args, io);
  } catch (error) {
    if (error instanceof CliUsageError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
