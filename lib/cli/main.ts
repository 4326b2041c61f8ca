/**
 * @module
 * `wayfinder <command>`: dispatch to one module per command. Exit codes: 0 success, 1 the
 * command ran and failed (e.g. validation), 2 usage or unreadable input.
 */
import { CliUsageError, processIo, type CliIo } from "./io.ts";

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Commands load lazily so `wayfinder plan` does not pay for the HTTP server or the DNS server. */
const COMMANDS: Record<string, { summary: string; usage?: string; load: () => Promise<Command> }> = {
  snapshot: { summary: "build a ClusterSnapshot from Mesos, operator-API and Marathon payloads", load: async () => (await import("./commands/snapshot.ts")).run },
  plan: { summary: "summarise (or --json print) the desired state of a snapshot", load: async () => (await import("./commands/plan.ts")).run },
  render: { summary: "write every artifact of a snapshot into a directory", load: async () => (await import("./commands/render.ts")).run },
  diff: { summary: "what would change between two snapshots or desired states", load: async () => (await import("./commands/diff.ts")).run },
  l4lb: { summary: "program a snapshot's VIPs into this node's kernel once (nftables or IPVS)", load: async () => (await import("./commands/l4lb.ts")).run },
  serve: { summary: "serve the HTTP API on Node", load: async () => (await import("./commands/serve.ts")).run },
  dns: { summary: "serve a desired state's DNS zones on UDP and TCP, forwarding the rest", load: async () => (await import("./commands/dns.ts")).run },
  source: { summary: "follow the live cluster and PUT each changed snapshot to the control plane", load: async () => (await import("./commands/source.ts")).run },
  agent: { summary: "the on-node executor: follow a desired state and apply it", load: async () => (await import("./commands/agent.ts")).run },
  status: { summary: "which node runs what: nodes converged, laggards and failing appliers, from the control plane", load: async () => (await import("./commands/status.ts")).run },
  explain: { summary: "where a name, VIP, task or app's answers come from, and why something is missing", load: async () => (await import("./commands/explain.ts")).run },
};

/** Synopses printed by `wayfinder <command> --help` (DESIGN.md's CLI contract). */
const SYNOPSES: Record<string, string> = {
  snapshot:
    "wayfinder snapshot [--mesos-state F|URLS] [--operator-state F|URLS] [--marathon-apps F|URLS] [--config F] [--previous F] [--overlay-release IP]... [--cluster-name N] [--master HOST:PORT]... [--now ISO] [--timeout S] [-o F]\n" +
    "                   (URLS: comma-separated base URLs, tried in order; the Mesos leader is followed)",
  plan: "wayfinder plan [SNAPSHOT] [--json] [--node ID]      (no SNAPSHOT: the embedded demo cluster)",
  render: "wayfinder render [SNAPSHOT] --out DIR [--node ID]",
  diff: "wayfinder diff OLD NEW [--json]                     (snapshots or desired states; exit 1 when they differ)",
  l4lb: "wayfinder l4lb [SNAPSHOT|DESIRED] [--node ID] [--l4-backend auto|nftables|ipvs] [--netns NAME] [--dry-run]",
  serve: "wayfinder serve [--listen 127.0.0.1:8080] [--snapshot F] [--store DIR] [--body-limit BYTES]",
  dns: "wayfinder dns (--snapshot F | --desired F) --listen IP:PORT... [--upstream IP[:PORT]]... [--allow CIDR]... [--timeout-ms N] [--max-udp-size N] [--http IP:PORT] [--workers N]",
  source:
    "wayfinder source (--mesos URLS | --operator URLS) [--marathon URLS] --put http://HOST:PORT/v1/clusters/NAME [--master HOST:PORT]... [--config F]\n" +
    "                 [--poll-interval S] [--event-timeout S] [--timeout S] [--log-level L]",
  agent:
    "wayfinder agent --node ID (--source URL|FILE | --mesos URLS|--operator URLS [--marathon URLS]) [--apply LIST] [--dry-run] [--once]\n" +
    "                [--state-dir DIR] [--metrics IP:PORT] [--l4-backend auto|nftables|ipvs] [--netns NAME] [--poll-interval S] [--resync-interval S] [--event-timeout S] [--timeout S] [--log-level L]",
  status: "wayfinder status --source http://HOST:PORT/v1/clusters/NAME [--json] [--limit N]      (exit 1 unless every node converged and nothing fails)",
  explain:
    "wayfinder explain name FQDN|vip IP:PORT|NAME|task ID|app ID [SNAPSHOT] [--json] [--limit N] [--source http://HOST:PORT/v1/clusters/NAME]\n" +
    "                  (no SNAPSHOT: the embedded demo cluster; exit 1 when nothing matches, with the closest matches)",
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
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(`usage: ${command.usage ?? SYNOPSES[name] ?? `wayfinder ${name} [options]`}\n\n${command.summary}\n`);
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
