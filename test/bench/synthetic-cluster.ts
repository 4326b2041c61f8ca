/**
 * @module
 * Synthetic clusters for benchmarks, shaped like mesos-dns's own perf fixture (agents × app
 * names, two resource ports each) plus what DC/OS added: discovery names with named ports,
 * overlay IPs on a third of the tasks and a VIP label on every tenth app. Deterministic: the
 * same size always gives the same snapshot.
 */
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";

export interface SyntheticSize {
  tasks: number;
  agents: number;
  apps: number;
}

/** The sizes of issue 2's benchmark: 1k, 10k and 100k tasks over 500 to 10k agents. */
export const RECONCILE_SIZES: SyntheticSize[] = [
  { tasks: 1_000, agents: 500, apps: 100 },
  { tasks: 10_000, agents: 2_000, apps: 1_000 },
  { tasks: 100_000, agents: 10_000, apps: 10_000 },
];

const ip = (base: number, n: number) => `${base}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/** @example syntheticSnapshot({ tasks: 1000, agents: 500, apps: 100 }).tasks.length // 1000 */
export function syntheticSnapshot(size: SyntheticSize): ClusterSnapshot {
  const agents = Array.from({ length: size.agents }, (_, i) => ({
    id: `b0c1d2e3-0000-4000-8000-000000000000-S${i}`,
    hostname: `agent-${i}.bench.internal`,
    pid: `slave(1)@${ip(10, i + 1)}:5051`,
    ips: [ip(10, i + 1)],
  }));
  const frameworks = [
    { id: "bench-0000", name: "marathon", pid: "scheduler-1@10.255.0.1:15101", ips: ["10.255.0.1"] },
    { id: "bench-0001", name: "hello-world", pid: "scheduler-2@10.255.0.2:23541", ips: ["10.255.0.2"] },
  ];
  const tasks: ClusterSnapshotInput["tasks"] = [];
  for (let i = 0; i < size.tasks; i++) {
    const app = i % size.apps;
    const agent = agents[i % size.agents]!;
    const port = 31000 + ((i * 2) % 1000);
    const overlay = i % 3 === 0;
    const taskIp = overlay ? ip(9, i + 1) : agent.ips[0]!;
    const withDiscovery = app % 2 === 0;
    tasks.push({
      id: `app-${app}.${i.toString(16).padStart(8, "0")}-1111-11ef-9c1b-0242ac110002`,
      name: `app-${app}.group-${app % 7}`,
      frameworkId: frameworks[app % 10 === 9 ? 1 : 0]!.id,
      agentId: agent.id,
      state: "TASK_RUNNING",
      ports: [{ begin: port, end: port + 1 }],
      ...(withDiscovery
        ? {
            discovery: {
              name: `app-${app}.group-${app % 7}`,
              ports: [
                { number: overlay ? 8080 : port, protocol: "tcp", name: "http", labels: app % 10 === 0 ? [{ key: "VIP_0", value: `/app-${app}:80` }] : [] },
                { number: overlay ? 8443 : port + 1, protocol: "tcp", name: "https", labels: [] },
              ],
            },
          }
        : {}),
      statuses: [{ state: "TASK_RUNNING", timestamp: 1_795_000_000 + i, networkInfos: [{ ipAddresses: [taskIp] }] }],
    });
  }
  return ClusterSnapshot.parse({
    cluster: { name: `bench-${size.tasks}` },
    now: "2026-11-26T12:00:00Z",
    leader: "master@10.255.0.1:5050",
    masters: ["10.255.0.1:5050", "10.255.0.2:5050", "10.255.0.3:5050"],
    agents,
    frameworks,
    tasks,
  });
}

/**
 * mesos-dns's own record-generation fixture (`zz_big_test.go` in specs/dns.md §5.2): 500
 * agents, 100 app names, two resource ports per task, addresses from the agent (`host`), no
 * DiscoveryInfo. Its records-per-task match what the lab anchors were measured on, so the
 * Mesos-DNS zone can be compared like for like.
 * @example mesosDnsShapedSnapshot(10_000).tasks.length // 10000
 */
export function mesosDnsShapedSnapshot(tasks: number): ClusterSnapshot {
  const agentIp = (i: number) => `10.1.${i >> 8}.${i & 255}`;
  return ClusterSnapshot.parse({
    cluster: { name: `mesos-dns-shape-${tasks}` },
    now: "2026-11-26T12:00:00Z",
    leader: "master@10.255.0.1:5050",
    masters: ["10.255.0.1:5050"],
    agents: Array.from({ length: 500 }, (_, i) => ({ id: `b0c1-S${i}`, hostname: `agent-${i}`, pid: `slave(1)@${agentIp(i)}:5051`, ips: [agentIp(i)] })),
    frameworks: [{ id: "bench-0000", name: "marathon", pid: "scheduler-1@10.255.0.1:15101", ips: ["10.255.0.1"] }],
    tasks: Array.from({ length: tasks }, (_, i) => ({
      id: `app-${i % 100}.${i.toString(16).padStart(8, "0")}-1111-11ef-9c1b-0242ac110002`,
      name: `app-${i % 100}`,
      frameworkId: "bench-0000",
      agentId: `b0c1-S${i % 500}`,
      state: "TASK_RUNNING",
      ports: [{ begin: 31000 + (i % 500) * 2, end: 31001 + (i % 500) * 2 }],
      statuses: [{ state: "TASK_RUNNING", timestamp: 1_795_000_000 + i }],
    })),
    config: { dns: { ipSources: ["host"] } },
  });
}
