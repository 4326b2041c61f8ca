/**
 * @module
 * Starting a real server process for an e2e test and always cleaning it up: the process gets
 * its own process group (wrangler starts workerd as a child, and both must go), readiness is
 * polled on `/healthz`, and the output is kept for failure messages.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/** `WAYFINDER_E2E=required` (CI): a missing tool fails the test instead of skipping it. */
export const E2E_REQUIRED = process.env["WAYFINDER_E2E"] === "required";

export interface ServerProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | string>;
}

/** True when the tool at `path` is installed; callers skip without it unless `E2E_REQUIRED`. */
export function toolAvailable(path: string): boolean {
  return existsSync(path);
}

/** Ports this process has handed out: the kernel may give a just-closed port to the next `listen(0)`. */
const handedOut = new Set<number>();

/**
 * A TCP port that was free a moment ago (for servers that cannot be told to pick one), never
 * one this process handed out before, so two listeners of one test never get the same port.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await ephemeralPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command` in a new process group with its output captured. */
export function startProcess(command: string, args: string[], env: Record<string, string> = {}): ServerProcess {
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers 200; fails early if the process exits, or after `timeoutMs`. */
export async function waitForReady(server: ServerProcess, url: string, timeoutMs = 90_000): Promise<void> {
  let exit: number | string | undefined;
  void server.exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`server exited (${exit}) before it was ready:\n${server.output()}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready at ${url} after ${timeoutMs} ms:\n${server.output()}`);
}

/**
 * Starts `wayfinder serve` on a port the kernel picks (so there is no race for one) with
 * `args` added, and resolves with the base URL it prints once it listens.
 */
export async function startServe(args: string[], env: Record<string, string> = {}): Promise<{ server: ServerProcess; base: string }> {
  const server = startProcess(process.execPath, ["bin/wayfinder.js", "serve", "--listen", "127.0.0.1:0", ...args], env);
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(server.output());
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 50);
    void server.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`wayfinder serve exited (${code}) before listening:\n${server.output()}`));
    });
  });
  return { server, base };
}

/** Sends SIGTERM to the whole process group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(server: ServerProcess | undefined, graceMs = 10_000): Promise<number | string | undefined> {
  const pid = server?.child.pid;
  if (server === undefined || pid === undefined || server.child.exitCode !== null || server.child.signalCode !== null) {
    return undefined;
  }
  signalGroup(pid, "SIGTERM");
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  const result = await Promise.race([server.exited, timeout]);
  if (result !== "timeout") {
    // The leader is gone; make sure no child it started outlives it.
    signalGroup(pid, "SIGKILL");
    return result;
  }
  signalGroup(pid, "SIGKILL");
  return server.exited;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
