/**
 * @module
 * Runs the kernel tools (`nft`, `ip`, `bridge`, `sysctl`, `ipvsadm-restore`) with argument arrays, never a shell,
 * and batches on stdin (`nft -f -`, `ip -batch -`), so no address or label from the cluster is
 * ever parsed by a shell. Optionally inside a network namespace (`ip netns add NAME`), entered
 * with `nsenter --net`, which is how tests and container namespaces are programmed. (`ip netns
 * exec` also remounts /sys for each command; at ~3 ms a command that is a tenth of a partial
 * sync, and nft, ip and conntrack need only the network namespace.)
 */
import { spawn } from "node:child_process";

/** Runs `argv` with `input` on stdin and resolves with stdout; rejects with stderr on failure. */
export type CommandRunner = (argv: readonly string[], input?: string) => Promise<string>;

export interface CommandRunnerOptions {
  /** A network namespace name (`ip netns add NAME`); the host namespace when absent. */
  netns?: string;
  /** Kill a command that runs longer than this. Default 120 s (a 10k-VIP full load takes ~2 s). */
  timeoutMs?: number;
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * @example await commandRunner({ netns: "wf123" })(["nft", "-f", "-"], "add table ip t\n")
 */
export function commandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const { netns, timeoutMs = 120_000 } = options;
  const prefix = netnsPrefix(netns);
  return (argv, input) => run([...prefix, ...argv], input, timeoutMs);
}

/**
 * What runs a command inside network namespace `netns` (nothing for the host's); throws on a
 * name `ip netns` would not have made.
 * @example netnsPrefix("wf123") // ["nsenter", "--net=/var/run/netns/wf123"]
 */
export function netnsPrefix(netns: string | undefined): string[] {
  if (netns === undefined) return [];
  if (!NETNS_NAME.test(netns) || netns.startsWith(".")) throw new Error(`invalid network namespace name ${JSON.stringify(netns)}`);
  return ["nsenter", `--net=/var/run/netns/${netns}`];
}

function run(argv: readonly string[], input: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => reject(new Error(`${argv[0]}: ${e.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const why = signal === null ? `exited ${code}` : `killed by ${signal}`;
      reject(new Error(`${argv.join(" ")} ${why}: ${firstLines(Buffer.concat(err).toString("utf8"))}`));
    });
    // A command that dies early closes stdin; the close handler reports why.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/** nft can print a whole batch back on error; the first lines say what failed. */
function firstLines(text: string): string {
  const lines = text.trim().split("\n");
  return lines.length <= 6 ? lines.join("\n") : `${lines.slice(0, 6).join("\n")}\n… (${lines.length - 6} more lines)`;
}
