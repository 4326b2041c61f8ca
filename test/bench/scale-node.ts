/**
 * @module
 * `bench:scale`'s real node: `wayfinder agent` following the control plane's watch and applying
 * DNS (to the zones store `wayfinder dns --zones` serves) and the VIPs (nftables in a network
 * namespace the bench creates), and the probes that show a change running on it: its DNS
 * server's answer for a name (over UDP on loopback), and a TCP connection through a VIP,
 * made from inside the namespace, reaching a given backend.
 *
 * The namespace holds `9.0.0.0/8` and `10.0.0.0/8` on its `lo`, so every address of the
 * synthetic cluster (and every fresh one the churn gives) is local there: a connection the VIP
 * sends to a host port nobody listens on is refused at once instead of vanishing unrouted.
 * One backend listens on `0.0.0.0:8080` and `:8443` and answers with the address it was
 * reached at, which tells the prober which backend the VIP chose. Nothing leaves the
 * namespace: it has only `lo`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { inNs, NetnsLab } from "../e2e/support/netns.ts";
import { freePort, startProcess, stopProcess, type ServerProcess } from "../e2e/server-process.ts";
import { whenResolves } from "./converge-probes.ts";
import type { ChurnProbe } from "./churn.ts";

const BIN = "bin/wayfinder.js";

const BACKEND = `
const net = require("node:net");
let up = 0;
for (const port of [8080, 8443]) net.createServer((s) => s.end(s.localAddress)).listen(port, "0.0.0.0", () => { if (++up === 2) process.stdout.write("ready\\n"); });`;

/** Connects to \`ip port\` every 2 ms until the answer is \`backend\` (or anything, for \`*\`); prints \`<id> <wall time>\`. */
const PROBER = `
const net = require("node:net");
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  const [id, ip, port, backend] = line.split(" ");
  const attempt = () => {
    const socket = net.connect({ host: ip, port: Number(port) });
    let reply = "";
    let settled = false;
    const retry = () => { if (settled) return; settled = true; socket.destroy(); setTimeout(attempt, 2); };
    socket.setTimeout(200, retry);
    socket.on("error", retry);
    socket.on("data", (b) => (reply += b));
    socket.on("end", () => {
      if (backend !== "*" && reply !== backend) return retry();
      settled = true;
      process.stdout.write(id + " " + (performance.timeOrigin + performance.now()) + "\\n");
    });
  };
  attempt();
});`;

/** Peak and current resident set of a process, in MiB, from /proc. */
export function rssOf(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { now: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/** CPU seconds (user + system) a process has used, from /proc (clock ticks of 10 ms). */
export function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A real node: the agent and its DNS server, the namespace its VIPs live in, and the probes. */
export class RealNode {
  readonly #lab = new NetnsLab();
  readonly ns: string;
  readonly #pending = new Map<string, (at: number) => void>();
  readonly #processes: ServerProcess[] = [];
  #prober: ReturnType<NetnsLab["spawn"]> | undefined;
  #metricsUrl = "";
  #dnsPort = 0;
  #probes = 0;

  private constructor() {
    this.ns = this.#lab.add("scale");
  }

  /** The namespace with its backend listening and its prober started; `close()` undoes everything. */
  static async open(): Promise<RealNode> {
    const node = new RealNode();
    try {
      for (const block of ["9.0.0.1/8", "10.0.0.1/8"]) inNs(node.ns, ["ip", "addr", "add", block, "dev", "lo"]);
      const backend = node.#lab.spawn(node.ns, [process.execPath, "-e", BACKEND]);
      await new Promise<void>((resolve, reject) => {
        backend.stdout!.once("data", () => resolve());
        backend.once("exit", (code) => reject(new Error(`the VIP backend exited (${code})`)));
      });
      node.#prober = node.#lab.spawn(node.ns, [process.execPath, "-e", PROBER]);
      createInterface({ input: node.#prober.stdout! }).on("line", (line) => {
        const [id, at] = line.split(" ");
        node.#pending.get(id!)?.(Number(at));
        node.#pending.delete(id!);
      });
      return node;
    } catch (error) {
      node.#lab.teardown();
      throw error;
    }
  }

  get agent(): ServerProcess | undefined {
    return this.#processes[0];
  }

  get dns(): ServerProcess | undefined {
    return this.#processes[1];
  }

  /** Starts the agent for `node` and its DNS server; resolves once the agent applied `generation` and the DNS server answers `name` from it. */
  async start(clusterUrl: string, node: string, stateDir: string, generation: number, name: string, timeoutMs: number): Promise<void> {
    const metrics = await freePort();
    this.#dnsPort = await freePort();
    this.#metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
    this.#processes.push(
      startProcess(process.execPath, [
        BIN, "agent", "--node", node, "--source", clusterUrl, "--state-dir", stateDir, "--apply", "l4lb,dns", "--netns", this.ns,
        "--l4-backend", "nftables", "--resync-interval", "0", "--metrics", `127.0.0.1:${metrics}`,
      ]),
      startProcess(process.execPath, [BIN, "dns", "--zones", join(stateDir, "dns"), "--listen", `127.0.0.1:${this.#dnsPort}`]),
    );
    await this.untilApplied(generation, timeoutMs);
    // The DNS server loads a store written afresh off to the side: until it swaps it in, it answers the built-in zones.
    await this.answers(name, (a) => a.length > 0, timeoutMs);
  }

  /** Resolves with the wall time the agent's appliers have all taken `generation` (polled every 5 ms). */
  async untilApplied(generation: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await fetch(this.#metricsUrl).then((r) => r.text()).catch(() => "");
      const applied = Number(/^wayfinder_agent_applied_generation (\d+)/m.exec(text)?.[1] ?? -1);
      if (applied >= generation) return performance.timeOrigin + performance.now();
      if (Date.now() > deadline) throw new Error(`the agent did not apply generation ${generation} within ${timeoutMs} ms (at ${applied}):\n${this.agent?.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Resolves with the wall time `name` answers with its addresses satisfying `accept`. */
  answers(name: string, accept: (addresses: string[]) => boolean, timeoutMs: number): Promise<number> {
    return whenResolves(this.#dnsPort, name, timeoutMs, accept);
  }

  /** The addresses `name` answers now (empty when it does not). */
  async addressesOf(name: string): Promise<string[]> {
    let seen: string[] = [];
    await whenResolves(this.#dnsPort, name, 5_000, (a) => ((seen = a), true));
    return seen;
  }

  /** Resolves with the wall time a connection to `ip:port` from inside the namespace reached `backend` (`*`: any). */
  reaches(ip: string, port: number, backend: string, timeoutMs: number): Promise<number> {
    const id = `p${++this.#probes}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${ip}:${port} did not reach ${backend} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
      this.#prober!.stdin!.write(`${id} ${ip} ${port} ${backend}\n`);
    });
  }

  /**
   * Starts watching for what `probe` shows and resolves with the wall times of the name answering
   * and the VIP reaching its backend, whichever the probe has. Call it before the change is sent.
   */
  async armed(probe: ChurnProbe, timeoutMs: number): Promise<() => Promise<{ name?: number; vip?: number }>> {
    const { name, vip } = probe;
    const named = name === undefined ? undefined : this.answers(name.fqdn, (a) => a.includes(name.ip) === name.present, timeoutMs);
    let live: Promise<number> | undefined;
    if (vip !== undefined) {
      // A VIP the cluster had already is reached at its address now; a new one once its name answers.
      const known = await this.addressesOf(vip.fqdn).catch(() => []);
      live = (known.length > 0 ? Promise.resolve(known[0]!) : this.answers(vip.fqdn, (a) => a.length > 0, timeoutMs).then(() => this.addressesOf(vip.fqdn)).then((a) => a[0]!)).then((ip) =>
        this.reaches(ip, vip.port, vip.backend, timeoutMs),
      );
    }
    // Both probes run now; awaiting them is left to the caller, after it sent the change.
    named?.catch(() => {});
    live?.catch(() => {});
    return async () => ({ ...(named === undefined ? {} : { name: await named }), ...(live === undefined ? {} : { vip: await live }) });
  }

  /** Memory of the agent and the DNS server, in MiB. */
  memory(): { agent: { now: number; peak: number }; dns: { now: number; peak: number } } {
    return { agent: rssOf(this.agent!.child.pid!), dns: rssOf(this.dns!.child.pid!) };
  }

  async close(): Promise<void> {
    for (const p of this.#processes.reverse()) await stopProcess(p).catch(() => {});
    this.#lab.teardown();
  }
}
