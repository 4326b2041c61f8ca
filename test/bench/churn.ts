/**
 * @module
 * The churn mix of issue 14's benchmarks (`bench:incremental`, `bench:scale`) on
 * `synthetic-cluster.ts`'s shapes: a task replaced, an app scaled by 10, an agent lost, a VIP
 * label added and a HAProxy label changed, each built against the snapshot as it is. Every
 * tenth app is balanced by HAProxy and carries a named VIP, so a replaced task and a scaled
 * app move a VIP's backends too. New tasks get container addresses no task held before
 * (`9.200.0.0/13`), so a node can tell them apart. Each change says what a node shows once it
 * runs it (`ChurnProbe`): a name answering (or no longer answering) an address, a VIP
 * reaching a backend.
 */
import type { z } from "zod";
import { MarathonApp } from "../../lib/snapshot/marathon.ts";
import { ClusterSnapshot, type Task } from "../../lib/snapshot/schema.ts";
import type { SnapshotChangeInput } from "../../lib/snapshot/snapshot-change.ts";

export const KINDS = ["task replaced", "app scaled by 10", "agent lost", "VIP label added", "HAProxy label changed"] as const;
export type Kind = (typeof KINDS)[number];

/** What a node shows once it runs a change: every field is optional, a kind shows what it moves. */
export interface ChurnProbe {
  /** A name whose A answer holds `ip` (`present`) or no longer does. */
  name?: { fqdn: string; ip: string; present: boolean };
  /** A named VIP's name in the l4lb zone, and the backend a connection through it must reach (`*`: any). */
  vip?: { fqdn: string; port: number; backend: string };
}

/** Every tenth app is balanced by HAProxy: Marathon lists every app, tasks embedded. */
export function withMarathonApps(snapshot: ClusterSnapshot): ClusterSnapshot {
  const byApp = new Map<string, Task[]>();
  for (const task of snapshot.tasks) {
    const app = appNameOf(task);
    const list = byApp.get(app);
    if (list === undefined) byApp.set(app, [task]);
    else list.push(task);
  }
  const hostOf = new Map(snapshot.agents.map((a) => [a.id, a.hostname]));
  const marathonApps = [...byApp].map(([name, tasks], i) => appOf(name, i, tasks, hostOf));
  return ClusterSnapshot.parse({ ...snapshot, marathonApps });
}

const appNameOf = (task: Task) => task.id.slice(0, task.id.indexOf("."));

function appOf(name: string, index: number, tasks: readonly Task[], hostOf: ReadonlyMap<string, string>, balance = "roundrobin"): z.input<typeof MarathonApp> {
  const balanced = index % 10 === 0;
  return {
    id: `/${name}`,
    instances: tasks.length,
    ...(balanced ? { labels: { HAPROXY_GROUP: "external", HAPROXY_0_BALANCE: balance }, portDefinitions: [{ port: 10000 + index }] } : {}),
    tasks: tasks.map((t) => ({ id: t.id, host: hostOf.get(t.agentId) ?? "", ports: t.ports.map((r) => r.begin), state: "TASK_RUNNING" })),
  };
}

/** The `serial`-th fresh container address: none of the synthetic cluster's tasks holds one. */
const freshIp = (serial: number) => `9.${200 + ((serial >> 16) & 7)}.${(serial >> 8) & 255}.${serial & 255}`;

/** `task` on the overlay at `ip`, its first discovery port on 8080 (the backends' port in a node's lab). */
function atAddress(task: Task, id: string, ip: string, agentId = task.agentId): Task {
  return {
    ...task,
    id,
    agentId,
    ...(task.discovery === undefined ? {} : { discovery: { ...task.discovery, ports: task.discovery.ports.map((p, i) => ({ ...p, number: 8080 + i * 363 })) } }),
    statuses: task.statuses.map((s) => ({ ...s, networkInfos: [{ ipAddresses: [ip], portMappings: [] }] })),
  };
}

/** The name dcos-dns gives a Marathon task's container addresses (`app-1.group-1` → `app-1-group-1.marathon.containerip...`). */
const containerIpName = (task: Task) => `${task.name.replace(/\./g, "-")}.marathon.containerip.dcos.thisdcos.directory`;
const vipName = (label: string) => `${label}.marathon.l4lb.thisdcos.directory`;

/** The task's container address as its last status lists it. */
const addressOf = (task: Task) => task.statuses.at(-1)?.networkInfos?.[0]?.ipAddresses?.[0];

/**
 * One change of a kind, the `round`-th of its series, against the snapshot as it is, with the
 * probe that shows it on a node. The index by app (`tasksOf`) spares a scan per change.
 * @example changeOf("agent lost", snapshot, tasksByApp(snapshot), 0, 0, Date.now()).change.delete?.agents
 */
export function changeOf(kind: Kind, snapshot: ClusterSnapshot, byApp: TasksByApp, round: number, serial: number, now: number): { change: SnapshotChangeInput; probe: ChurnProbe } {
  const at = new Date(now).toISOString();
  const apps = snapshot.marathonApps;
  const hostOf = (id: string) => snapshot.agents.find((a) => a.id === id)?.hostname ?? "";
  const hosts = { get: hostOf } as ReadonlyMap<string, string>;
  const tasksOf = (appId: string) => byApp.get(appId.slice(1)) ?? [];
  switch (kind) {
    case "task replaced": {
      // A task of a balanced app with a VIP (every tenth app), replaced by one at a new address.
      const app = apps[((round * 7919) % Math.ceil(apps.length / 10)) * 10]!;
      const old = tasksOf(app.id).find((t) => t.discovery !== undefined)!;
      const ip = freshIp(serial);
      const task = atAddress(old, `${appNameOf(old)}.r${serial}`, ip);
      return {
        change: { now: at, upsert: { tasks: [task] }, delete: { tasks: [old.id] } },
        probe: { name: { fqdn: containerIpName(task), ip, present: true }, vip: { fqdn: vipName(app.id.slice(1)), port: 80, backend: ip } },
      };
    }
    case "app scaled by 10": {
      const app = apps[(round * 31 * 10) % apps.length]!;
      const template = tasksOf(app.id)[0]!;
      const added = Array.from({ length: 10 }, (_, i) =>
        atAddress(template, `${app.id.slice(1)}.s${serial}-${i}`, freshIp(serial * 10 + i), snapshot.agents[(serial * 10 + i) % snapshot.agents.length]!.id),
      );
      const next = appOf(app.id.slice(1), apps.indexOf(app), [...tasksOf(app.id), ...added], hosts);
      const ip = addressOf(added[0]!)!;
      return {
        change: { now: at, upsert: { tasks: added, apps: [next] } },
        probe: { name: { fqdn: containerIpName(template), ip, present: true }, vip: { fqdn: vipName(app.id.slice(1)), port: 80, backend: ip } },
      };
    }
    case "agent lost": {
      const agent = snapshot.agents[(round * 97 + 3) % snapshot.agents.length]!;
      // Its tasks lose their records; one at an address no other task shares shows it.
      const gone = snapshot.tasks.find((t) => t.agentId === agent.id && addressOf(t)?.startsWith("9.") === true);
      const ip = gone === undefined ? undefined : addressOf(gone);
      return {
        change: { now: at, delete: { agents: [agent.id] } },
        probe: gone === undefined || ip === undefined ? {} : { name: { fqdn: containerIpName(gone), ip, present: false } },
      };
    }
    case "VIP label added": {
      // Even apps carry DiscoveryInfo, where VIP labels go.
      const app = apps[((round * 37 + 1) * 2) % apps.length]!;
      const label = `added-${serial}`;
      const tasks = tasksOf(app.id).filter((t) => t.discovery !== undefined);
      const labelled = tasks.map((t) => ({
        ...t,
        discovery: { ...t.discovery!, ports: t.discovery!.ports.map((p, i) => (i === 0 ? { ...p, labels: [...p.labels, { key: "VIP_9", value: `/${label}:80` }] } : p)) },
      }));
      return { change: { now: at, upsert: { tasks: labelled } }, probe: { vip: { fqdn: vipName(label), port: 80, backend: "*" } } };
    }
    case "HAProxy label changed": {
      const index = ((round * 13) % Math.ceil(apps.length / 10)) * 10;
      const app = apps[index]!;
      // Always another balance than the app has, so every event changes the app's backend.
      const balances = ["roundrobin", "leastconn", "source"].filter((b) => b !== app.labels?.["HAPROXY_0_BALANCE"]);
      return { change: { now: at, upsert: { apps: [appOf(app.id.slice(1), index, tasksOf(app.id), hosts, balances[serial % 2]!)] } }, probe: {} };
    }
  }
}

/** The snapshot's tasks by app name, kept up to date with `applyToIndex`. */
export type TasksByApp = Map<string, Task[]>;

/** @example tasksByApp(snapshot).get("app-0")?.length */
export function tasksByApp(snapshot: ClusterSnapshot): TasksByApp {
  const out: TasksByApp = new Map();
  for (const task of snapshot.tasks) {
    const app = appNameOf(task);
    const list = out.get(app);
    if (list === undefined) out.set(app, [task]);
    else list.push(task);
  }
  return out;
}

/** The index after `snapshot` changed: the apps whose tasks a change touched are listed again. */
export function applyToIndex(index: TasksByApp, snapshot: ClusterSnapshot, change: SnapshotChangeInput): void {
  const touched = new Set<string>();
  for (const task of change.upsert?.tasks ?? []) touched.add(task.id.slice(0, task.id.indexOf(".")));
  for (const id of change.delete?.tasks ?? []) touched.add(id.slice(0, id.indexOf(".")));
  for (const app of touched) index.delete(app);
  for (const task of snapshot.tasks) if (touched.has(appNameOf(task))) index.set(appNameOf(task), [...(index.get(appNameOf(task)) ?? []), task]);
}
