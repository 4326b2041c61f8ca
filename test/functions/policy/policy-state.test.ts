import { describe, expect, it } from "vitest";
import { reconcile } from "../../../functions/reconcile.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { PolicySection } from "../../../lib/desired/policy-schema.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { IP, tenants } from "./tenants.ts";
import { policySnapshot } from "../../support/policy-cluster.ts";

const desired = reconcile(tenants());
const policy = desired.policy!;

describe("the policy section", () => {
  it("validates against its schema", () => {
    expect(PolicySection.safeParse(policy).success).toBe(true);
  });

  it("leaves out an agent address that is no IP (a hostname left unresolved) instead of failing", () => {
    const snapshot = tenants();
    const odd = { ...snapshot, agents: snapshot.agents.map((a, i) => (i === 0 ? { ...a, ips: [...a.ips, "agent-1.unresolved"] } : a)) };
    const sets = reconcile(odd).policy!.sets;
    expect(Object.values(sets).some((set) => set.elements.some((e) => e.includes("unresolved")))).toBe(false);
    expect(sets.cluster!.elements).toEqual(policy.sets.cluster!.elements);
  });

  it("is absent without a policy config, so clusters without one keep their bytes", () => {
    expect(reconcile(tenants((s) => ({ ...s, policy: undefined }))).policy).toBeUndefined();
  });

  it("orders the admin rules by priority, then name", () => {
    expect(policy.rules.map((r) => r.name)).toEqual(["no-metadata", "web-api-pass", "web-to-db", "web-api-9090", "a-deny", "b-allow", "db-range", "dcos-to-probe", "office"]);
  });

  it("shares one set between equal selectors, and one identity between an app's tasks on different nodes", () => {
    const webOnA1 = policy.nodes["a1"]!.sources[IP.web1];
    const webOnA2 = policy.nodes["a2"]!.sources[IP.web2];
    expect(webOnA1).toBe(webOnA2);
    const toWeb = policy.rules.filter((r) => r.name === "a-deny" || r.name === "b-allow").map((r) => r.to);
    expect(new Set(toWeb).size).toBe(1);
    expect(policy.sets[toWeb[0]!]!.elements).toEqual([IP.web1, IP.web2]);
  });

  it("gives an identity only the rules its sources match", () => {
    const web = policy.identities[policy.nodes["a1"]!.sources[IP.web1]!]!;
    expect(web.rules.map((r) => r.name)).toEqual(["no-metadata", "web-api-pass", "web-to-db", "web-api-9090", "a-deny", "b-allow", "dcos-to-probe"]);
    expect(web.grants).toEqual([{ app: "/shop/api", entry: 0 }]);
    const outside = policy.identities[policy.outside]!;
    expect(outside.rules.map((r) => r.name)).toEqual(["no-metadata", "a-deny", "b-allow", "office"]);
    expect(outside.rules.find((r) => r.name === "office")!.from).toBeDefined();
  });

  it("keeps a host-network task out of the sources: its node sends for it", () => {
    expect(Object.keys(policy.nodes["a1"]!.sources)).toEqual([IP.db, IP.web1]);
    expect(policy.nodes["a1"]!.local).toEqual([IP.web1, `${IP.a1} 7000`, IP.db]);
    expect(policy.nodes["e1"]!.network).toBe("edge");
  });

  it("names a quarantined task's address as blocked on its node, and its endpoints in the quarantine set", () => {
    expect(policy.nodes["a2"]!.blocked).toEqual([IP.rogue]);
    expect(policy.sets["quarantine"]!.elements).toEqual([IP.rogue]);
    expect(Object.keys(policy.nodes["a2"]!.sources)).not.toContain(IP.rogue);
  });

  it("gives each node only its own entry and the sets it can use", () => {
    const view = nodeView(desired, "a1").policy!;
    expect(Object.keys(view.nodes)).toEqual(["a1"]);
    const usedRules = new Set(Object.values(view.identities).flatMap((i) => i.rules.map((r) => r.name)));
    expect(view.rules.map((r) => r.name).every((n) => usedRules.has(n))).toBe(true);
    for (const rule of view.rules) if (rule.to !== undefined) expect(view.sets[rule.to]).toBeDefined();
    expect(Object.keys(view.sets).length).toBeLessThanOrEqual(Object.keys(policy.sets).length);
  });

  it("touches only the sets a task is in when an app scales", () => {
    const scaled = reconcile(tenants((s) => ({ ...s, tasks: [...s.tasks, { id: "shop_api.2", app: "/shop/api", agent: "a1", network: "dcos", ip: "9.0.0.3" }] }))).policy!;
    const changed = Object.keys(scaled.sets).filter((k) => canonicalJson(scaled.sets[k]) !== canonicalJson(policy.sets[k]));
    const toApi = policy.rules.find((r) => r.name === "web-api-pass")!.to!;
    const apiMembers = policy.apps.find((a) => a.appId === "/shop/api")!.members;
    expect(changed.sort()).toEqual([toApi, apiMembers, "known"].sort());
    expect(scaled.identities).toEqual(policy.identities);
    expect(scaled.nodes["a2"]).toEqual(policy.nodes["a2"]);
  });

  it("reports an app label it cannot read, and a node over its rule budget", () => {
    const spec = { agents: [{ id: "a1", ip: "10.0.0.11" }], tasks: [{ id: "x.1", app: "/x", agent: "a1", network: "dcos", ip: "9.0.0.2" }], apps: { "/x": { WAYFINDER_POLICY_ALLOW_FROM_X: "/y" } } };
    const rules = Array.from({ length: 30 }, (_, i) => ({ name: `r${i}`, priority: i, action: "allow" as const }));
    const out = reconcile(policySnapshot({ ...spec, policy: { rules, maxRulesPerNode: 50 } }));
    expect(out.diagnostics.filter((d) => d.code.startsWith("policy.")).map((d) => [d.code, d.subject])).toEqual([
      ["policy.node-over-budget", "agent:a1"],
      ["policy.invalid-app-label", "app:/x"],
    ]);
  });
});
