/**
 * @module
 * The policy conformance lab: agent namespaces on one underlay bridge joined by the real VXLAN
 * overlay (the overlay and CNI appliers on each agent's node view), containers attached with
 * Debian's CNI `bridge` + `host-local` plugins through the conflists those appliers installed,
 * and in every container (and on agents, and outside) one process that serves TCP and UDP and
 * probes on request. Every namespace has a unique name and is deleted in `teardown`.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { spawn, type ChildProcess } from "node:child_process";
import { nodeView } from "../../../functions/node-view.ts";
import { applyDesired, type ApplyReport } from "../../../lib/executor/apply-desired.ts";
import type { Applier } from "../../../lib/executor/applier.ts";
import { createOverlayApplier } from "../../../lib/executor/overlay/applier.ts";
import { createCniApplier } from "../../../lib/executor/cni/applier.ts";
import { createNftablesApplier } from "../../../lib/executor/l4lb/nftables-applier.ts";
import { createPolicyApplier, type PolicyApplier } from "../../../lib/executor/policy/nftables-applier.ts";
import type { DesiredState } from "../../../lib/desired/schema.ts";
import { cniAdd } from "../../support/cni-exec.ts";
import { createNetns, deleteNetns, sh, uniqueNetnsPrefix } from "./netns.ts";

const PROBE = fileURLToPath(new URL("./policy-probe.mjs", import.meta.url));

export interface LabAgent {
  id: string;
  ip: string;
  public: boolean;
  netns: string;
  cniDir: string;
  stateDir: string;
  policy: PolicyApplier;
  appliers: Applier[];
}

export interface LabProbe {
  proto: "tcp" | "udp";
  host: string;
  port: number;
}

/** One process that serves and probes, in one namespace. */
class Prober {
  readonly #pending = new Map<number, (result: { reply?: string; error?: string }) => void>();
  #next = 0;

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const result = JSON.parse(line) as { id: number; reply?: string; error?: string };
      this.#pending.get(result.id)?.(result);
      this.#pending.delete(result.id);
    });
  }

  probe(probe: LabProbe, timeoutMs: number): Promise<{ reply?: string; error?: string }> {
    const id = ++this.#next;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.child.stdin!.write(`${JSON.stringify({ id, ...probe, timeoutMs })}\n`);
    });
  }
}

export class PolicyLab {
  readonly prefix = uniqueNetnsPrefix();
  readonly work = join(tmpdir(), `wayfinder-policy-e2e-${this.prefix}`);
  readonly agents: LabAgent[] = [];
  /** The namespaces of containers, by task name. */
  readonly containers = new Map<string, { netns: string; agent: string; network: string; ip: string }>();
  readonly #created: string[] = [];
  readonly #probers = new Map<string, Prober>();
  readonly #children: ChildProcess[] = [];

  /** A host on the underlay that is no agent: a client outside the cluster. */
  readonly outside = { netns: `${this.prefix}x`, ip: "192.0.2.100" };

  /** The underlay bridge, one namespace per agent, and the outside host. */
  constructor(agents: ReadonlyArray<{ id: string; ip: string; public?: boolean }>) {
    mkdirSync(this.work, { recursive: true });
    const underlay = `${this.prefix}u`;
    createNetns(this.#created, underlay, this.outside.netns);
    sh(["ip", "-n", underlay, "link", "add", "br0", "type", "bridge"]);
    sh(["ip", "-n", underlay, "link", "set", "br0", "up"]);
    const hosts = [...agents.map((a) => ({ ...a, netns: `${this.prefix}${a.id}` })), { id: "x", ip: this.outside.ip, netns: this.outside.netns }];
    hosts.forEach((host, i) => {
      if (host.id !== "x") createNetns(this.#created, host.netns);
      sh(["ip", "link", "add", "eth0", "netns", host.netns, "type", "veth", "peer", "name", `p${i}`, "netns", underlay]);
      sh(["ip", "-n", underlay, "link", "set", `p${i}`, "master", "br0", "up"]);
      sh(["ip", "-n", host.netns, "addr", "add", `${host.ip}/24`, "dev", "eth0"]);
      sh(["ip", "-n", host.netns, "link", "set", "eth0", "up"]);
    });
    for (const a of agents) {
      const netns = `${this.prefix}${a.id}`;
      const cniDir = join(this.work, a.id, "net.d");
      const stateDir = join(this.work, a.id, "state");
      const policy = createPolicyApplier({ netns });
      const appliers = [createOverlayApplier({ netns }), createCniApplier({ stateDir, dir: cniDir }), policy, createNftablesApplier({ netns })];
      this.agents.push({ id: a.id, ip: a.ip, public: a.public ?? false, netns, cniDir, stateDir, policy, appliers });
    }
  }

  agent(id: string): LabAgent {
    return this.agents.find((a) => a.id === id)!;
  }

  /** Every agent's executor on its node view; each report is returned for the test to check. */
  async apply(desired: DesiredState): Promise<ApplyReport[]> {
    return Promise.all(this.agents.map((a) => applyDesired(nodeView(desired, a.id), a.appliers)));
  }

  /** A container on `network` of agent `agentId`, serving and probing; resolves with its address. */
  async container(name: string, agentId: string, network: string, ports: readonly number[]): Promise<string> {
    const agent = this.agent(agentId);
    const netns = `${this.prefix}c${this.containers.size}`;
    createNetns(this.#created, netns);
    const conflist = readFileSync(join(agent.cniDir, `${network}.conflist`), "utf8");
    const result = await cniAdd(conflist, { hostNetns: agent.netns, containerNetns: netns, containerId: `${this.prefix}-${name}` });
    const ip = result.ips![0]!.address.split("/")[0]!;
    this.containers.set(name, { netns, agent: agentId, network, ip });
    await this.startProber(name, netns, ports);
    return ip;
  }

  /** A serving and probing process in an existing namespace (an agent's, for a host-network task); `name@address` serves on one address. */
  async startProber(spec: string, netns: string, ports: readonly number[] = []): Promise<void> {
    const name = spec.split("@")[0]!;
    const child = spawn("ip", ["netns", "exec", netns, process.execPath, PROBE, spec, ...ports.map(String)], { stdio: ["pipe", "pipe", "pipe"] });
    this.#children.push(child);
    const prober = new Prober(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 15_000);
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        if (line === `ready ${name}`) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("exit", (code) => reject(new Error(`${name} exited ${code}`)));
    });
    this.#probers.set(name, prober);
  }

  /** A long-running process in a namespace (HAProxy, say), in `cwd`, killed on teardown. */
  spawnIn(netns: string, argv: readonly string[], cwd?: string): ChildProcess {
    const child = spawn("ip", ["netns", "exec", netns, ...argv], { stdio: ["ignore", "ignore", "pipe"], ...(cwd === undefined ? {} : { cwd }) });
    this.#children.push(child);
    return child;
  }

  /** Runs every probe of every source at once; results in input order. */
  async probe(requests: ReadonlyArray<{ from: string } & LabProbe>, timeoutMs = 1000): Promise<Array<{ reply?: string; error?: string }>> {
    return Promise.all(requests.map(({ from, ...probe }) => this.#probers.get(from)!.probe(probe, timeoutMs)));
  }

  /** Kills a container's process and removes its namespace (a task that ended). */
  remove(name: string): void {
    const container = this.containers.get(name)!;
    this.#probers.get(name)?.child.kill("SIGKILL");
    this.#probers.delete(name);
    sh(["ip", "netns", "del", container.netns]);
    this.containers.delete(name);
  }

  /** Kills every process, deletes every namespace and the work directory; never throws. */
  teardown(): void {
    // The appliers' long-lived nft processes end once their input closes.
    for (const agent of this.agents) for (const applier of agent.appliers) void applier.close?.().catch(() => undefined);
    for (const child of this.#children.splice(0)) child.kill("SIGKILL");
    deleteNetns(this.#created);
    rmSync(this.work, { recursive: true, force: true });
  }
}
