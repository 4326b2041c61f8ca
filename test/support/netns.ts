/**
 * @module
 * Network namespaces for e2e tests: uniquely named per run (other engineers' tests run on the
 * same machine), always deleted afterwards, and never connected to the host's own namespace,
 * so no test packet can leave them. Commands run with argument arrays, never a shell.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";

/** `wf<pid><random>`: a prefix no concurrent run shares. */
export function uniqueNetnsPrefix(): string {
  return `wf${process.pid}${randomBytes(2).toString("hex")}`;
}

/** Runs a command and returns its stdout; throws with its stderr. */
export function sh(argv: string[]): string {
  return execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs a command inside a namespace. */
export function inNetns(netns: string, argv: string[]): string {
  return sh(["ip", "netns", "exec", netns, ...argv]);
}

/** Creates namespaces with `lo` up, remembering them for `deleteNetns`. */
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
      // already gone
    }
  }
}

/** True when `ping` from `netns` to `address` gets an answer within `seconds` tries. */
export async function pings(netns: string, address: string, seconds = 6): Promise<boolean> {
  for (let i = 0; i < seconds; i++) {
    try {
      inNetns(netns, ["ping", "-n", "-c", "1", "-W", "1", address]);
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
  return inNetns(netns, [process.execPath, "-e", ECHO_CLIENT, address, String(port), message]);
}
