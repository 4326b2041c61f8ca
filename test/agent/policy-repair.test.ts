import { describe, expect, it } from "vitest";
import { agentMetrics } from "../../lib/agent/agent-metrics.ts";
import { KeyedSyncer } from "../../lib/agent/keyed-syncer.ts";
import { jsonLogger } from "../../lib/agent/log.ts";
import { Syncer } from "../../lib/agent/syncer.ts";
import { wholeStateApplier, type ViewReader } from "../../lib/executor/keyed-applier.ts";
import { createPolicyApplier } from "../../lib/executor/policy/nftables-applier.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { tenants } from "../functions/policy/tenants.ts";
import { fakePolicyKernel } from "../executor/policy/fake-policy-kernel.ts";

const view = nodeView(reconcile(tenants()), "a1");

/** A view that never changes: only the periodic resync makes the agent look at the node again. */
const still: ViewReader = { node: "a1", generation: 1, hash: view.hash, dnsHash: "", value: () => undefined, valuesUnder: () => [], desired: () => view };

function agentParts() {
  const lines: Array<Record<string, unknown>> = [];
  const log = jsonLogger({ write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>), level: "debug" });
  const kernel = fakePolicyKernel();
  return { lines, log, metrics: agentMetrics(), kernel, policy: createPolicyApplier({ run: kernel.run }) };
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const canaryChecks = (kernel: ReturnType<typeof fakePolicyKernel>) => kernel.calls.filter((c) => c.argv.join(" ") === "nft --check -f -").length;

describe.each(["whole-state", "delta"] as const)("the agent's %s path with a policy table someone else flushes or deletes", (path) => {
  it.each(["flushed", "absent"] as const)("finds it %s at the next periodic resync, desired state unchanged, reinstalls it, logs an error and counts the repair", async (how) => {
    const { lines, log, metrics, kernel, policy } = agentParts();
    const syncer =
      path === "whole-state"
        ? new Syncer({ node: "a1", appliers: [policy], metrics, log, resyncIntervalMs: 40 })
        : new KeyedSyncer({ appliers: [wholeStateApplier(policy, (key) => key.startsWith("policy/"))], view: still, relist: () => {}, metrics, log, resyncIntervalMs: 40 });
    if (syncer instanceof Syncer) syncer.offer(view);
    else syncer.start();
    await until(() => kernel.table() === "intact");
    // Resyncs of an intact table: each asks the canary, none rewrites the table.
    const checksBefore = canaryChecks(kernel);
    await until(() => canaryChecks(kernel) >= checksBefore + 2);
    expect(kernel.batches()).toHaveLength(1);
    expect(lines.filter((l) => l.level === "error")).toEqual([]);

    kernel.damage(how);
    await until(() => lines.some((l) => l.msg === "found the node damaged"));
    await syncer.stop();
    expect(kernel.table()).toBe("intact");
    expect(kernel.batches()).toHaveLength(2);
    expect(kernel.batches()[1]).toContain("delete table inet wayfinder_policy");
    expect(lines.filter((l) => l.level === "error")).toEqual([
      expect.objectContaining({ msg: "found the node damaged", applier: "policy", problem: `table inet wayfinder_policy ${how === "flushed" ? "was flushed (its rules are gone)" : "is missing"}, behind the agent's back`, repaired: true }),
    ]);
    expect(metrics.registry.render()).toMatch(/^wayfinder_agent_applier_repairs_total\{applier="policy"\} 1$/m);
  });
});
