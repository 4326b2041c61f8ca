import { describe, expect, it } from "vitest";
import { createPolicyApplier } from "../../../lib/executor/policy/nftables-applier.ts";
import { policyTable } from "../../../lib/render/policy-table.ts";
import type { PolicyClusterSpec } from "../../support/policy-cluster.ts";
import { tenants } from "../../functions/policy/tenants.ts";
import { fakePolicyKernel } from "./fake-policy-kernel.ts";
import { keyedView, policyKey, viewChanges } from "./keyed-view.ts";

const NODE = "a1";
const view = (change?: (s: PolicyClusterSpec) => PolicyClusterSpec) => keyedView(tenants(change), NODE);
const withTask = (task: PolicyClusterSpec["tasks"][number]) => (s: PolicyClusterSpec) => ({ ...s, tasks: [...s.tasks, task] });
const web3 = { id: "shop_web.3", app: "/shop/web", agent: "a2", network: "dcos", ip: "9.0.1.9" };

async function synced(first = view()) {
  const kernel = fakePolicyKernel();
  const applier = createPolicyApplier({ run: kernel.run });
  expect(await applier.syncAll(first)).toMatchObject({ status: "applied" });
  return { kernel, applier, first };
}

/** The set key of the rules' destination set of `/shop/web`'s tasks (keys are content hashes). */
function webDestinations(v: ReturnType<typeof view>): string {
  const sets = Object.entries(v.desired().policy!.sets).filter(([, s]) => s.kind === "endpoints" && s.elements.includes("9.0.0.2") && s.elements.includes("9.0.1.2"));
  expect(sets).toHaveLength(1);
  return sets[0]![0];
}

describe("the policy applier on changed membership keys", () => {
  it("turns a task started on another node into one transaction adding its address to the sets it joins", async () => {
    const { kernel, applier, first } = await synced();
    const after = view(withTask(web3));
    const changes = viewChanges(first, after, policyKey(NODE));
    expect([...changes.upserts.keys()]).toEqual(["policy/member/task/shop_web.3"]);
    const web = webDestinations(after);
    expect(await applier.applyChanges(changes, after)).toEqual({ name: "policy", status: "applied", plan: { adds: [], changes: [`set ${web}`, "set known"], deletes: [] } });
    expect(kernel.batches().at(-1)).toBe(`add element inet wayfinder_policy ${web}-4 { 9.0.1.9 . 0-65535 }\nadd element inet wayfinder_policy known-4 { 9.0.1.9 }\n`);
    expect(applier.lastSync).toEqual({ mode: "partial", batchBytes: kernel.batches().at(-1)!.length, sets: [web, "known"] });
    // What the applier now records is the table a full sync of the new view builds.
    expect((await applier.observe()).table).toEqual(policyTable(after.desired().policy!, NODE));
  });

  it("removes a stopped task's address, and a task whose address moved leaves the old one and joins with the new", async () => {
    const { kernel, applier } = await synced(view(withTask(web3)));
    const moved = view(withTask({ ...web3, ip: "9.0.1.10" }));
    await applier.applyChanges(viewChanges(view(withTask(web3)), moved, policyKey(NODE)), moved);
    const web = webDestinations(moved);
    expect(kernel.batches().at(-1)).toBe(
      [
        `delete element inet wayfinder_policy ${web}-4 { 9.0.1.9 . 0-65535 }`,
        `add element inet wayfinder_policy ${web}-4 { 9.0.1.10 . 0-65535 }`,
        "delete element inet wayfinder_policy known-4 { 9.0.1.9 }",
        "add element inet wayfinder_policy known-4 { 9.0.1.10 }",
        "",
      ].join("\n"),
    );
    const gone = view();
    await applier.applyChanges(viewChanges(moved, gone, policyKey(NODE)), gone);
    expect(kernel.batches().at(-1)).toBe(`delete element inet wayfinder_policy ${web}-4 { 9.0.1.10 . 0-65535 }\ndelete element inet wayfinder_policy known-4 { 9.0.1.10 }\n`);
    expect((await applier.observe()).table).toEqual(policyTable(gone.desired().policy!, NODE));
  });

  it("moves a tier-isolated app's members in its set and in the apps map", async () => {
    const { kernel, applier, first } = await synced();
    const after = view(withTask({ id: "shop_api.2", app: "/shop/api", agent: "e1", network: "dcos", ip: "9.0.2.7" }));
    await applier.applyChanges(viewChanges(first, after, policyKey(NODE)), after);
    const batch = kernel.batches().at(-1)!;
    expect(batch).toMatch(/^add element inet wayfinder_policy apps4 \{ 9\.0\.2\.7 \. 0-65535 : goto app-[a-z0-9-]+-4 \}$/m);
    expect(batch).not.toMatch(/chain|rule|flush/);
    expect((await applier.observe()).table).toEqual(policyTable(after.desired().policy!, NODE));
  });

  it.each([
    ["a task on this node (its node part changes)", (s: PolicyClusterSpec) => withTask({ ...web3, agent: "a1", ip: "9.0.0.9" })(s)],
    ["the settings", (s: PolicyClusterSpec) => ({ ...s, policy: { ...s.policy, default: "allow" as const } })],
    ["an app tier", (s: PolicyClusterSpec) => ({ ...s, apps: { "/shop/api": { WAYFINDER_POLICY_ALLOW_FROM_8080: "/shop/web, /bank/db" } } })],
  ])("asks for a full sync when a batch changes %s", async (_what, change) => {
    const { kernel, applier, first } = await synced();
    const after = view(change);
    const changes = viewChanges(first, after, policyKey(NODE));
    expect([...changes.upserts.keys()].some((k) => !k.startsWith("policy/member/"))).toBe(true);
    const sent = kernel.batches().length;
    expect(await applier.applyChanges(changes, after)).toBeUndefined();
    expect(kernel.batches()).toHaveLength(sent);
    // And the full sync it asks for brings the table to the view.
    await applier.syncAll(after);
    expect((await applier.observe()).table).toEqual(policyTable(after.desired().policy!, NODE));
  });

  it("asks for a full sync without a record, after the canary finds damage, and on a relist", async () => {
    const kernel = fakePolicyKernel();
    const applier = createPolicyApplier({ run: kernel.run });
    const after = view(withTask(web3));
    const changes = viewChanges(view(), after, policyKey(NODE));
    expect(await applier.applyChanges(changes, after)).toBeUndefined();

    await applier.syncAll(view());
    kernel.damage("flushed");
    expect(await applier.applyChanges(changes, after)).toBeUndefined();
    expect(await applier.syncAll(after)).toMatchObject({ status: "applied", plan: { repairs: [expect.stringContaining("flushed")] } });

    const back = view();
    expect(await applier.applyChanges({ ...viewChanges(after, back, policyKey(NODE)), complete: true }, back)).toBeUndefined();
  });

  it("refuses a quarantined task's membership that names an allow set, and a malformed element, sending nothing", async () => {
    const { kernel, applier, first } = await synced();
    const sent = kernel.batches().length;
    const member = (value: unknown) => ({ upserts: new Map([["policy/member/task/x.1", { hash: "h", json: JSON.stringify(value), value }]]), deletes: new Set<string>(), complete: false });
    expect(await applier.applyChanges(member({ quarantine: ["9.0.1.9"], known: ["9.0.1.9"] }), first)).toBeUndefined();
    await applier.syncAll(first);
    await expect(applier.applyChanges(member({ known: ["9.0.1.999"] }), first)).rejects.toThrow('not a policy set element: "9.0.1.999"');
    // The full sync of an unchanged view sent nothing either.
    expect(kernel.batches()).toHaveLength(sent);
    // The refusal dropped the record: the next change is a full sync again.
    expect(await applier.applyChanges(viewChanges(first, view(withTask(web3)), policyKey(NODE)), first)).toBeUndefined();
  });

  it("falls back when the partial transaction fails: it throws, and the next change needs a full sync", async () => {
    const first = view();
    const flaky = fakePolicyKernel({ failNext: /^add element/m });
    const again = createPolicyApplier({ run: flaky.run });
    await again.syncAll(first);
    const after = view(withTask(web3));
    await expect(again.applyChanges(viewChanges(first, after, policyKey(NODE)), after)).rejects.toThrow("No such file");
    expect(await again.applyChanges(viewChanges(first, after, policyKey(NODE)), after)).toBeUndefined();
  });
});
