/**
 * The network policy through the incremental reconciler: every step equals the whole
 * derivation, and a change rewrites only the policy pieces it touches (a task: its set
 * membership and its node's part; a relabelled app: its tier and the identities and nodes of
 * the sources it names), never the settings or a set that lists the cluster.
 */
import { describe, expect, it } from "vitest";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { PolicyKeys } from "../../../functions/keyed/policy-pieces.ts";
import { IncrementalReconciler } from "../../../functions/incremental/reconciler.ts";
import { applySnapshotChange, SnapshotChange, type SnapshotChangeInput } from "../../../lib/snapshot/snapshot-change.ts";
import { policySnapshot } from "../../support/policy-cluster.ts";
import { TENANTS, tenants } from "../policy/tenants.ts";

const isPolicyKey = (key: string) => key.startsWith("policy/") || /^node\/[^/]+\/policy$/.test(key);

/** The TENANTS cluster as a reconciler, stepped against the whole derivation; each step answers the policy keys it changed. */
function tenantCluster() {
  let snapshot = tenants();
  const reconciler = IncrementalReconciler.fromSnapshot(snapshot);
  return {
    reconciler,
    step(input: SnapshotChangeInput): string[] {
      const change = SnapshotChange.parse({ now: snapshot.now, ...input });
      snapshot = applySnapshotChange(snapshot, change, reconciler.allocations());
      const result = reconciler.apply(change);
      const whole = deriveObjects(snapshot);
      expect(new Map([...reconciler.objects.entries()].map(([k, v]) => [k, v.json]))).toEqual(new Map([...whole.entries()].map(([k, v]) => [k, v.json])));
      return [...result.upserts.map((u) => u.key), ...result.deletes].filter(isPolicyKey).sort();
    },
  };
}

/** A task of TENANTS' shape (`policySnapshot` writes it as the snapshot holds it). */
function task(spec: (typeof TENANTS.tasks)[number]) {
  return policySnapshot({ ...TENANTS, tasks: [spec] }).tasks[0]!;
}

describe("the policy, incrementally", () => {
  it("rewrites a replaced task's membership and its node's part, and no set, identity or other node", () => {
    const c = tenantCluster();
    const changed = c.step({
      upsert: { tasks: [task({ id: "shop_web.3", app: "/shop/web", agent: "a2", network: "dcos", ip: "9.0.1.4" })] },
      delete: { tasks: ["shop_web.2"] },
    });
    expect(changed).toEqual([PolicyKeys.node("a2"), PolicyKeys.taskMember("shop_web.2"), PolicyKeys.taskMember("shop_web.3")].sort());
    expect(c.reconciler.objects.value<Record<string, string[]>>(PolicyKeys.taskMember("shop_web.3"))?.known).toEqual(["9.0.1.4"]);
  });

  it("adds an identity with the first task of a kind and drops it with the last", () => {
    const c = tenantCluster();
    // The db on `dcos` (its other task is on `blue`) is a source no task was yet.
    const added = c.step({ upsert: { tasks: [task({ id: "bank_db.2", app: "/bank/db", agent: "a1", network: "dcos", ip: "9.0.0.9" })] } });
    expect(added.filter((k) => k.startsWith(PolicyKeys.identityPrefix))).toHaveLength(1);
    expect(added.filter((k) => !k.startsWith(PolicyKeys.identityPrefix))).toEqual([PolicyKeys.node("a1"), PolicyKeys.taskMember("bank_db.2")].sort());
    const removed = c.step({ delete: { tasks: ["bank_db.2"] } });
    expect(removed).toEqual(added);
  });

  it("on an app's relabel rewrites its tier and the parts of the nodes its new sources are on, not the settings or sets", () => {
    const c = tenantCluster();
    const labels = { WAYFINDER_POLICY_ALLOW_FROM_8080: "/shop/web, /bank/db", WAYFINDER_POLICY_ALLOW_FROM_9000: "*" };
    const changed = c.step({ upsert: { apps: [{ id: "/shop/api", labels, tasks: [{ id: "shop_api.1" }] }] } });
    expect(changed).toContain(PolicyKeys.app("/shop/api"));
    // The db on a1 may now reach the api: its identity changes, and with it a1's part.
    expect(changed).toContain(PolicyKeys.node("a1"));
    expect(changed.filter((k) => k === PolicyKeys.settings || k.startsWith(PolicyKeys.setPrefix) || k.startsWith(PolicyKeys.memberPrefix))).toEqual([]);
    expect(changed).not.toContain(PolicyKeys.node("a2"));
  });
});
