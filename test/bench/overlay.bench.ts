/**
 * `npm run bench:overlay`: the overlay at 4,000 nodes (3 masters + 3,997 agents) with 3
 * overlays (IPv4 `dcos`, IPv6 `dcos6`, dual-stack `blue`):
 *  - allocation from empty, and with one node added to the previous allocations;
 *  - one node's view (its data plane towards 4,000 peers) plus the data-plane diff against
 *    what the node runs, with one peer added;
 *  - as root: programming that data plane into a fresh network namespace with iproute2, in
 *    full and for the one added peer.
 *
 * There is no runnable peer: the DC/OS overlay master is a C++ Mesos module that cannot be
 * built offline, and dcos-net is Erlang. Its published limits are scale anchors (anchors.md
 * §5), printed beside our figures: a /20 VTEP subnet caps DC/OS at 4,094 nodes, which this
 * run approaches; flannel's /16 network with /24 leases fits 256 nodes.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { overlayState } from "../../functions/overlay/index.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { OverlayAllocations } from "../../lib/desired/overlay-schema.ts";
import { planDataplane, wantedEntries } from "../../lib/executor/overlay/plan.ts";
import { applyOverlayPlan } from "../../lib/executor/overlay/apply.ts";
import { observeDataplane } from "../../lib/executor/overlay/observe.ts";
import { commandRunner } from "../../lib/executor/run-command.ts";
import { printRows, type BenchRow } from "./report.ts";

const NODES = 4_000;
const MASTERS = 3;
const OVERLAYS = [
  { name: "dcos", subnet: "9.0.0.0/8", prefix: 24 },
  { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80 },
  { name: "blue", subnet: "10.128.0.0/10", prefix: 24, subnet6: "fd01:d::/64", prefix6: 80 },
];
const ANCHOR = "no runnable peer; anchor: DC/OS /20 VTEP cap 4,094 nodes, flannel /16÷/24 = 256 (anchors.md §5)";

const ip = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function cluster(agents: number, previous?: OverlayAllocations): ClusterSnapshot {
  return ClusterSnapshot.parse({
    cluster: { name: "bench" },
    now: "2026-01-01T00:00:00Z",
    masters: Array.from({ length: MASTERS }, (_, i) => `10.255.0.${i + 1}:5050`),
    agents: Array.from({ length: agents }, (_, i) => ({ id: `bench-S${i}`, hostname: `agent-${i}`, ips: [ip(i + 1)] })),
    config: { overlay: { vtep_subnet: "44.128.0.0/16", overlays: OVERLAYS } },
    ...(previous && { previous: { overlay: previous } }),
  });
}

interface Timing {
  /** First run, wall ms. */
  cold: number;
  /** Median of the following runs, wall ms. */
  median: number;
  /** Median CPU ms of the same runs: steadier than wall time when other benchmarks share the cores. */
  cpu: number;
}

/** First run (cold), then the medians of the following runs. */
function time<T>(runs: number, fn: () => T): Timing & { result: T } {
  let result!: T;
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = fn();
    walls.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpu);
    cpus.push((used.user + used.system) / 1e3);
  }
  const cold = walls.shift()!;
  cpus.shift();
  const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return { cold, median: median(walls), cpu: median(cpus), result };
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const rows: BenchRow[] = [];
const row = (name: string, ms: Timing | number, extra: string) =>
  rows.push({
    case: name,
    ours: typeof ms === "number" ? ms : ms.median,
    unit: "ms",
    extra: `${typeof ms === "number" ? "" : `cpu ${ms.cpu.toFixed(0)} ms, cold ${ms.cold.toFixed(0)} ms; `}${extra}`,
  });

const agents = NODES - MASTERS;
const empty = cluster(agents);
const fromEmpty = time(7, () => overlayState(empty));
const slices = fromEmpty.result.allocations.nodes.reduce((n, node) => n + Object.values(node.overlays).reduce((m, s) => m + (s.subnet ? 1 : 0) + (s.subnet6 ? 1 : 0), 0), 0);
row(`allocate ${NODES} nodes x ${OVERLAYS.length} overlays, from empty`, fromEmpty, `${fromEmpty.result.allocations.nodes.length} VTEPs, ${slices} slices`);

const plusOne = cluster(agents + 1, fromEmpty.result.allocations);
const added = time(7, () => overlayState(plusOne));
const moved = added.result.allocations.nodes.filter((n) => {
  const before = fromEmpty.result.allocations.nodes.find((b) => b.ip === n.ip);
  return before !== undefined && JSON.stringify(before) !== JSON.stringify(n);
}).length;
row(`allocate with one node added`, added, `${moved} allocations moved`);

const before = reconcile(empty);
const after = reconcile(plusOne);
const nodeId = "bench-S0";
const installed = { link: { kind: "vxlan", vni: 1024, port: 64000, mac: after.overlay.nodes[nodeId]!.vtep.mac, mtu: 1500, up: true }, entries: wantedEntries(nodeView(before, nodeId).overlay.nodes[nodeId]) };
installed.entries.delete("link vtep1024");
const diff = time(7, () => planDataplane(nodeView(after, nodeId).overlay.nodes[nodeId], installed));
row(`node view + data-plane diff, ${NODES} peers`, diff, `${installed.entries.size} entries installed; plan +${diff.result.adds.size} ~${diff.result.changes.size} -${diff.result.deletes.length}`);
const viewOnly = time(7, () => nodeView(after, nodeId));
row(`  of which node view (with hash)`, viewOnly, `${viewOnly.result.overlay.nodes[nodeId]!.dataplane!.routes.length} routes`);

if (process.getuid?.() === 0) {
  const netns = `wfb${process.pid}${randomBytes(2).toString("hex")}`;
  execFileSync("ip", ["netns", "add", netns]);
  try {
    const run = commandRunner({ netns });
    const full = planDataplane(nodeView(before, nodeId).overlay.nodes[nodeId], { entries: new Map() });
    row(`kernel: program ${NODES} peers (ip/bridge -batch)`, await timeAsync(() => applyOverlayPlan(full, run)), `${full.adds.size} entries in a fresh namespace`);
    let observed = await observeDataplane(run);
    row(`kernel: observe them (ip -json)`, await timeAsync(async () => (observed = await observeDataplane(run))), `${observed.entries.size} entries read back`);
    const one = planDataplane(nodeView(after, nodeId).overlay.nodes[nodeId], observed);
    row(`kernel: observe + plan + apply one peer`, await timeAsync(async () => applyOverlayPlan(planDataplane(nodeView(after, nodeId).overlay.nodes[nodeId], await observeDataplane(run)), run)), `+${one.adds.size} entries`);
  } finally {
    execFileSync("ip", ["netns", "del", netns]);
  }
}

printRows(`overlay at ${NODES} nodes (median of 7 warm runs, wall time; ${ANCHOR})`, rows);
