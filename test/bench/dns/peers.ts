/**
 * @module
 * The processes `npm run bench:dns` measures, each started on a free loopback port and
 * stopped afterwards: wayfinder dns, unbound (authoritative `local-data`, or forwarding), the
 * mesos-dns-style sequential forwarder, and an upstream that never answers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import dnsPacket from "dns-packet";

export interface Peer {
  name: string;
  port: number;
  /** The process (and its workers) to charge CPU to. */
  pid: number;
  stop(): Promise<void>;
}

/** A UDP port free right now on 127.0.0.1 (and for TCP, which wayfinder dns also binds). */
export async function freePort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Resolves once `port` answers `name` (any reply), or throws after `timeoutMs`. */
export async function waitForAnswer(port: number, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const query = dnsPacket.encode({ type: "query", id: 1, questions: [{ type: "A", name }] });
  while (Date.now() < deadline) {
    const answered = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket("udp4");
      const timer = setTimeout(() => {
        socket.close();
        resolve(false);
      }, 300);
      socket.on("message", () => {
        clearTimeout(timer);
        socket.close();
        resolve(true);
      });
      socket.send(query, port, "127.0.0.1");
    });
    if (answered) return;
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

function started(name: string, child: ChildProcess, port: number): Peer {
  let output = "";
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  child.on("exit", (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`${name} exited ${code}:\n${output}\n`);
  });
  return {
    name,
    port,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** `wayfinder dns` on a fresh port. */
export async function startWayfinder(args: string[], workers: number): Promise<Peer> {
  const port = await freePort();
  const child = spawn(process.execPath, ["bin/wayfinder.js", "dns", "--listen", `127.0.0.1:${port}`, "--workers", String(workers), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const peer = started(`wayfinder dns (${workers} worker${workers > 1 ? "s" : ""})`, child, port);
  await waitForAnswer(port, "localhost");
  return peer;
}

export interface UnboundSetup {
  /** `local-data` lines (RR text). */
  localData?: string[];
  /** `local-zone: "<zone>." <type>` entries. */
  localZones?: Array<[string, string]>;
  /** Forward everything to these loopback ports, in order. */
  forwardTo?: number[];
}

/** unbound with one thread, its config written into `dir`. */
export async function startUnbound(dir: string, label: string, setup: UnboundSetup): Promise<Peer> {
  const port = await freePort();
  const config = [
    "server:",
    "  interface: 127.0.0.1",
    `  port: ${port}`,
    "  num-threads: 1",
    "  do-daemonize: no",
    "  use-syslog: no",
    '  logfile: ""',
    '  chroot: ""',
    '  username: ""',
    `  directory: "${dir}"`,
    '  pidfile: ""',
    "  do-ip6: no",
    "  access-control: 127.0.0.0/8 allow",
    '  module-config: "iterator"',
    // Loopback upstreams are refused by default.
    "  do-not-query-localhost: no",
    ...(setup.localZones ?? []).map(([zone, type]) => `  local-zone: "${zone}." ${type}`),
    ...(setup.localData ?? []).map((rr) => `  local-data: "${rr}"`),
    ...(setup.forwardTo === undefined ? [] : ["forward-zone:", '  name: "."', ...setup.forwardTo.map((p) => `  forward-addr: 127.0.0.1@${p}`)]),
    "",
  ].join("\n");
  const path = join(dir, `unbound-${label}.conf`);
  writeFileSync(path, config);
  const child = spawn("unbound", ["-d", "-c", path], { stdio: ["ignore", "pipe", "pipe"] });
  const peer = started(`unbound ${label}`, child, port);
  await waitForAnswer(port, "localhost");
  return peer;
}

/** The mesos-dns-style forwarder (`sequential-forwarder.ts`) in its own process. */
export async function startSequentialForwarder(upstreamPorts: number[], timeoutMs: number): Promise<Peer> {
  const port = await freePort();
  const script = fileURLToPath(new URL("./sequential-forwarder.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, String(port), String(timeoutMs), ...upstreamPorts.map(String)], { stdio: ["ignore", "pipe", "pipe"] });
  const peer = started("sequential forwarder", child, port);
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return peer;
}

/** The minimal Node relay (`minimal-relay.ts`) to one upstream, in its own process. */
export async function startMinimalRelay(upstreamPort: number): Promise<Peer> {
  const port = await freePort();
  const script = fileURLToPath(new URL("./minimal-relay.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script, String(port), String(upstreamPort)], { stdio: ["ignore", "pipe", "pipe"] });
  const peer = started("minimal Node relay", child, port);
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  return peer;
}

/** An upstream that takes every query and never answers. */
export async function startBlackHole(): Promise<Peer & { received: () => number }> {
  const socket = dgram.createSocket("udp4");
  let received = 0;
  socket.on("message", () => received++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return {
    name: "black hole",
    port: socket.address().port,
    pid: process.pid,
    received: () => received,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** CPU seconds (user + system) used so far by `pid` and its child processes (cluster workers). */
export function cpuSeconds(pid: number): number {
  const ticks = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  let total = ticks(pid);
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      if (Number(fields[1]) === pid) total += ticks(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return total / 100; // USER_HZ
}
