/**
 * @module
 * How `bench:converge` sees that a node runs a change: the record in the zone file the files
 * applier installs, the node's DNS server answering it (once the DNS applier is registered),
 * and a connection through the new VIP reaching its backend inside a network namespace the
 * bench creates (once the VIP applier is). Every probe resolves with `performance.timeOrigin +
 * performance.now()` of the moment it saw the change, comparable across processes.
 */
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { watch } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import dnsPacket from "dns-packet";
import { inNs, NetnsLab } from "../e2e/support/netns.ts";

/** Milliseconds since the epoch with sub-millisecond precision, the same clock in every process. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** Resolves when `file` contains `text`: woken by inotify on its directory, checked every 20 ms as well. */
export function whenContains(file: string, text: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = async () => {
      if (done) return;
      const content = await readFile(file, "utf8").catch(() => "");
      if (!done && content.includes(text)) {
        done = true;
        const at = wallNow();
        cleanup();
        resolve(at);
      }
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(join(file, ".."), () => void check());
    } catch {
      watcher = undefined; // the directory is not there yet: polling alone
    }
    const poll = setInterval(() => void check(), 20);
    const timer = setTimeout(() => {
      done = true;
      cleanup();
      reject(new Error(`${text} not in ${file} after ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      watcher?.close();
      clearInterval(poll);
      clearTimeout(timer);
    };
    void check();
  });
}

/**
 * Asks the node's DNS server for `name` A over UDP every 5 ms until its addresses satisfy
 * `accept` (by default: it answers one), with EDNS so an RRset of dozens of addresses fits
 * (dns-packet on a socket: spawning dig per try would cost more than what is measured).
 */
export function whenResolves(port: number, name: string, timeoutMs: number, accept: (addresses: string[]) => boolean = (a) => a.length > 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    let id = 0;
    let settled = false;
    const ask = () =>
      socket.send(
        dnsPacket.encode({ type: "query", id: ++id % 65536, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: "A", name }], additionals: [{ type: "OPT", name: ".", udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }),
        port,
        "127.0.0.1",
      );
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      clearTimeout(deadline);
      socket.close();
      if (error) reject(error);
    };
    socket.on("message", (message) => {
      const answers = dnsPacket.decode(message).answers ?? [];
      if (accept(answers.flatMap((a) => (a.type === "A" ? [a.data] : [])))) {
        const at = wallNow();
        finish();
        resolve(at);
      }
    });
    const timer = setInterval(ask, 5);
    const deadline = setTimeout(() => finish(new Error(`${name} did not resolve within ${timeoutMs} ms`)), timeoutMs);
    ask();
  });
}

/** The backend every VIP task of the bench has: an address on the namespace's `lo`, a TCP port. */
export const VIP_BACKEND = { ip: "10.77.0.1", port: 8080 } as const;

/** Connects to `ip port` every 2 ms until the backend answers; prints `<id> <wall time>`. Runs inside the namespace. */
const PROBER = `
const net = require("node:net");
const lines = require("node:readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [id, ip, port] = line.split(" ");
  const attempt = () => {
    const socket = net.connect({ host: ip, port: Number(port) });
    let settled = false;
    const retry = () => { if (settled) return; settled = true; socket.destroy(); setTimeout(attempt, 2); };
    socket.setTimeout(200, retry);
    socket.on("error", retry);
    socket.on("data", () => { settled = true; process.stdout.write(id + " " + (performance.timeOrigin + performance.now()) + "\\n"); socket.destroy(); });
  };
  attempt();
});`;

const BACKEND = `require("node:net").createServer((s) => s.end("ok")).listen(${VIP_BACKEND.port}, "${VIP_BACKEND.ip}", () => process.stdout.write("ready\\n"));`;

/**
 * A namespace the agent's VIP applier programs (`--netns`), with the backend listening in it and
 * a prober that connects from inside it. Nothing leaves the namespace: it has only `lo`.
 */
export class VipLab {
  readonly #lab = new NetnsLab();
  readonly ns: string;
  readonly #pending = new Map<string, (at: number) => void>();
  readonly #prober;

  private constructor() {
    this.ns = this.#lab.add("conv");
    inNs(this.ns, ["ip", "addr", "add", `${VIP_BACKEND.ip}/32`, "dev", "lo"]);
    this.#prober = this.#lab.spawn(this.ns, [process.execPath, "-e", PROBER]);
    createInterface({ input: this.#prober.stdout! }).on("line", (line) => {
      const [id, at] = line.split(" ");
      this.#pending.get(id!)?.(Number(at));
      this.#pending.delete(id!);
    });
  }

  /** A lab with its backend listening; undefined (with the reason) where namespaces or nft are missing. */
  static async open(): Promise<VipLab | string> {
    if (process.getuid?.() !== 0) return "not root";
    try {
      execFileSync("nft", ["--version"], { stdio: "ignore" });
    } catch {
      return "nft missing";
    }
    const lab = new VipLab();
    const backend = lab.#lab.spawn(lab.ns, [process.execPath, "-e", BACKEND]);
    await new Promise<void>((resolve, reject) => {
      backend.stdout!.once("data", () => resolve());
      backend.once("exit", (code) => reject(new Error(`the VIP backend exited (${code})`)));
    });
    return lab;
  }

  /** Resolves once a connection to `ip:port` from inside the namespace reaches the backend. */
  whenServes(id: string, ip: string, port: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`VIP ${ip}:${port} did not serve within ${timeoutMs} ms`)), timeoutMs);
      this.#pending.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
      this.#prober.stdin!.write(`${id} ${ip} ${port}\n`);
    });
  }

  close(): void {
    this.#lab.teardown();
  }
}

/**
 * The VIP address of named VIP `name` (`<label>.<framework>`) in the agent's remembered desired
 * state, which it writes before applying: polled every 5 ms.
 */
export async function vipAddress(stateDir: string, name: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(join(stateDir, "agent/state.json"), "utf8").catch(() => "");
    if (text.includes(`"${name}"`)) {
      const state = JSON.parse(text) as { desired: { l4lb: { services: { name?: string; vip: { ip: string } }[] } } };
      const service = state.desired.l4lb.services.find((s) => s.name === name);
      if (service !== undefined) return service.vip.ip;
    }
    if (Date.now() > deadline) throw new Error(`no VIP ${name} in ${stateDir}/agent/state.json after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
