/**
 * @module
 * Network namespaces for end-to-end tests: uniquely named per run (`wf<pid><rand><role>`:
 * other engineers' tests run on the same machine), wired with veth pairs, and always deleted,
 * even when a test fails. They are never connected to the host's own namespace, so no test
 * packet can leave them. Commands run with argument arrays, never a shell.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

/** `wf<pid><random>`: a prefix no concurrent run shares. */
export function uniqueNetnsPrefix(): string {
  return `wf${process.pid}${randomBytes(2).toString("hex")}`;
}

/** Runs a command (argument array, no shell) and returns its stdout; throws with its stderr. */
export function sh(argv: string[], input?: string): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs a command inside `ns` and returns its stdout. */
export function inNs(ns: string, argv: string[], input?: string): string {
  return sh(["ip", "netns", "exec", ns, ...argv], input);
}

/** Creates namespaces with `lo` up, remembering each in `created` (for `deleteNetns`) as soon as it exists. */
export function createNetns(created: string[], ...names: string[]): void {
  for (const name of names) {
    sh(["ip", "netns", "add", name]);
    created.push(name);
    sh(["ip", "-n", name, "link", "set", "lo", "up"]);
  }
}

/** Deletes every namespace in the list that still exists; never throws (runs in afterAll). */
export function deleteNetns(created: readonly string[]): void {
  for (const name of created) {
    try {
      sh(["ip", "netns", "del", name]);
    } catch {
      // Already gone: nothing left to clean.
    }
  }
}

/** A set of namespaces, and processes started in them, that are torn down together. */
export class NetnsLab {
  readonly prefix = uniqueNetnsPrefix();
  readonly #namespaces: string[] = [];
  readonly #children: ChildProcess[] = [];

  /** Creates `<prefix><role>` with `lo` up, or left down as `ip netns add` makes it. */
  add(role: string, options: { loopback?: "up" | "down" } = {}): string {
    const name = `${this.prefix}${role}`;
    if (options.loopback === "down") {
      sh(["ip", "netns", "add", name]);
      this.#namespaces.push(name);
    } else createNetns(this.#namespaces, name);
    return name;
  }

  /**
   * Connects `a` and `b` with a veth pair and addresses (`10.90.2.1/24`, `fd00:90:2::1/64`).
   * The interface in `a` is named `ifA`, the one in `b` is `eth0`.
   */
  link(a: string, ifA: string, b: string, addrA: string[], addrB: string[]): void {
    sh(["ip", "-n", a, "link", "add", ifA, "type", "veth", "peer", "name", "eth0", "netns", b]);
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
    deleteNetns(this.#namespaces.splice(0));
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

/** True when `ping` from `netns` to `address` gets an answer within `seconds` tries. */
export async function pings(netns: string, address: string, seconds = 6): Promise<boolean> {
  for (let i = 0; i < seconds; i++) {
    try {
      inNs(netns, ["ping", "-n", "-c", "1", "-W", "1", address]);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}

const ECHO_SERVER = `
const net = require("node:net");
const server = net.createServer((s) => s.on("data", (d) => s.end("echo " + d + " from " + s.remoteAddress)));
server.listen(0, process.argv[1], () => process.stdout.write(String(server.address().port) + "\\n"));
`;

const ECHO_CLIENT = `
const net = require("node:net");
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]), timeout: 3000 }, () => s.write(process.argv[3]));
let reply = "";
s.on("data", (d) => (reply += d));
s.on("end", () => { process.stdout.write(reply); process.exit(0); });
s.on("timeout", () => { process.stderr.write("timeout"); process.exit(1); });
s.on("error", (e) => { process.stderr.write(e.message); process.exit(1); });
`;

/**
 * A TCP echo server in a namespace, on a port the kernel picks; it answers `echo <message>
 * from <client address>`, so a test sees whether the source was rewritten. Resolves once it listens.
 */
export function startEchoServer(netns: string, address: string): Promise<{ port: number; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", ECHO_SERVER, address], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) resolve({ port: Number(out.trim()), process: child });
    });
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`echo server exited ${code}`)));
  });
}

/** Sends `message` from a namespace to an echo server; resolves with the reply. */
export function tcpEcho(netns: string, address: string, port: number, message: string): string {
  return inNs(netns, [process.execPath, "-e", ECHO_CLIENT, address, String(port), message]);
}
