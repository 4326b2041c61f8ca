/**
 * @module
 * One HAProxy per LB group, in master-worker mode (`-W -D -S <master socket>`): validating a
 * config (`haproxy -c`), starting the master, reloading it through its master CLI and
 * stopping it. A reload re-executes the master, which hands the listening sockets to the new
 * worker (no refused connection) and lets the old worker finish its requests; the config's
 * `hard-stop-after` and `mworker-max-reloads` bound how long old workers live (marathon-lb#519).
 * Processes are only ever addressed by the pid their own master reports.
 */
import { spawn, execFile } from "node:child_process";
import { open, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { MasterCliError, masterCommand, parseShowProc, type ProcTable } from "./master-cli.ts";
import { netnsPrefix } from "../run-command.ts";

/** The files of one group's HAProxy. */
export interface GroupPaths {
  readonly config: string;
  readonly masterSocket: string;
  readonly pidFile: string;
  /** HAProxy's own output (start-up and reload alerts); the master keeps writing to it. */
  readonly logFile: string;
}

export interface ProcessOptions {
  readonly binary: string;
  readonly timeoutMs: number;
  /** Run HAProxy in this network namespace (`ip netns add NAME`) instead of the executor's own. */
  readonly netns?: string;
}

/** The command line of `binary` with `args`, entering the options' network namespace first. */
function haproxyArgv(options: ProcessOptions, args: readonly string[]): [string, string[]] {
  const [command, ...rest] = [...netnsPrefix(options.netns), options.binary, ...args];
  return [command!, rest];
}

/** `haproxy -c` said no: its alerts are in the message. */
export class ConfigRejectedError extends Error {
  override readonly name = "ConfigRejectedError";
}

/**
 * Checks a config the way HAProxy will load it. Resolves with HAProxy's warnings, rejects
 * with `ConfigRejectedError` carrying its alerts.
 * @example await validateConfig({ binary: "haproxy", timeoutMs: 30_000 }, "/var/lib/wayfinder/haproxy/staging/external.cfg")
 */
export function validateConfig(options: ProcessOptions, config: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // Run where the config's relative map paths resolve, as the master does (see startMaster).
    const [command, args] = haproxyArgv(options, ["-c", "-f", config]);
    execFile(command, args, { cwd: dirname(config), timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`;
      if (error === null) resolve(output);
      else if (typeof error.code === "number") reject(new ConfigRejectedError(output.trim() || `haproxy -c exited ${error.code}`));
      else reject(new Error(`cannot run ${options.binary} -c: ${error.message}`));
    });
  });
}

/**
 * The master's process table, or undefined when no master answers on the socket.
 * @example await procTable(paths) // { master: { pid: 4242, reloads: 0, failedReloads: 0 }, workers: [...] }
 */
export async function procTable(paths: GroupPaths, timeoutMs = 5_000): Promise<ProcTable | undefined> {
  try {
    return parseShowProc(await masterCommand(paths.masterSocket, "show proc", timeoutMs));
  } catch (error) {
    if (error instanceof MasterCliError && /ENOENT|ECONNREFUSED|ECONNRESET|EPIPE/.test(error.message)) return undefined;
    throw error;
  }
}

/**
 * Starts a master with `paths.config` and waits for its first worker.
 * @example await startMaster({ binary: "haproxy", timeoutMs: 15_000 }, paths)
 */
export async function startMaster(options: ProcessOptions, paths: GroupPaths): Promise<ProcTable> {
  const logOffset = await sizeOf(paths.logFile);
  const log = await open(paths.logFile, "a", 0o600);
  let code: number | null;
  try {
    // -D: the launcher exits once the master runs in the background; the master inherits the
    // log file as stdout/stderr, so nothing of it is tied to this process's pipes. Its working
    // directory (kept across reloads) is the config's, where relative map paths point.
    const [command, args] = haproxyArgv(options, ["-W", "-D", "-S", `${paths.masterSocket},mode,600`, "-f", paths.config, "-p", paths.pidFile]);
    const child = spawn(command, args, {
      cwd: dirname(paths.config),
      stdio: ["ignore", log.fd, log.fd],
    });
    code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", resolve);
    });
  } finally {
    await log.close();
  }
  if (code !== 0) throw new Error(`haproxy did not start (exit ${code}): ${await logSince(paths.logFile, logOffset)}`);
  return waitFor(options, paths, "the first worker", (table) => table.workers.length > 0);
}

/**
 * Reloads the master with the config now at `paths.config` and waits for the new worker.
 * Rejects when the master reports the reload failed; its old worker then keeps serving.
 * @example await reloadMaster(options, paths, before)
 */
export async function reloadMaster(options: ProcessOptions, paths: GroupPaths, before: ProcTable): Promise<ProcTable> {
  const logOffset = await sizeOf(paths.logFile);
  try {
    await masterCommand(paths.masterSocket, "reload", options.timeoutMs);
  } catch (error) {
    // The master re-executes itself right away and may drop this connection; the process
    // table below says whether the reload happened.
    if (!(error instanceof MasterCliError)) throw error;
  }
  const oldPids = new Set(before.workers.map((w) => w.pid));
  const after = await waitFor(options, paths, "the reload", (t) => t.master.reloads > before.master.reloads);
  if (after.master.failedReloads > before.master.failedReloads) {
    throw new Error(`HAProxy failed to reload; the previous worker keeps serving: ${await logSince(paths.logFile, logOffset)}`);
  }
  return waitFor(options, paths, "the new worker", (t) => t.workers.some((w) => w.reloads === 0 && !oldPids.has(w.pid)));
}

/**
 * Stops the master gracefully (SIGUSR1: workers finish their requests) and waits for it.
 * @example await stopMaster(options, paths)
 */
export async function stopMaster(options: ProcessOptions, paths: GroupPaths, signal: NodeJS.Signals = "SIGUSR1"): Promise<void> {
  const table = await procTable(paths);
  if (table === undefined) return;
  process.kill(table.master.pid, signal);
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(table.master.pid)) return;
    await sleep(50);
  }
  throw new Error(`HAProxy master ${table.master.pid} did not stop within ${options.timeoutMs} ms`);
}

async function waitFor(options: ProcessOptions, paths: GroupPaths, what: string, done: (table: ProcTable) => boolean): Promise<ProcTable> {
  const deadline = Date.now() + options.timeoutMs;
  let last: ProcTable | undefined;
  while (Date.now() < deadline) {
    // The master socket is briefly unavailable while the master re-executes.
    last = await procTable(paths, 1_000).catch(() => undefined);
    if (last !== undefined && done(last)) return last;
    await sleep(25);
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what} of ${paths.config}${last === undefined ? " (no master answers)" : ""}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sizeOf(path: string): Promise<number> {
  return stat(path).then((s) => s.size).catch(() => 0);
}

async function logSince(path: string, offset: number): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  return text.slice(offset).trim().split("\n").slice(-20).join("\n") || "(no output)";
}
