/**
 * @module
 * One size of `bench:scale`: the control plane (`wayfinder serve`) with the synthetic cluster
 * PUT once, then the churn mix sent as PATCHes while 50 lightweight agents and one real agent
 * follow; then the peer, the whole-state path, on a fresh control plane in the same run.
 * Everything it starts is stopped, and its namespace deleted, before it returns or throws.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { keyScope } from "../../lib/desired/object-keys.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { applySnapshotChange, SnapshotChange } from "../../lib/snapshot/snapshot-change.ts";
import { startProcess, stopProcess, type ServerProcess } from "../e2e/server-process.ts";
import { applyToIndex, changeOf, KINDS, tasksByApp, withMarathonApps, type Kind, type TasksByApp } from "./churn.ts";
import { wallNow } from "./converge-probes.ts";
import { LightAgent, relist, type Relist } from "./scale-fleet.ts";
import { cpuSecondsOf, RealNode, rssOf } from "./scale-node.ts";
import { LongPoller } from "./scale-peer.ts";
import { syntheticSnapshot, type SyntheticSize } from "./synthetic-cluster.ts";

const BIN = "bin/wayfinder.js";
const TIMEOUT_MS = 120_000;

/** What to undo if the bench is interrupted: every run registers its teardown while it runs. */
export const teardowns = new Set<() => Promise<void>>();

export interface RunOptions {
  /** Lightweight agents following the watch. */
  fleet: number;
  /** Events per kind on the delta path, and on the whole path. */
  rounds: number;
  peerRounds: number;
  /** Nodes long-polling their whole view on the whole path. */
  peerNodes: number;
  /** The kinds the whole path runs (at 100k each event costs minutes). */
  peerKinds: readonly Kind[];
}

/** What one event kind cost, on either path. */
export interface KindResult {
  events: number;
  /** Mean CPU per change; and per event (10 ms ticks: coarse alone, exact in the sum). */
  cpuMs: number;
  cpuPerEvent: number[];
  wire: number[];
  raw: number[];
  /** Change → applied on the lightweight agents (one sample per agent per event), ms. */
  fleet: number[];
  /** Change → the real agent's appliers took it; its name answering; its VIP reaching the backend, ms. */
  agent: number[];
  name: number[];
  vip: number[];
}

export interface SizeResult {
  size: SyntheticSize;
  keys: number;
  putMs: number;
  relist: Relist;
  agentStartMs: number;
  kinds: Record<Kind, KindResult>;
  memory: { controlPlane: { now: number; peak: number }; agent: { now: number; peak: number }; dns: { now: number; peak: number } };
  /** The whole path's figures, or why it could not be measured. */
  peer: PeerResult | { failed: string };
}

export interface PeerResult {
  putMs: number;
  relist: { ms: number; bytes: number; gzipBytes: number };
  fullReconcileMs: number;
  kinds: Partial<Record<Kind, KindResult>>;
  controlPlane: { now: number; peak: number };
}

const emptyKind = (): KindResult => ({ events: 0, cpuMs: 0, cpuPerEvent: [], wire: [], raw: [], fleet: [], agent: [], name: [], vip: [] });

/** Starts `wayfinder serve` on loopback, no token, a body limit a 100k-task snapshot fits in. */
async function startServe(cluster: string, heapMiB?: number): Promise<{ process: ServerProcess; url: string }> {
  const heap = heapMiB === undefined ? [] : [`--max-old-space-size=${heapMiB}`];
  // BENCH_SCALE_CPU_PROF=DIR: each control plane writes a V8 CPU profile there when it stops.
  const profile = process.env["BENCH_SCALE_CPU_PROF"];
  if (profile !== undefined) heap.push("--cpu-prof", "--cpu-prof-dir", profile);
  const serve = startProcess(process.execPath, [...heap, BIN, "serve", "--listen", "127.0.0.1:0"], { WAYFINDER_TOKEN: "", WAYFINDER_BODY_LIMIT: String(2 ** 30) });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output());
    if (match !== null) return { process: serve, url: `${match[1]}/v1/clusters/${cluster}` };
    if (serve.child.exitCode !== null || Date.now() > deadline) throw new Error(`wayfinder serve did not start:\n${serve.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * PUTs or PATCHes the snapshot on a connection of its own: a pooled one may have been closed by
 * the server's keep-alive timeout while a whole-path event ran, and fail the write with EPIPE.
 */
function send(url: string, method: "PUT" | "PATCH", body: unknown): Promise<{ generation: number; hash: string }> {
  const payload = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(`${url}/snapshot`, { method, agent: false, headers: { "content-type": "application/json", "content-length": payload.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (b: Buffer) => chunks.push(b));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${method} ${url}/snapshot: HTTP ${res.statusCode}: ${text.slice(0, 2000)}`));
        else resolve(JSON.parse(text) as { generation: number; hash: string });
      });
      res.on("error", reject);
    });
    req.on("error", (error) => reject(new Error(`${method} ${url}/snapshot: ${error.message}`)));
    req.end(payload);
  });
}

const nodeKey = (key: string, nodes: ReadonlySet<string>) => {
  const scope = keyScope(key);
  return scope.scope === "cluster" || (scope.scope === "node" && nodes.has(scope.node));
};

/** Runs the delta path and the peer at one size. */
export async function runSize(size: SyntheticSize, options: RunOptions, log: (line: string) => void): Promise<SizeResult> {
  let snapshot = withMarathonApps(syntheticSnapshot(size));
  const byApp = tasksByApp(snapshot);
  // Agents the churn never loses: the fleet's and the real node's.
  const fleetNodes = snapshot.agents.slice(-options.fleet).map((a) => a.id);
  const realNode = snapshot.agents.at(-options.fleet - 1)!.id;
  const watched = new Set(fleetNodes);

  // The views every lightweight agent starts from, derived here with the pure core.
  const objects = deriveObjects(snapshot);
  const base = new Map<string, string>();
  for (const [key, stored] of objects.entries()) if (nodeKey(key, watched)) base.set(key, stored.hash);
  const startHashes = new Map(fleetNodes.map((n) => [n, objects.nodeHash(n)]));
  log(`  derived ${objects.size} objects; ${base.size} in the fleet's base view`);

  const stateDir = mkdtempSync(join(tmpdir(), "wayfinder-bench-scale-"));
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;
  const node = await RealNode.open();
  const fleet: LightAgent[] = [];
  const teardown = async () => {
    for (const a of fleet) a.close();
    await node.close();
    if (serve !== undefined) await stopProcess(serve.process);
    rmSync(stateDir, { recursive: true, force: true });
  };
  teardowns.add(teardown);
  try {
    serve = await startServe(snapshot.cluster.name);
    let started = wallNow();
    let { generation } = await send(serve.url, "PUT", snapshot);
    const putMs = wallNow() - started;
    log(`  PUT of the whole snapshot: ${putMs.toFixed(0)} ms`);
    const relisted = await relist(serve.url, realNode, true);
    log(`  relist of one node: ${relisted.ms.toFixed(0)} ms, ${relisted.keys} keys`);
    started = wallNow();
    await node.start(serve.url, realNode, stateDir, generation, "app-0.marathon.l4lb.thisdcos.directory", TIMEOUT_MS * 3);
    const agentStartMs = wallNow() - started;
    log(`  real agent started, applied, its DNS server answering: ${agentStartMs.toFixed(0)} ms`);
    for (const [i, id] of fleetNodes.entries()) fleet.push(new LightAgent(base, id, i % 2 === 0));
    await Promise.all(fleet.map((a) => a.follow(serve!.url, generation, startHashes.get(a.node)!, BigInt(`0x${startHashes.get(a.node)}`))));

    let now = Date.parse(snapshot.now);
    let serial = 0;
    const kinds = {} as Record<Kind, KindResult>;
    for (const kind of KINDS) {
      const result = (kinds[kind] = emptyKind());
      let cpu = 0;
      for (let round = 0; round < options.rounds; round++) {
        now += 1000;
        const { change, probe } = changeOf(kind, snapshot, byApp, round, serial++, now);
        const seen = await node.armed(probe, TIMEOUT_MS);
        const cpuBefore = cpuSecondsOf(serve.process.child.pid!);
        const sent = wallNow();
        ({ generation } = await send(serve.url, "PATCH", { baseGeneration: generation, ...change }));
        await Promise.all(fleet.map((a) => a.until(generation, TIMEOUT_MS)));
        const agentAt = await node.untilApplied(generation, TIMEOUT_MS);
        const probed = await seen();
        const used = cpuSecondsOf(serve.process.child.pid!) - cpuBefore;
        cpu += used;
        result.cpuPerEvent.push(used * 1000);
        for (const a of fleet) {
          const applied = a.applied.get(generation)!;
          result.fleet.push(applied.at - sent);
          (a.gzip ? result.wire : result.raw).push(a.gzip ? applied.wire : applied.raw);
        }
        result.agent.push(agentAt - sent);
        if (probed.name !== undefined) result.name.push(probed.name - sent);
        if (probed.vip !== undefined) result.vip.push(probed.vip - sent);
        snapshot = applySnapshotChange(snapshot, SnapshotChange.parse(change));
        applyToIndex(byApp, snapshot, change);
      }
      result.events = options.rounds;
      result.cpuMs = (cpu * 1000) / options.rounds;
      log(`  ${kind}: ${options.rounds} events`);
    }
    const memory = { controlPlane: rssOf(serve.process.child.pid!), ...node.memory() };
    const errors = fleet.flatMap((a) => a.errors);
    if (errors.length > 0) throw new Error(`lightweight agents failed: ${errors.slice(0, 5).join("; ")}`);
    for (const a of fleet) a.close();
    await node.close();
    await stopProcess(serve.process);
    serve = undefined;

    const peer = await runPeer(snapshot, byApp, serial, now, options, fleetNodes, log).catch((error: Error): { failed: string } => {
      log(`  peer failed: ${error.message}`);
      return { failed: error.message.split("\n")[0]! };
    });
    return { size, keys: objects.size, putMs, relist: relisted, agentStartMs, kinds, memory, peer };
  } finally {
    teardowns.delete(teardown);
    await teardown();
  }
}

/** The whole-state path from where the delta path left the cluster: a whole PUT per change, nodes long-polling their whole view. */
async function runPeer(start: ClusterSnapshot, byApp: TasksByApp, firstSerial: number, firstNow: number, options: RunOptions, nodes: string[], log: (line: string) => void): Promise<PeerResult> {
  let snapshot = start;
  let serial = firstSerial;
  let now = firstNow;
  // The whole path holds whole views next to the derivation: more heap than Node's default 4 GiB at 100k.
  const serve = await startServe(snapshot.cluster.name, 12_288);
  const pollers = nodes.slice(0, options.peerNodes).map((n) => new LongPoller(serve.url, n));
  const teardown = async () => {
    for (const p of pollers) p.stop();
    await stopProcess(serve.process);
  };
  teardowns.add(teardown);
  try {
    let started = wallNow();
    await send(serve.url, "PUT", snapshot);
    const putMs = wallNow() - started;
    const relisted = await pollers[0]!.start();
    await Promise.all(pollers.slice(1).map((p) => p.start()));
    log(`  peer: PUT ${putMs.toFixed(0)} ms, whole view of one node ${relisted.ms.toFixed(0)} ms (${(relisted.bytes / 2 ** 20).toFixed(1)} MiB)`);
    const kinds: PeerResult["kinds"] = {};
    for (const kind of options.peerKinds) {
      const result = (kinds[kind] = emptyKind());
      let cpu = 0;
      for (let round = 0; round < options.peerRounds; round++) {
        now += 1000;
        const { change } = changeOf(kind, snapshot, byApp, round + options.rounds, serial++, now);
        snapshot = applySnapshotChange(snapshot, SnapshotChange.parse(change));
        applyToIndex(byApp, snapshot, change);
        const body = JSON.stringify(snapshot);
        const cpuBefore = cpuSecondsOf(serve.process.child.pid!);
        const sent = wallNow();
        await send(serve.url, "PUT", body).catch((error: Error) => {
          throw new Error(`${error.message}; the control plane said: ${serve.process.output().slice(-1500)}`);
        });
        const views = await Promise.all(pollers.map((p) => p.after(sent, TIMEOUT_MS * 2)));
        cpu += cpuSecondsOf(serve.process.child.pid!) - cpuBefore;
        for (const v of views) {
          result.fleet.push(v.at - sent);
          result.raw.push(v.bytes);
        }
      }
      result.events = options.peerRounds;
      result.cpuMs = (cpu * 1000) / options.peerRounds;
      log(`  peer ${kind}: ${options.peerRounds} events`);
    }
    const controlPlane = rssOf(serve.process.child.pid!);
    // The whole reconcile the control plane ran per PUT before the delta path (now a PUT is diffed).
    const cpuStart = process.cpuUsage();
    reconcile(snapshot);
    const used = process.cpuUsage(cpuStart);
    return { putMs, relist: relisted, fullReconcileMs: (used.user + used.system) / 1000, kinds, controlPlane };
  } finally {
    teardowns.delete(teardown);
    await teardown();
  }
}
