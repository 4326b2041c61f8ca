/**
 * @module
 * One long-lived `nft -i` that applies batches, so a small change costs what nft does for it
 * rather than a process. Measured on bench:policy's table (node a0, same run): a one-task batch
 * takes 16–24 ms as `nft -f` in a process of its own (exec and loading; nft's cold cache; and,
 * for a batch that deletes, the kernel's wait for a grace period when the process closes its
 * netlink socket) and 2–4 ms here; a VIP's backend moved among 10k, 20 ms and 1 ms.
 *
 * The protocol rides on nft's interactive mode, which runs each input line as one transaction
 * (a line whose last command the kernel refuses leaves nothing of the line applied; the e2e
 * test holds this). A batch is written to a file of its own (created exclusively, readable by
 * us alone, removed once answered) and sent as one `include` line, since nft's line editor
 * reads a typed line a byte at a time (30 ms for a 28 KB batch); then a marker line nft cannot
 * parse. nft answers lines in order, on stderr: what it prints before the marker's syntax error
 * belongs to the batch, and an `Error:` there means the batch was refused.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { netnsPrefix } from "./run-command.ts";

export interface NftSessionOptions {
  /** A network namespace (`ip netns add NAME`); the host's when absent. */
  netns?: string;
  /** Validate only, as `nft --check`: the kernel checks each batch and aborts it. */
  check?: boolean;
  /** What starts nft (default `["nft"]`; tests pass a stand-in). */
  command?: readonly string[];
  /** A batch not answered within this is failed and its process killed. Default 120 s. */
  timeoutMs?: number;
  /** A process is replaced after this many batches: its line editor keeps every line. Default 1000. */
  maxBatches?: number;
}

/** nft could not be started as a session (built without its interactive mode, say): use `nft -f`. */
export class NftSessionUnavailable extends Error {}

interface Pending {
  marker: string;
  /** The batch's file, for nft's messages. */
  file: string | undefined;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Paths nft reads in an `include "..."` line: nothing it would quote, glob or expand. */
const PLAIN_PATH = /^[A-Za-z0-9_./-]+$/;

/**
 * @example
 * const session = new NftSession({ netns: "wf123" });
 * await session.run("add element inet t s { 10.0.0.1 }\n"); // one transaction
 * await session.close();
 */
export class NftSession {
  readonly #options: NftSessionOptions;
  #child: ChildProcess | undefined;
  #stderr = "";
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #answered = 0;
  #markers = 0;

  constructor(options: NftSessionOptions = {}) {
    this.#options = options;
  }

  /**
   * Runs `batch` as one transaction; rejects with what nft said when it refused it (then nothing
   * of it was applied), or when the process failed (then the batch may or may not have been).
   * Batches run one at a time, in the order they were given.
   */
  run(batch: string): Promise<void> {
    const next = this.#queue.then(() => this.#send(batch));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the process (it would also end with ours: its input closes). */
  async close(): Promise<void> {
    await this.#queue;
    const child = this.#retire();
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), 2_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
      });
    }
  }

  async #send(batch: string): Promise<void> {
    await this.#start();
    const file = join(tmpdir(), `wayfinder-nft-${process.pid}-${randomBytes(6).toString("hex")}.nft`);
    if (!PLAIN_PATH.test(file)) throw new NftSessionUnavailable(`the temporary directory of ${JSON.stringify(file)} cannot be named in an nft include`);
    await writeFile(file, batch, { flag: "wx", mode: 0o600 });
    try {
      await this.#line(`include "${file}"`, file);
    } finally {
      await rm(file, { force: true });
    }
    this.#answered++;
    if (this.#answered >= (this.#options.maxBatches ?? 1_000)) this.#retire();
  }

  /** A process that has answered a bare marker, so batches are only ever sent to one that works. */
  async #start(): Promise<void> {
    if (this.#child !== undefined) return;
    const [program, ...args] = [...netnsPrefix(this.#options.netns), ...(this.#options.command ?? ["nft"]), ...(this.#options.check ? ["--check"] : []), "-i"];
    // HOME nowhere: the line editor would read its settings there and write its history there at exit.
    const child = spawn(program!, args, { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, HOME: "/nonexistent", TERM: "dumb" } });
    this.#child = child;
    this.#stderr = "";
    this.#answered = 0;
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (text: string) => {
      if (this.#child !== child) return;
      this.#stderr += text;
      this.#settle();
    });
    child.stdin!.on("error", () => {});
    child.on("error", (error) => this.#lost(child, `${program}: ${error.message}`));
    child.on("exit", (code, signal) => this.#lost(child, `nft -i ${signal === null ? `exited ${code}` : `was killed by ${signal}`}`));
    this.#hold(false);
    try {
      await this.#line(undefined, undefined);
    } catch (error) {
      this.#retire();
      throw new NftSessionUnavailable(`nft cannot run as a session: ${(error as Error).message}`);
    }
  }

  /** Sends `line` (none: only a marker) and waits for the marker's answer. */
  #line(line: string | undefined, file: string | undefined): Promise<void> {
    const child = this.#child!;
    const marker = `wayfinder-batch-end-${++this.#markers}`;
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.#options.timeoutMs ?? 120_000;
      const timer = setTimeout(() => {
        this.#lost(child, `nft -i did not answer within ${timeoutMs} ms`);
        child.kill("SIGKILL");
      }, timeoutMs);
      this.#pending = { marker, file, resolve, reject, timer };
      this.#hold(true);
      child.stdin!.write(`${line === undefined ? "" : `${line}\n`}${marker}\n`);
    });
  }

  /** Settles the pending line once the marker's error (its message, the line, the caret line) is complete. */
  #settle(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const at = this.#stderr.indexOf(`\n${pending.marker}\n`);
    if (at < 0) return;
    const end = this.#stderr.indexOf("\n", at + pending.marker.length + 2);
    if (end < 0) return;
    const said = this.#stderr.slice(0, this.#stderr.lastIndexOf("\n", at - 1) + 1);
    this.#stderr = this.#stderr.slice(end + 1);
    this.#finish(pending, /\bError: /.test(said) ? new Error(`nft: ${readable(said, pending.file)}`) : undefined);
  }

  #lost(child: ChildProcess, why: string): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    const pending = this.#pending;
    if (pending !== undefined) this.#finish(pending, new Error(`${why}${this.#stderr.trim() === "" ? "" : `: ${readable(this.#stderr, pending.file)}`}`));
  }

  #finish(pending: Pending, error: Error | undefined): void {
    clearTimeout(pending.timer);
    this.#pending = undefined;
    this.#hold(false);
    if (error === undefined) pending.resolve();
    else pending.reject(error);
  }

  /** Stops using the process; it ends when its input closes. */
  #retire(): ChildProcess | undefined {
    const child = this.#child;
    this.#child = undefined;
    child?.stdin?.end();
    return child;
  }

  /** An idle process must not keep ours alive; one with a batch in flight must. */
  #hold(busy: boolean): void {
    const child = this.#child;
    if (child === undefined) return;
    for (const handle of [child, child.stdin as Socket | null, child.stderr as Socket | null]) {
      if (busy) handle?.ref();
      else handle?.unref();
    }
  }
}

/** nft's answer without its include frame, the batch file named as such, and at most 6 lines. */
function readable(text: string, file: string | undefined): string {
  const lines = text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("In file included from"))
    .map((line) => (file === undefined ? line : line.replaceAll(file, "batch")));
  return lines.length <= 6 ? lines.join("\n") : `${lines.slice(0, 6).join("\n")}\n… (${lines.length - 6} more lines)`;
}
