/**
 * `npm run bench:incremental`: the incremental reconciler on `synthetic-cluster.ts`'s shapes at
 * 10k tasks / 2k agents and 100k tasks / 10k agents, each size in a fresh child process.
 *
 * - Full derive: the time and the heap the keyed derivation keeps (the reconciler's one copy
 *   of the snapshot and its objects), against a whole `reconcile`.
 * - Per change kind (task replaced, app scaled by 10, agent lost, VIP label added, HAProxy
 *   label changed): the CPU time of one change, the keys it changes and their bytes, and the
 *   bytes one node receives (the cluster's keys and its own).
 *
 * The peer is today's path, measured in the same run: a whole `reconcile` of the changed
 * snapshot and the node view of one node (`nodeView`), which is also what a node downloads.
 *
 * - With a network policy (`incremental-policy.ts`): one task replaced in the same cluster with
 *   a policy config, against the policy derived whole (what each change cost before the policy
 *   model took tasks one at a time), each in its own child process.
 * - The agent's side of it (`incremental-policy-agent.ts`): one task replaced, applied by one
 *   node's policy applier from the changed keys, against the whole view assembled and the whole
 *   table planned (what the applier did on the delta path before). `npm run bench:incremental
 *   -- policy-agent` runs this case alone.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { IncrementalReconciler } from "../../functions/incremental/reconciler.ts";
import { nodeView } from "../../functions/node-view.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { keyScope } from "../../lib/desired/object-keys.ts";
import { tuneHeapForReconcile } from "../../lib/runtime/heap-tuning.ts";
import type { ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import { applySnapshotChange, SnapshotChange, type SnapshotChangeInput } from "../../lib/snapshot/snapshot-change.ts";
import { applyToIndex, changeOf, KINDS, tasksByApp, withMarathonApps, type Kind, type TasksByApp } from "./churn.ts";
import { overlayEntries, wholePolicy, withPolicy } from "./incremental-policy.ts";
import { policyAgent } from "./incremental-policy-agent.ts";
import { printRows, type BenchRow } from "./report.ts";
import { RECONCILE_SIZES, syntheticSnapshot, type SyntheticSize } from "./synthetic-cluster.ts";

interface KindFigures {
  cpuMs: number;
  keys: number;
  bytes: number;
  nodeBytes: number;
}

interface Measurement {
  deriveMs: number;
  retainedMiB: number;
  peakRssMiB: number;
  objects: number;
  peerReconcileMs: number;
  peerNodeViewMs: number;
  peerNodeBytes: number;
  kinds: Record<Kind, KindFigures>;
}

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function measure(tasks: number): Measurement {
  tuneHeapForReconcile();
  const size: SyntheticSize = RECONCILE_SIZES.find((s) => s.tasks === tasks)!;
  const snapshot = withMarathonApps(syntheticSnapshot(size));
  const gc = (globalThis as { gc?: () => void }).gc!;
  const node = snapshot.agents[1]!.id;

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let reconciler: IncrementalReconciler | undefined;
  const deriveMs = cpuMs(() => (reconciler = IncrementalReconciler.fromSnapshot(snapshot)));
  gc();
  const retainedMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  const r = reconciler!;

  let peerNodeBytes = 0;
  const peerReconcileMs = cpuMs(() => void reconcile(snapshot));
  const desired = reconcile(snapshot);
  const peerNodeViewMs = cpuMs(() => (peerNodeBytes = JSON.stringify(nodeView(desired, node)).length));

  const rounds = tasks >= 100_000 ? 9 : 21;
  const series: Series = { snapshot, byApp: tasksByApp(snapshot), now: Date.parse(snapshot.now), serial: 0 };
  const kinds = {} as Record<Kind, KindFigures>;
  for (const kind of KINDS) kinds[kind] = changeSeries(r, series, kind, rounds, node);
  return { deriveMs, retainedMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024, objects: r.objects.size, peerReconcileMs, peerNodeViewMs, peerNodeBytes, kinds };
}

interface PolicyMeasurement extends KindFigures {
  deriveMs: number;
  objects: number;
  peerMs: number;
  peerObjects: number;
}

/** One task replaced in a cluster with a network policy, against the policy derived whole. */
function measurePolicy(tasks: number): PolicyMeasurement {
  tuneHeapForReconcile();
  const size: SyntheticSize = RECONCILE_SIZES.find((s) => s.tasks === tasks)!;
  const snapshot = withPolicy(withMarathonApps(syntheticSnapshot(size)));
  const node = snapshot.agents[1]!.id;
  let reconciler: IncrementalReconciler | undefined;
  const deriveMs = cpuMs(() => (reconciler = IncrementalReconciler.fromSnapshot(snapshot)));
  const r = reconciler!;
  const entries = overlayEntries(r.objects);
  const peer: number[] = [];
  let peerObjects = 0;
  const series: Series = { snapshot, byApp: tasksByApp(snapshot), now: Date.parse(snapshot.now), serial: 0 };
  const figures = changeSeries(r, series, "task replaced", tasks >= 100_000 ? 9 : 21, node, (changed, round) => {
    if (round < 5) peer.push(cpuMs(() => (peerObjects = wholePolicy(changed, entries))));
  });
  return { deriveMs, objects: r.objects.size, ...figures, peerMs: median(peer), peerObjects };
}

interface PolicyAgentMeasurement {
  oursMs: number;
  peerMs: number;
  partial: number;
  rounds: number;
  batchBytes: number;
}

/** One task replaced at a time, as one node's policy applier takes it, against the whole view assembled and planned. */
async function measurePolicyAgent(tasks: number): Promise<PolicyAgentMeasurement> {
  tuneHeapForReconcile();
  const size: SyntheticSize = RECONCILE_SIZES.find((s) => s.tasks === tasks)!;
  let snapshot = withPolicy(withMarathonApps(syntheticSnapshot(size)));
  const node = snapshot.agents[1]!.id;
  const r = IncrementalReconciler.fromSnapshot(snapshot);
  const agent = await policyAgent(r.objects, node);
  const rounds = tasks >= 100_000 ? 9 : 21;
  const ours: number[] = [];
  const peer: number[] = [];
  const bytes: number[] = [];
  let partial = 0;
  let now = Date.parse(snapshot.now);
  for (let round = 0; round < rounds; round++) {
    now += 1000;
    const change = SnapshotChange.parse(taskReplacedElsewhere(snapshot, round, now));
    snapshot = applySnapshotChange(snapshot, change);
    const step = await agent.step(r.apply(change));
    ours.push(step.oursMs);
    peer.push(step.peerMs);
    bytes.push(step.batchBytes);
    if (step.partial) partial++;
  }
  return { oursMs: median(ours), peerMs: median(peer), partial, rounds, batchBytes: median(bytes) };
}

/**
 * An overlay task replaced by one at a new address (its set memberships move), as a task
 * rescheduled gets: the `round`-th such change.
 */
function taskReplacedElsewhere(snapshot: ClusterSnapshot, round: number, now: number): SnapshotChangeInput {
  const overlay = (t: Task) => t.statuses[0]?.networkInfos[0]?.ipAddresses[0]?.startsWith("9.") === true;
  let index = (round * 7919) % snapshot.tasks.length;
  while (!overlay(snapshot.tasks[index]!)) index = (index + 1) % snapshot.tasks.length;
  const old = snapshot.tasks[index]!;
  const statuses = old.statuses.map((s) => ({ ...s, networkInfos: s.networkInfos.map((n) => ({ ...n, ipAddresses: [`9.200.0.${round + 1}`] })) }));
  return { now: new Date(now).toISOString(), upsert: { tasks: [{ ...old, id: `${old.id.slice(0, old.id.indexOf("."))}.m${round}`, statuses }] }, delete: { tasks: [old.id] } };
}

/** The snapshot a series of changes has reached, its clock and its change counter. */
interface Series {
  snapshot: ClusterSnapshot;
  byApp: TasksByApp;
  now: number;
  serial: number;
}

/**
 * Applies `rounds` changes of one kind, a second apart, and answers the medians of their
 * figures; `after(snapshot, round)` runs after each change, outside its timing.
 */
function changeSeries(r: IncrementalReconciler, series: Series, kind: Kind, rounds: number, node: string, after?: (snapshot: ClusterSnapshot, round: number) => void): KindFigures {
  const cpu: number[] = [];
  const keys: number[] = [];
  const bytes: number[] = [];
  const nodeBytes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    series.now += 1000;
    const { change: input } = changeOf(kind, series.snapshot, series.byApp, round, series.serial++, series.now);
    const change = SnapshotChange.parse(input);
    series.snapshot = applySnapshotChange(series.snapshot, change);
    applyToIndex(series.byApp, series.snapshot, input);
    let result: ReturnType<IncrementalReconciler["apply"]> | undefined;
    cpu.push(cpuMs(() => (result = r.apply(change))));
    const all = [...result!.upserts.map((u) => [u.key, u.key.length + u.json.length] as const), ...result!.deletes.map((k) => [k, k.length] as const)];
    keys.push(all.length);
    bytes.push(all.reduce((n, [, b]) => n + b, 0));
    nodeBytes.push(all.filter(([key]) => forNode(key, node)).reduce((n, [, b]) => n + b, 0));
    after?.(series.snapshot, round);
  }
  return { cpuMs: median(cpu), keys: median(keys), bytes: median(bytes), nodeBytes: median(nodeBytes) };
}

function forNode(key: string, node: string): boolean {
  const scope = keyScope(key);
  return scope.scope === "cluster" || (scope.scope === "node" && scope.node === node);
}

const [tasksArg, caseArg] = process.argv.slice(2);
if (tasksArg !== undefined && tasksArg !== "policy-agent") {
  const measured = caseArg === "policy" ? measurePolicy(Number(tasksArg)) : caseArg === "policy-agent" ? await measurePolicyAgent(Number(tasksArg)) : measure(Number(tasksArg));
  process.stdout.write(JSON.stringify(measured));
} else {
  const self = fileURLToPath(import.meta.url);
  console.log("bench:incremental: CPU time of one process; the machine is shared with other work, so figures are noisy");
  for (const size of RECONCILE_SIZES.filter((s) => s.tasks >= 10_000)) {
    const child = (...args: string[]) =>
      JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--max-old-space-size=12288", "--import", "tsx", self, String(size.tasks), ...args], { encoding: "utf8", maxBuffer: 2 ** 26 })) as unknown;
    const a = child("policy-agent") as PolicyAgentMeasurement;
    const agentRow: BenchRow = {
      case: "task replaced, one node's policy",
      ours: a.oursMs,
      peer: a.peerMs,
      unit: "ms",
      extra: `${a.partial}/${a.rounds} partial, ${a.batchBytes} B batch (peer: the node's whole view assembled and its whole table planned)`,
    };
    if (tasksArg === "policy-agent") {
      printRows(`${size.tasks} tasks / ${size.agents} agents, agent side`, [agentRow]);
      continue;
    }
    const m = child() as Measurement;
    const p = child("policy") as PolicyMeasurement;
    const peerMs = m.peerReconcileMs + m.peerNodeViewMs;
    const rows: BenchRow[] = [
      {
        case: "full derive",
        ours: m.deriveMs,
        peer: m.peerReconcileMs,
        unit: "ms",
        extra: `${m.objects} objects; derivation heap ${m.retainedMiB.toFixed(0)} MiB = ${((m.retainedMiB * 1024) / size.tasks).toFixed(2)} KiB/task; peak rss ${m.peakRssMiB.toFixed(0)} MiB (peer: reconcile)`,
      },
      ...KINDS.map((kind): BenchRow => {
        const k = m.kinds[kind];
        return {
          case: kind,
          ours: k.cpuMs,
          peer: peerMs,
          unit: "ms",
          extra: `${k.keys} keys, ${(k.bytes / 1024).toFixed(1)} KiB changed, ${(k.nodeBytes / 1024).toFixed(1)} KiB to one node (peer: ${(m.peerNodeBytes / 2 ** 20).toFixed(1)} MiB node view)`,
        };
      }),
      {
        case: "task replaced, with a policy",
        ours: p.cpuMs,
        peer: p.peerMs,
        unit: "ms",
        extra: `${p.keys} keys, ${(p.bytes / 1024).toFixed(1)} KiB changed, ${(p.nodeBytes / 1024).toFixed(1)} KiB to one node (peer: the policy derived whole, ${p.peerObjects} objects; full derive with the policy ${p.deriveMs.toFixed(0)} ms, ${p.objects} objects)`,
      },
      agentRow,
    ];
    printRows(`${size.tasks} tasks / ${size.agents} agents (peer: reconcile ${m.peerReconcileMs.toFixed(0)} ms + nodeView ${m.peerNodeViewMs.toFixed(0)} ms, this run)`, rows);
  }
}
