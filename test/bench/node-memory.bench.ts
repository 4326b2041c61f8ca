/**
 * `npm run bench:node-memory`: what a node's two processes hold at cluster scale, on the
 * synthetic cluster's shapes (`synthetic-cluster.ts`) and the pure core's keyed objects.
 *
 * - `wayfinder dns` on the agent's zones store (`--zones`, the delta path) against the same
 *   server on the node's whole view in one file (`--desired`, what the DNS applier handed over
 *   before: the peer, measured in this run), each a fresh process, RSS read from /proc after it
 *   listens and has answered every name of a sample once.
 * - `wayfinder agent` resuming from its persisted view (hashes for every key, values only for
 *   what its appliers read; the DNS values are the server's), with `--apply dns`, its control
 *   plane unreachable, so what is measured is the view and the process.
 *
 * Sizes: `BENCH_MEMORY_SIZES=10000,100000` tasks, agents and apps as in `RECONCILE_SIZES`.
 * The issue's target at 100k tasks / 10k agents: agent plus DNS server under 300 MB together.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeViewOf } from "../../functions/keyed/assemble.ts";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { keepsWithoutDns } from "../../lib/agent/delta-agent.ts";
import { NodeView } from "../../lib/agent/view/node-view.ts";
import { ViewStore } from "../../lib/agent/view/view-store.ts";
import { DNS_ZONES_STORE } from "../../lib/desired/dns-zones-file.ts";
import { keyScope } from "../../lib/desired/object-keys.ts";
import { KeyedStoreWriter } from "../../lib/journal/store-writer.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { printRows, type BenchRow } from "./report.ts";
import { RECONCILE_SIZES, syntheticSnapshot } from "./synthetic-cluster.ts";

const BIN = "bin/wayfinder.js";
const sizes = (process.env["BENCH_MEMORY_SIZES"] ?? "10000,100000").split(",").map(Number);

/** Peak and current resident set of a process, in MiB. */
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { now: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

/** Starts `args`, waits for `ready` in its output, runs `then`, measures, kills it. */
async function measure(args: string[], ready: RegExp, then: (output: () => string) => Promise<void> = async () => {}): Promise<{ now: number; peak: number }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr.on("data", (b: Buffer) => (output += b.toString()));
  try {
    const deadline = Date.now() + 600_000;
    while (!ready.test(output)) {
      if (child.exitCode !== null) throw new Error(`wayfinder ${args[0]} exited: ${output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`wayfinder ${args[0]} not ready: ${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await then(() => output);
    await new Promise((r) => setTimeout(r, 2000));
    return rss(child.pid!);
  } finally {
    child.kill("SIGKILL");
  }
}

/** Asks the server every name of `names` once over UDP with dig (batch mode). */
function askAll(port: number, names: readonly string[], dir: string): void {
  const file = join(dir, "queries.txt");
  writeFileSync(file, names.map((n) => `${n} A`).join("\n"));
  execFileSync("dig", ["@127.0.0.1", "-p", String(port), "+tries=1", "+time=2", "+short", "-f", file], { maxBuffer: 1 << 26 });
}

async function main(): Promise<void> {
  const rows: BenchRow[] = [];
  for (const tasks of sizes) {
    const size = RECONCILE_SIZES.find((s) => s.tasks === tasks) ?? { tasks, agents: tasks / 10, apps: tasks / 10 };
    const dir = mkdtempSync(join(tmpdir(), "wayfinder-bench-memory-"));
    try {
      const snapshot = syntheticSnapshot(size);
      const node = snapshot.agents[0]!.id;
      const objects = deriveObjects(snapshot);
      const own = [...objects.entries()].filter(([key]) => {
        const scope = keyScope(key);
        return scope.scope === "cluster" || (scope.scope === "node" && scope.node === node);
      });
      // The agent's persisted view and the DNS store, as a relist would leave them.
      const view = new NodeView(keepsWithoutDns);
      view.apply({ upserts: own.map(([key, s]) => ({ key, hash: s.hash, value: keepsWithoutDns(key) ? JSON.parse(s.json) : undefined })), deletes: [] }, 1);
      const { store } = await ViewStore.open(join(dir, "state"), node, keepsWithoutDns);
      await store.append({ generation: 1, hash: view.hash, upserts: new Map(own.map(([key, s]) => [key, { hash: s.hash, json: s.json }])), deletes: new Set() }, view);
      await store.close();
      mkdirSync(join(dir, "state/dns"), { recursive: true });
      const { writer } = await KeyedStoreWriter.open(join(dir, "state/dns"), DNS_ZONES_STORE);
      const dnsKeys = own.filter(([key]) => key.startsWith("dns/")).sort(([a], [b]) => (a.startsWith("dns/zone/") ? -1 : 0) - (b.startsWith("dns/zone/") ? -1 : 0));
      await writer.replace(dnsKeys.map(([key, s]) => ({ key, hash: s.hash, valueJson: s.json })), { generation: 1, hash: view.dnsHash });
      await writer.close();
      // The peer: the node's whole view in one file.
      const desired = nodeViewOf(objects, node);
      writeFileSync(join(dir, "desired.json"), canonicalJson(desired));
      const records = desired.dns.zones.reduce((n, z) => n + z.records.length, 0);
      const sample = desired.dns.zones.flatMap((z) => z.records.filter((r) => r.type === "A").map((r) => r.name)).filter((_, i) => i % 50 === 0);

      const dnsArgs = (source: string[]) => ["dns", ...source, "--listen", "127.0.0.1:0"];
      const listening = /listening on udp\+tcp 127\.0\.0\.1:(\d+)/;
      const ask = async (output: () => string) => askAll(Number(listening.exec(output())![1]), sample, dir);
      const ours = await measure(dnsArgs(["--zones", join(dir, "state/dns")]), listening, ask);
      const peer = await measure(dnsArgs(["--desired", join(dir, "desired.json")]), listening, ask);
      const agent = await measure(
        ["agent", "--node", node, "--source", "http://127.0.0.1:1/v1/clusters/bench", "--state-dir", join(dir, "state"), "--apply", "dns", "--resync-interval", "0"],
        /"msg":"cannot follow the watch stream/,
        async (output) => {
          const deadline = Date.now() + 120_000;
          while (!/"msg":"view applied"|"consecutiveFailures"|"unchanged"/.test(output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        },
      );
      const label = `${tasks / 1000}k tasks / ${size.agents / 1000}k agents (${(records / 1e6).toFixed(2)}M records, ${view.size} keys)`;
      rows.push({ case: `dns server RSS, ${label}`, ours: ours.now, peer: peer.now, unit: "MiB", peerSource: "measured: wayfinder dns --desired on the whole view", extra: `peak ${ours.peak.toFixed(0)} vs ${peer.peak.toFixed(0)} MiB` });
      rows.push({ case: `agent RSS (view, dns applier), ${tasks / 1000}k`, ours: agent.now, unit: "MiB", extra: `peak ${agent.peak.toFixed(0)} MiB` });
      rows.push({ case: `agent + dns server, ${tasks / 1000}k`, ours: agent.now + ours.now, peer: 300, unit: "MiB", peerSource: "target: issue 14, at 100k tasks" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  printRows("node memory (RSS after start and one answer per sampled name)", rows);
}

await main();
