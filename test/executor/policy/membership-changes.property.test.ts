import { describe, expect, it } from "vitest";
import { createPolicyApplier } from "../../../lib/executor/policy/nftables-applier.ts";
import { policyTable } from "../../../lib/render/policy-table.ts";
import type { PolicyClusterSpec, TaskSpec } from "../../support/policy-cluster.ts";
import { seededRandom } from "../../support/seeded-random.ts";
import { TENANTS, tenants } from "../../functions/policy/tenants.ts";
import { fakePolicyKernel } from "./fake-policy-kernel.ts";
import { keyedView, policyKey, viewChanges } from "./keyed-view.ts";

const NODE = "a1";
const AGENTS = ["a1", "a2", "e1"] as const;
const APPS = ["/shop/web", "/shop/api", "/bank/db", "/shop/rogue"] as const;

/**
 * TENANTS plus rules whose destination sets overlap what tasks add (an address block and a
 * broad app glob), so tasks that come and go merge and split intervals.
 */
const spec = (tasks: TaskSpec[], agents: number): PolicyClusterSpec => ({
  ...TENANTS,
  // Agents joining: their addresses fall inside the overlays' blocks in `cluster` (merged away) or not.
  agents: [...TENANTS.agents, ...Array.from({ length: agents }, (_, i) => ({ id: `b${i}`, ip: `10.0.1.${i + 1}` }))],
  tasks: [...TENANTS.tasks, ...tasks],
  policy: {
    ...TENANTS.policy,
    rules: [
      ...TENANTS.policy!.rules!,
      { name: "shop-block", priority: 80, action: "allow", to: { ipBlocks: [{ cidr: "9.0.1.0/28" }] } },
      { name: "probes", priority: 90, action: "allow", to: { apps: ["/tools/**"] }, ports: [{ protocol: "tcp", port: 7000, endPort: 7003 }] },
    ],
  },
});

/** One random change: a task started (overlay or host ports), stopped, or readdressed. */
function step(tasks: TaskSpec[], random: () => number, serial: number): TaskSpec[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const roll = random();
  if (roll < 0.45 || tasks.length === 0) {
    const agent = pick(AGENTS);
    if (random() < 0.3) return [...tasks, { id: `tools_probe.${serial}`, app: "/tools/probe", agent, ports: [7000 + Math.floor(random() * 4)] }];
    const app = pick(APPS);
    const network = app === "/bank/db" || app === "/shop/rogue" ? "blue" : "dcos";
    const ip = network === "blue" ? `10.200.${Math.floor(random() * 2)}.${10 + Math.floor(random() * 20)}` : `9.0.${Math.floor(random() * 3)}.${Math.floor(random() * 20)}`;
    return [...tasks, { id: `${app.slice(1).replace("/", "_")}.${serial}`, app, agent, network, ip }];
  }
  const i = Math.floor(random() * tasks.length);
  if (roll < 0.8) return tasks.filter((_, j) => j !== i);
  return tasks.map((t, j) => (j !== i || t.ip === undefined ? t : { ...t, ip: t.ip.replace(/\d+$/, `${20 + Math.floor(random() * 20)}`) }));
}

describe("membership changes against a full sync", () => {
  it.each([1, 2, 3])("leave the record equal to the table a full sync builds, over random sequences (seed %i)", async (seed) => {
    const random = seededRandom(seed);
    const kernel = fakePolicyKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    let tasks: TaskSpec[] = [];
    let agents = 0;
    let joined = false;
    let before = keyedView(tenants(() => spec(tasks, agents)), NODE);
    await applier.syncAll(before);
    let partial = 0;
    for (let serial = 0; serial < 40; serial++) {
      if (random() < 0.15) {
        agents = Math.max(0, agents + (random() < 0.6 ? 1 : -1));
        joined ||= agents > 0;
      }
      else tasks = step(tasks, random, serial);
      const after = keyedView(tenants(() => spec(tasks, agents)), NODE);
      const result = await applier.applyChanges(viewChanges(before, after, policyKey(NODE)), after);
      if (result === undefined) await applier.syncAll(after);
      else if (applier.lastSync?.mode === "partial" && result.status === "applied") partial++;
      expect((await applier.observe()).table, `seed ${seed}, step ${serial}`).toEqual(policyTable(after.desired().policy!, NODE));
      before = after;
    }
    // Most changes are on other nodes and only move memberships: those were partial.
    // Agents that joined were added to `cluster` partially, their overlay addresses merged into the blocks.
    const cluster = kernel.batches().filter((b) => b.includes("add element inet wayfinder_policy cluster-4 { 10.0.1."));
    expect(cluster.length > 0 || !joined).toBe(true);
    expect(kernel.batches().filter((b) => /cluster-4 \{[^}]*9\.0\./.test(b) && !b.includes("delete table"))).toEqual([]);
    expect(partial).toBeGreaterThan(10);
  });
});
