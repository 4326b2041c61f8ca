/**
 * @module
 * Network namespaces for end-to-end tests: created with unique names (`wf<pid><rand><role>`),
 * wired with veth pairs, and always deleted, even when a test fails. Nothing is ever sent
 * outside the namespaces a test made.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

/** Runs a command inside `ns` (argument array, no shell) and returns stdout. */
export function inNs(ns: string, argv: string[], input?: string): string {
  return execFileSync("ip", ["netns", "exec", ns, ...argv], { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** A set of namespaces that are torn down together. */
export class NetnsLab {
  readonly prefix = `wf${process.pid}${randomBytes(2).toString("hex")}`;
  readonly #namespaces: string[] = [];
  readonly #children: ChildProcess[] = [];

  /** Creates `<prefix><role>` with `lo` up, or left down as `ip netns add` makes it. */
  add(role: string, options: { loopback?: "up" | "down" } = {}): string {
    const name = `${this.prefix}${role}`;
    execFileSync("ip", ["netns", "add", name]);
    this.#namespaces.push(name);
    if (options.loopback !== "down") inNs(name, ["ip", "link", "set", "lo", "up"]);
    return name;
  }

  /**
   * Connects `a` and `b` with a veth pair and addresses (`10.90.2.1/24`, `fd00:90:2::1/64`).
   * The interface in `a` is named `ifA`, the one in `b` is `eth0`.
   */
  link(a: string, ifA: string, b: string, addrA: string[], addrB: string[]): void {
    execFileSync("ip", ["-n", a, "link", "add", ifA, "type", "veth", "peer", "name", "eth0", "netns", b]);
    for (const [ns, dev, addrs] of [[a, ifA, addrA], [b, "eth0", addrB]] as const) {
      for (const addr of addrs) inNs(ns, ["ip", "addr", "add", addr, "dev", dev, ...(addr.includes(":") ? ["nodad"] : [])]);
      inNs(ns, ["ip", "link", "set", dev, "up"]);
    }
  }

  /** Starts a long-running process inside `ns`; it is killed on teardown. */
  spawn(ns: string, argv: string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["pipe", "pipe", "pipe"] });
    this.#children.push(child);
    return child;
  }

  /** Kills what was started and deletes every namespace; safe to call twice. */
  teardown(): void {
    for (const child of this.#children.splice(0)) child.kill("SIGKILL");
    for (const ns of this.#namespaces.splice(0)) {
      try {
        execFileSync("ip", ["netns", "del", ns]);
      } catch {
        // Already gone: nothing left to clean.
      }
    }
  }
}

/** Resolves with the first stdout line of `child` that matches, or rejects on exit/timeout. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr: ${stderr}`)), timeoutMs);
    child.stderr?.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdout?.on("data", function onData(b: Buffer) {
      buffer += b.toString();
      for (const line of buffer.split("\n")) {
        if (pattern.test(line)) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          return resolve(line);
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before printing ${pattern}; stderr: ${stderr}`));
    });
  });
}
