/**
 * @module
 * `wayfinder <command>`: dispatch to one module per command. Exit codes: 0 success, 1 the
 * command ran and failed (e.g. validation), 2 usage or unreadable input.
 */
import { CliUsageError, processIo, type CliIo } from "./io.ts";

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Commands load lazily so `wayfinder plan` does not pay for the HTTP server or the DNS server. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  snapshot: { summary: "build a ClusterSnapshot from Mesos, operator-API and Marathon payloads", load: async () => (await import("./commands/snapshot.ts")).run },
  plan: { summary: "summarise (or --json print) the desired state of a snapshot", load: async () => (await import("./commands/plan.ts")).run },
  render: { summary: "write every artifact of a snapshot into a directory", load: async () => (await import("./commands/render.ts")).run },
  diff: { summary: "what would change between two snapshots or desired states", load: async () => (await import("./commands/diff.ts")).run },
  serve: { summary: "serve the HTTP API on Node", load: async () => (await import("./commands/serve.ts")).run },
  dns: { summary: "serve a desired state's DNS zones on UDP and TCP, forwarding the rest", load: async () => (await import("./commands/dns.ts")).run },
};

const USAGE = `usage: wayfinder <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join("\n")}
`;

/**
 * Runs one CLI invocation and returns its exit code.
 * @example await main(["plan", "--json"]) // prints the demo cluster's DesiredState, returns 0
 */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`wayfinder: unknown command '${name}'\n${USAGE}`);
    return 2;
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
