/**
 * @module
 * Running `wayfinder dns` as a real process for e2e tests and querying it with `dig`. The
 * server picks its own free port (`--listen 127.0.0.1:0`) and the port is read from its log,
 * so concurrent test runs on the machine cannot collide.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startProcess, stopProcess, type ServerProcess } from "./server-process.ts";

const run = promisify(execFile);

export interface DnsProcess {
  server: ServerProcess;
  port: number;
  /** The HTTP base URL, when `--http` was given. */
  http: string | undefined;
  stop(): Promise<void>;
}

/** Starts `wayfinder dns ARGS --listen 127.0.0.1:0` and waits until it listens (and serves HTTP, if asked). */
export async function startDns(args: string[], timeoutMs = 60_000): Promise<DnsProcess> {
  const server = startProcess(process.execPath, ["bin/wayfinder.js", "dns", "--listen", "127.0.0.1:0", ...args]);
  const wantsHttp = args.includes("--http");
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  void server.exited.then((code) => (exit = code));
  for (;;) {
    const port = /listening on udp\+tcp 127\.0\.0\.1:(\d+)/.exec(server.output())?.[1];
    const http = /http on (http:\/\/[\d.:]+)/.exec(server.output())?.[1];
    if (port !== undefined && (!wantsHttp || http !== undefined)) {
      return { server, port: Number(port), http, stop: async () => void (await stopProcess(server)) };
    }
    if (exit !== undefined) throw new Error(`wayfinder dns exited (${exit}) before listening:\n${server.output()}`);
    if (Date.now() > deadline) {
      await stopProcess(server);
      throw new Error(`wayfinder dns did not listen within ${timeoutMs} ms:\n${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface DigRecord {
  name: string;
  ttl: number;
  type: string;
  data: string;
}

export interface DigResult {
  status: string;
  flags: string[];
  answers: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  queryTimeMs: number;
  /** dig got TC over UDP and asked again over TCP. */
  retriedOverTcp: boolean;
  /** The transport of the reply printed last. */
  transport: "UDP" | "TCP" | undefined;
  raw: string;
}

/** Runs `dig @127.0.0.1 -p PORT ARGS` and parses the last reply it prints. */
export async function dig(port: number, args: string[]): Promise<DigResult> {
  const { stdout } = await run("dig", ["@127.0.0.1", "-p", String(port), "+tries=1", "+time=5", ...args], { maxBuffer: 1 << 22 });
  const last = stdout.slice(stdout.lastIndexOf(";; Got answer:") >= 0 ? stdout.lastIndexOf(";; Got answer:") : 0);
  const section = (title: string): DigRecord[] => {
    const match = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(last);
    if (match === null) return [];
    return match[1]!
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith(";"))
      .map((line) => {
        const [name, ttl, , type, ...data] = line.split(/\s+/);
        return { name: name!, ttl: Number(ttl), type: type!, data: data.join(" ") };
      });
  };
  return {
    status: /status: (\w+)/.exec(last)?.[1] ?? "none",
    flags: (/;; flags: ([a-z ]*);/.exec(last)?.[1] ?? "").trim().split(" ").filter(Boolean),
    answers: section("ANSWER"),
    authority: section("AUTHORITY"),
    additional: section("ADDITIONAL"),
    queryTimeMs: Number(/Query time: (\d+) msec/.exec(last)?.[1] ?? Number.NaN),
    retriedOverTcp: stdout.includes("Truncated, retrying in TCP mode"),
    transport: /\((UDP|TCP)\)\n/.exec(last)?.[1] as DigResult["transport"],
    raw: stdout,
  };
}
