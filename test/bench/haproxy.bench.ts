/**
 * `npm run bench:haproxy`: Marathon apps → HAProxy configs, and how many churn events need a
 * reload.
 *
 * Generation follows marathon-lb's own method (specs/l7.md §9.1): synthetic apps of 3 tasks,
 * one service port and a VHOST label, with and without HTTP health checks, timed from the
 * Marathon JSON to the rendered config (its `get_apps` + `config`), median of several runs.
 * The peer cannot run here: marathon-lb needs pycurl and its source, neither installable
 * offline (`pip download` finds nothing), so its figures are the anchors measured on this
 * machine kind (lab-notes): 0.003 / 0.042 / 0.31 s, and 0.004 / 0.064 / 0.97 s with health
 * checks. Both our server namings are timed: `slots` (default) and `marathon-lb` (sha256
 * server ids, the same work upstream does).
 *
 * Churn: 200 scale/replace events on a 1,000-app cluster, each reconciled with the previous
 * allocations fed back as the agent does; an event needs a reload when the config's skeleton
 * (everything but server addresses and `disabled`) changes, the applier's own test.
 */
import { cpus, loadavg } from "node:os";
import { haproxyGroups } from "../../functions/haproxy/index.ts";
import { configServers } from "../../lib/executor/haproxy/runtime-state.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { printRows, type BenchRow } from "./report.ts";

const MARATHON_LB_S: Record<string, number> = { "100": 0.0033, "1000": 0.042, "5000": 0.307, "100hc": 0.004, "1000hc": 0.064, "5000hc": 0.97 };
const AGENTS = 50;

interface AppShape {
  id: string;
  tasks: { id: string; agent: number; port: number }[];
}

function marathonApp(app: AppShape, index: number, healthChecks: boolean) {
  return {
    id: app.id,
    labels: { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: `${app.id.slice(1)}.bench.test` },
    portDefinitions: [{ port: 10000 + index }],
    ...(healthChecks ? { healthChecks: [{ protocol: "HTTP", path: "/health", portIndex: 0, intervalSeconds: 5, timeoutSeconds: 3, maxConsecutiveFailures: 3, gracePeriodSeconds: 30 }] } : {}),
    tasks: app.tasks.map((t) => ({
      id: t.id,
      host: `agent${t.agent}.bench.internal`,
      ports: [t.port],
      state: "TASK_RUNNING",
      ...(healthChecks ? { healthCheckResults: [{ alive: true, taskId: t.id }] } : {}),
    })),
  };
}

function shapes(apps: number): AppShape[] {
  return Array.from({ length: apps }, (_, i) => ({
    id: `/app${i}`,
    tasks: [0, 1, 2].map((k) => ({ id: `app${i}.t${k}`, agent: (i * 3 + k) % AGENTS, port: 31000 + ((i * 3 + k) % 30000) })),
  }));
}

function snapshot(apps: AppShape[], options: { healthChecks: boolean; naming: "slots" | "marathon-lb" }, previous: Record<string, unknown> = {}) {
  // Port clashes only matter to HAProxy's binds; 5,000 apps need service ports above 10000 + 5000.
  return ClusterSnapshot.parse({
    cluster: { name: "bench" },
    now: "2026-01-01T00:00:00Z",
    agents: Array.from({ length: AGENTS }, (_, i) => ({ id: `S${i}`, hostname: `agent${i}.bench.internal`, ips: [`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`] })),
    marathonApps: apps.map((app, i) => marathonApp(app, i, options.healthChecks)),
    config: { haproxy: { healthCheck: options.healthChecks, serverNaming: options.naming } },
    previous,
  });
}

/** Median and fastest of `runs` timed calls (seconds), after two warm-up calls (JIT, template cache). */
function timed(runs: number, fn: () => void): { median: number; min: number } {
  fn();
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

const rows: BenchRow[] = [];
for (const healthChecks of [false, true]) {
  for (const count of [100, 1000, 5000]) {
    const apps = shapes(count);
    for (const naming of ["slots", "marathon-lb"] as const) {
      // marathon-lb's figure starts from the parsed /v2/apps answer; ours from the validated
      // snapshot. Validating the snapshot (zod, at the edge) is timed apart.
      const input = snapshot(apps, { healthChecks, naming });
      let bytes = 0;
      let diagnostics = 0;
      const seconds = timed(count >= 5000 ? 9 : 15, () => {
        const result = haproxyGroups(input);
        bytes = result.groups.external!.config.length;
        diagnostics = result.diagnostics.length;
      });
      if (diagnostics > 0) throw new Error(`the synthetic cluster produced ${diagnostics} diagnostics`);
      const raw = JSON.parse(JSON.stringify(input)) as unknown;
      const validation = timed(3, () => ClusterSnapshot.parse(raw)).median;
      const key = `${count}${healthChecks ? "hc" : ""}`;
      rows.push({
        case: `${count} apps${healthChecks ? " + health checks" : ""}, ${naming}`,
        ours: seconds.median * 1000,
        peer: MARATHON_LB_S[key]! * 1000,
        peerSource: "anchor: lab-notes",
        unit: "ms",
        extra: `fastest ${(seconds.min * 1000).toFixed(1)} ms; config ${(bytes / 1024).toFixed(0)} KiB; snapshot validation ${(validation * 1000).toFixed(0)} ms more`,
      });
    }
  }
}
printRows(`Marathon apps → haproxy.cfg (median; peer: marathon-lb get_apps + config, same synthetic apps; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`, rows);

// Churn: 200 events on 1,000 apps, previous allocations carried over.
const seeded = (seed: number) => () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const random = seeded(42);
const churnApps = shapes(1000);
let nextPort = 40000;
const churnRows: BenchRow[] = [];
for (const naming of ["slots", "marathon-lb"] as const) {
  const apps = churnApps.map((a) => ({ ...a, tasks: [...a.tasks] }));
  const first = haproxyGroups(snapshot(apps, { healthChecks: false, naming }));
  let previous: Record<string, unknown> = { haproxy: first.allocations };
  let skeleton = configServers(first.groups.external!.config).skeleton;
  let text = first.groups.external!.config;
  let reloads = 0;
  let changed = 0;
  const times: number[] = [];
  for (let event = 0; event < 200; event++) {
    const app = apps[Math.floor(random() * apps.length)]!;
    const kind = app.tasks.length <= 2 ? "up" : app.tasks.length >= 4 ? "down" : (["up", "down", "replace"] as const)[Math.floor(random() * 3)]!;
    const fresh = () => ({ id: `${app.id.slice(1)}.n${nextPort}`, agent: Math.floor(random() * AGENTS), port: nextPort++ });
    if (kind === "up") app.tasks.push(fresh());
    else if (kind === "down") app.tasks.splice(Math.floor(random() * app.tasks.length), 1);
    else app.tasks.splice(Math.floor(random() * app.tasks.length), 1, fresh());
    const start = process.hrtime.bigint();
    const result = haproxyGroups(snapshot(apps, { healthChecks: false, naming }, previous));
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    previous = { haproxy: result.allocations };
    const config = result.groups.external!.config;
    const next = configServers(config).skeleton;
    if (config !== text) changed++;
    if (next !== skeleton) reloads++;
    skeleton = next;
    text = config;
  }
  times.sort((a, b) => a - b);
  churnRows.push({
    case: `200 churn events, ${naming} naming`,
    ours: reloads,
    // marathon-lb reloads HAProxy whenever the rendered config differs from the running one.
    peer: changed,
    peerSource: "marathon-lb: a reload per changed config",
    unit: "reloads",
    extra: `${changed} configs changed; reconcile median ${times[100]!.toFixed(1)} ms per event`,
  });
}
console.log("\n200 scale/replace events on 1,000 apps: reloads needed (ours: skeleton changed; the rest are Runtime API updates)");
for (const r of churnRows) console.log(`  ${r.case.padEnd(34)} ours ${String(r.ours).padStart(4)} reloads  peer ${r.peer} (${r.peerSource})  ${r.extra}`);
