/**
 * @module
 * Small clusters for policy tests, written the way a test reads: agents with one address,
 * tasks by app, network and address, Marathon app labels, and the `policy` config section.
 */
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { ConfigInput } from "../../lib/snapshot/config.ts";

export interface AgentSpec {
  id: string;
  ip: string;
  public?: boolean;
}

export interface TaskSpec {
  id: string;
  app?: string;
  agent: string;
  /** An overlay (or other named network) and the task's address on it; absent: host networking. */
  network?: string;
  ip?: string;
  /** Host ports the task holds (for host networking: the ports it listens on). */
  ports?: number[];
  labels?: Record<string, string>;
  state?: string;
  role?: string;
}

export interface PolicyClusterSpec {
  agents: AgentSpec[];
  tasks: TaskSpec[];
  /** App id → Marathon labels. */
  apps?: Record<string, Record<string, string>>;
  policy?: ConfigInput["policy"];
  overlay?: ConfigInput["overlay"];
}

/**
 * @example policySnapshot({ agents: [{ id: "a1", ip: "10.0.0.11" }], tasks: [{ id: "web.1", app: "/web", agent: "a1", network: "dcos", ip: "9.0.0.2" }] })
 */
export function policySnapshot(spec: PolicyClusterSpec): ClusterSnapshot {
  const agentIp = (id: string) => spec.agents.find((a) => a.id === id)!.ip;
  const appIds = [...new Set(spec.tasks.flatMap((t) => (t.app === undefined ? [] : [t.app])))];
  return ClusterSnapshot.parse({
    cluster: { name: "policy" },
    now: "2026-01-01T00:00:00Z",
    agents: spec.agents.map((a) => ({ id: a.id, hostname: a.id, ips: [a.ip], public: a.public ?? false })),
    frameworks: [{ id: "marathon", name: "marathon" }],
    tasks: spec.tasks.map((t) => ({
      id: t.id,
      name: t.id,
      frameworkId: "marathon",
      agentId: t.agent,
      state: t.state ?? "TASK_RUNNING",
      ...(t.app === undefined ? {} : { appId: t.app }),
      ...(t.role === undefined ? {} : { role: t.role }),
      labels: Object.entries(t.labels ?? {}).map(([key, value]) => ({ key, value })),
      ports: (t.ports ?? []).map((p) => ({ begin: p, end: p })),
      ...(t.network === undefined ? {} : { container: { type: "MESOS", networkInfos: [{ name: t.network }] } }),
      statuses: [
        {
          state: t.state ?? "TASK_RUNNING",
          timestamp: 1,
          networkInfos: [t.network === undefined ? { ipAddresses: [agentIp(t.agent)] } : { name: t.network, ipAddresses: [t.ip!] }],
        },
      ],
    })),
    marathonApps: appIds.map((id) => ({ id, labels: spec.apps?.[id] ?? {}, tasks: spec.tasks.filter((t) => t.app === id).map((t) => ({ id: t.id })) })),
    config: { ...(spec.overlay === undefined ? {} : { overlay: spec.overlay }), ...(spec.policy === undefined ? {} : { policy: spec.policy }) },
  });
}
