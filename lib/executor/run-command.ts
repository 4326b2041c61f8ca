/**
 * @module
 * How appliers run the kernel tools (`ip`, `bridge`, `sysctl`, `nft`): an argument array,
 * never a shell string, and batches on stdin (`ip -batch -`), so no address or name from the
 * cluster is ever parsed by a shell. Optionally inside a named network namespace
 * (`ip netns exec NAME ...`), which is how tests program an "agent" namespace.
 */
import { spawn } from "node:child_process";

/** Runs `argv` with `input` on stdin; resolves with stdout, rejects with the command and its stderr. */
export type CommandRunner = (argv: readonly string[], input?: string) => Promise<string>;

export interface CommandRunnerOptions {
  /** A network namespace made with `ip netns add NAME`; the executor's own namespace when absent. */
  netns?: string;
  /** A command running longer than this is killed. Default 60 s. */
  timeoutMs?: number;
}

const NETNS_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;

/**
 * @example await commandRunner({ netns: "wf123a1" })(["ip", "-json", "rule", "show"])
 */
export function commandRunner(options: CommandRunnerOptions = {}): CommandRunner {
  const { netns, timeoutMs = 60_000 } = options;
  if (netns !== undefined && !NETNS_NAME.test(netns)) throw new Error(`invalid network namespace name ${JSON.stringify(netns)}`);
  const prefix = netns === undefined ? [] : ["ip", "netns", "exec", netns];
  return (argv, input) => run([...prefix, ...argv], input, timeoutMs);
}

function run(argv: readonly string[], input: string | undefined, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], timeout: timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => reject(new Error(`${argv[0]}: ${error.message}`)));
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
      const why = signal === null ? `exited ${code}` : `killed by ${signal}`;
      const stderr = Buffer.concat(err).toString("utf8").trim().split("\n").slice(0, 6).join("\n");
      reject(new Error(`${argv.join(" ")} ${why}: ${stderr}`));
    });
    // A tool that fails early closes its stdin; the close handler reports why, not EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}
