/**
 * @module
 * The policy benchmark's cluster: `tasks` tasks of `apps` apps (spread round-robin over
 * `agents` agents on the `dcos` overlay, each agent's tasks in its own /24 slice) and `rules`
 * admin rules between random apps (seeded: every run builds the same cluster). The mix:
 * mostly app → app allows on one port, some denies, some port ranges, some pass, a few
 * address-block rules and a few that any source matches; a fifth of the apps carry an app-tier
 * label.
 */
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { ConfigInput } from "../../lib/snapshot/config.ts";
import { seededRandom } from "../support/seeded-random.ts";

export interface PolicyClusterShape {
  tasks: number;
  apps: number;
  rules: number;
  agents: number;
}

type Rule = NonNullable<NonNullable<ConfigInput["policy"]>["rules"]>[number];

/** The address of task `t` on agent `agent`: its slice is 9.0.<agent>.0/24 (agents past 255 wrap into the next octet). */
export function taskAddress(agent: number, index: number): string {
  return `9.${agent >> 8}.${agent & 255}.${2 + index}`;
}

/**
 * @example policyBenchSnapshot({ tasks: 1000, apps: 200, rules: 10_000, agents: 50 }).tasks.length // 1000
 */
export function policyBenchSnapshot(shape: PolicyClusterShape, extraTasks: ReadonlyArray<{ app: number; agent: number }> = []): ClusterSnapshot {
  const random = seededRandom(15);
  const pick = (n: number) => Math.floor(random() * n);
  const perAgent = new Array<number>(shape.agents).fill(0);
  const tasks = [...Array.from({ length: shape.tasks }, (_, i) => ({ app: i % shape.apps, agent: i % shape.agents })), ...extraTasks].map(({ app, agent }, i) => {
    const ip = taskAddress(agent, perAgent[agent]!++);
    return {
      id: `app${app}.task${i}`,
      name: `app${app}`,
      frameworkId: "marathon",
      agentId: `a${agent}`,
      state: "TASK_RUNNING",
      appId: `/team${app % 20}/app${app}`,
      container: { type: "MESOS", networkInfos: [{ name: "dcos" }] },
      statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: [ip] }] }],
    };
  });
  const appId = (a: number) => `/team${a % 20}/app${a}`;
  const rules: Rule[] = Array.from({ length: shape.rules }, (_, r): Rule => {
    const kind = random();
    const port = 1000 + pick(64);
    const base = { name: `rule-${r}`, priority: pick(1000) };
    if (kind < 0.01) return { ...base, action: "deny", to: { apps: [appId(pick(shape.apps))] }, ports: [{ protocol: "udp", port }] };
    if (kind < 0.02) return { ...base, action: "allow", from: { ipBlocks: [{ cidr: `198.51.${pick(256)}.0/24`, except: [] }] }, to: { apps: [appId(pick(shape.apps))] } };
    if (kind < 0.05) return { ...base, action: "pass", from: { apps: [`/team${pick(20)}/**`] }, to: { apps: [appId(pick(shape.apps))] } };
    if (kind < 0.15) return { ...base, action: "deny", from: { apps: [appId(pick(shape.apps))] }, to: { apps: [appId(pick(shape.apps))] }, ports: [{ protocol: "tcp", port }] };
    if (kind < 0.25) return { ...base, action: "allow", from: { apps: [appId(pick(shape.apps))] }, to: { apps: [appId(pick(shape.apps))] }, ports: [{ protocol: "tcp", port, endPort: port + 9 }] };
    return { ...base, action: "allow", from: { apps: [appId(pick(shape.apps))] }, to: { apps: [appId(pick(shape.apps))] }, ports: [{ protocol: "tcp", port }] };
  });
  const labelled = new Set(Array.from({ length: Math.floor(shape.apps / 5) }, () => pick(shape.apps)));
  return ClusterSnapshot.parse({
    cluster: { name: "policy-bench" },
    now: "2026-01-01T00:00:00Z",
    agents: Array.from({ length: shape.agents }, (_, a) => ({ id: `a${a}`, hostname: `a${a}`, ips: [`10.${a >> 8}.${a & 255}.1`] })),
    frameworks: [{ id: "marathon", name: "marathon" }],
    tasks,
    marathonApps: Array.from({ length: shape.apps }, (_, a) => ({
      id: appId(a),
      labels: labelled.has(a) ? { WAYFINDER_POLICY_ALLOW_FROM_8080: `/team${a % 20}/*, ${appId((a + 1) % shape.apps)}` } : {},
    })),
    config: {
      overlay: { overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] },
      policy: { rules, default: "deny", maxRulesPerNode: 1_000_000 },
    },
  });
}
