import { describe, expect, it } from "vitest";
import { applyDesired } from "../../../lib/executor/apply-desired.ts";
import { createPolicyApplier, planPolicy } from "../../../lib/executor/policy/nftables-applier.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { fakePolicyKernel as fakeKernel } from "./fake-policy-kernel.ts";
import { tenants } from "../../functions/policy/tenants.ts";
import type { PolicyClusterSpec } from "../../support/policy-cluster.ts";

const view = (change?: (s: PolicyClusterSpec) => PolicyClusterSpec) => nodeView(reconcile(tenants(change)), "a1");
const scaled = (s: PolicyClusterSpec): PolicyClusterSpec => ({ ...s, tasks: [...s.tasks, { id: "shop_web.3", app: "/shop/web", agent: "a1", network: "dcos", ip: "9.0.0.9" }] });

describe("policy applier", () => {
  it("replaces the table whole first, then moves only the elements that changed", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    const first = await applyDesired(view(), [applier]);
    expect(first.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["table inet wayfinder_policy"] } });
    expect(applier.lastSync?.mode).toBe("full");
    expect(kernel.batches()[0]).toContain("delete table inet wayfinder_policy");

    expect((await applyDesired(view(), [applier])).appliers[0]).toEqual({ name: "policy", status: "unchanged" });

    const second = await applyDesired(view(scaled), [applier]);
    expect(applier.lastSync?.mode).toBe("partial");
    expect(second.appliers[0]).toMatchObject({ status: "applied" });
    const batch = kernel.batches()[1]!;
    expect(batch).toContain("add element inet wayfinder_policy sources4 { 9.0.0.9 : jump id-");
    expect(batch).toContain("9.0.0.9 . 0-65535");
    expect(batch).not.toMatch(/chain|rule/);
    expect(batch).not.toContain("delete table");
  });

  it("refills the chains a rule change touches, without replacing the table", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    await applyDesired(view(), [applier]);
    const report = await applyDesired(view((s) => ({ ...s, policy: { ...s.policy, default: "allow" } })), [applier]);
    expect(applier.lastSync?.mode).toBe("partial");
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [], deletes: [] } });
    const batch = kernel.batches()[1]!;
    expect(batch).toMatch(/^flush chain inet wayfinder_policy tiers-/m);
    expect(batch).toContain('counter name "default" accept');
    expect(batch).not.toContain("delete table");
  });

  it("falls back to a full sync in the same apply when a partial one fails", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    await applyDesired(view(), [applier]);
    const flaky = fakeKernel({ failNext: /^add element/m });
    const again = createPolicyApplier({ run: async (argv, input) => (argv[0] === "nft" && argv[1] === "-f" ? flaky.run(argv, input) : kernel.run(argv, input)) });
    await applyDesired(view(), [again]);
    const report = await applyDesired(view(scaled), [again]);
    expect(report.ok).toBe(true);
    expect(again.lastSync).toMatchObject({ mode: "full", fallback: expect.stringContaining("No such file") });
  });

  it.each([
    ["flushed", "table inet wayfinder_policy was flushed (its rules are gone), behind the agent's back"],
    ["absent", "table inet wayfinder_policy is missing, behind the agent's back"],
  ] as const)("replaces the table whole, in one transaction, when the canary finds it %s behind its back, and names the damage", async (how, damage) => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    await applyDesired(view(), [applier]);
    expect((await applyDesired(view(), [applier])).appliers[0]).toEqual({ name: "policy", status: "unchanged" });
    kernel.damage(how);
    const report = await applyDesired(view(), [applier]);
    expect(report.appliers[0]).toEqual({ name: "policy", status: "applied", plan: { adds: [], changes: ["table inet wayfinder_policy"], deletes: [], repairs: [damage] } });
    expect(applier.lastSync?.mode).toBe("full");
    // The whole table in one batch: created, emptied, refilled, never seen half-built.
    const batch = kernel.batches().at(-1)!;
    expect(batch.match(/^delete table inet wayfinder_policy$/gm)).toHaveLength(1);
    expect(batch).toMatch(/^table inet wayfinder_policy \{$/m);
    expect(kernel.table()).toBe("intact");
    // Repaired, and trusted again: the next sync finds nothing to do.
    expect((await applyDesired(view(), [applier])).appliers[0]).toEqual({ name: "policy", status: "unchanged" });
  });

  it("checks the canary before a partial sync, so elements never go into a flushed table", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    await applyDesired(view(), [applier]);
    kernel.damage("flushed");
    const report = await applyDesired(view(scaled), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { repairs: [expect.stringContaining("was flushed")] } });
    expect(applier.lastSync?.mode).toBe("full");
    expect(kernel.batches().at(-1)).toContain("delete table inet wayfinder_policy");
  });

  it("fails a full sync whose table the canary does not find intact afterwards", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: async (argv, input) => {
      const out = await kernel.run(argv, input);
      if (argv.join(" ") === "nft -f -") kernel.damage("flushed");
      return out;
    } });
    const report = await applyDesired(view(), [applier]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "verify", error: expect.stringContaining("table inet wayfinder_policy was flushed") });
    expect(kernel.calls.map((c) => c.argv.join(" "))).not.toContain("nft list tables inet");
  });

  it("turns br_netfilter on for its own bridges' traffic, and refuses to program without it", async () => {
    const off = fakeKernel({ bridgeKeys: "0" });
    await applyDesired(view(), [createPolicyApplier({ run: off.run })]);
    expect(off.calls.map((c) => c.argv.join(" "))).toContain("sysctl -q -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1");
    expect(off.bridge()).toBe("1");

    const missing = fakeKernel({ bridgeKeys: "missing" });
    const report = await applyDesired(view(), [createPolicyApplier({ run: missing.run })]);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "apply", error: expect.stringContaining("br_netfilter") });
    expect(missing.calls.map((c) => c.argv.join(" "))).toContain("modprobe br_netfilter");
    expect(missing.batches()).toEqual([]);
  });

  it("removes its table when the node's policy goes away, and only then", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    await applyDesired(view(), [applier]);
    const none = view((s) => ({ ...s, policy: undefined }));
    expect((await applyDesired(none, [applier])).appliers[0]).toMatchObject({ status: "applied", plan: { deletes: ["table inet wayfinder_policy"] } });
    expect(kernel.calls.map((c) => c.argv.join(" "))).toContain("nft delete table inet wayfinder_policy");
    expect((await applyDesired(none, [applier])).appliers[0]).toEqual({ name: "policy", status: "unchanged" });
  });

  it("refuses the cluster's desired state: a table is one node's", () => {
    expect(() => planPolicy(reconcile(tenants()), { known: false })).toThrow(/node view/);
  });

  it("reads its counters with what each counts, and nothing it did not declare", async () => {
    const kernel = fakeKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    expect(await applier.readCounters()).toEqual([]);
    await applyDesired(view(), [applier]);
    expect(await applier.readCounters()).toEqual([{ counter: "rule-a-deny", packets: 3, bytes: 180, tier: "admin", by: "a-deny", verdict: "deny" }]);
  });
});
