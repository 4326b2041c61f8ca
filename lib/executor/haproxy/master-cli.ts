/**
 * @module
 * HAProxy's master CLI (the `-S` socket of a master-worker HAProxy): `show proc`, `reload`,
 * and Runtime API commands forwarded to the current worker with the `@1` prefix. One
 * connection per request in non-interactive mode: the command line is written, the write
 * side is closed, and HAProxy answers and closes (it waits for more input otherwise).
 */
import { createConnection } from "node:net";

/** The master CLI could not be reached or did not answer in time. */
export class MasterCliError extends Error {
  override readonly name = "MasterCliError";
}

/**
 * Sends one command line to the master socket and returns the whole answer.
 * @example await masterCommand("/var/lib/wayfinder/haproxy/run/external.master.sock", "show proc")
 */
export function masterCommand(socket: string, line: string, timeoutMs = 10_000): Promise<string> {
  if (/[\r\n]/.test(line)) return Promise.reject(new MasterCliError("a master CLI command is one line"));
  return new Promise((resolve, reject) => {
    const connection = createConnection(socket);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new MasterCliError(`${socket}: no answer to '${line.slice(0, 80)}' within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.on("connect", () => connection.end(`${line}\n`));
    connection.on("data", (chunk: Buffer) => chunks.push(chunk));
    connection.on("error", (error) => {
      clearTimeout(timer);
      reject(new MasterCliError(`${socket}: ${error.message}`));
    });
    connection.on("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Commands per master-CLI line: HAProxy reads a line into one buffer (16 kB by default). */
const BATCH = 40;

/**
 * Runs Runtime API commands on the current worker (`@1`), in order, in batches of one line
 * each (`;`-separated). Returns the workers' answers concatenated.
 * @example await workerCommands(socket, ["set server web_80/slot2 state maint"])
 */
export async function workerCommands(socket: string, commands: readonly string[]): Promise<string> {
  let answers = "";
  for (let i = 0; i < commands.length; i += BATCH) {
    answers += await masterCommand(socket, commands.slice(i, i + BATCH).map((c) => `@1 ${c}`).join("; "));
  }
  return answers;
}

/** A process line of `show proc`. */
export interface ProcEntry {
  readonly pid: number;
  /** How many reloads the process survived (0 for the current worker). */
  readonly reloads: number;
}

/** The master's view of its processes. */
export interface ProcTable {
  readonly master: ProcEntry & { readonly failedReloads: number };
  readonly workers: readonly ProcEntry[];
}

/**
 * Parses `show proc`.
 * @example parseShowProc("#<PID> <type> ...\n30081 master 3 [failed: 0] 0d00h00m11s 2.6.12\n# workers\n30715 worker 0 0d00h00m00s 2.6.12\n")
 * // { master: { pid: 30081, reloads: 3, failedReloads: 0 }, workers: [{ pid: 30715, reloads: 0 }] }
 */
export function parseShowProc(text: string): ProcTable {
  let master: ProcTable["master"] | undefined;
  const workers: ProcEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+)\s+(master|worker)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?/.exec(line);
    if (m === null) continue;
    const entry = { pid: Number(m[1]), reloads: Number(m[3]) };
    if (m[2] === "master") master = { ...entry, failedReloads: Number(m[4] ?? 0) };
    else workers.push(entry);
  }
  if (master === undefined) throw new MasterCliError(`not a 'show proc' answer: ${JSON.stringify(text.slice(0, 200))}`);
  return { master, workers };
}
