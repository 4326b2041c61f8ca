import { describe, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { policyTable } from "../../lib/render/policy-table.ts";
import { policyChanges, policyDelta, policyFiles, renderPolicyTable } from "../../lib/render/policy-nftables.ts";
import { policySnapshot, type TaskSpec } from "../support/policy-cluster.ts";
import { tenants } from "../functions/policy/tenants.ts";

const tableOf = (change?: Parameters<typeof tenants>[0], node = "a1") => policyTable(nodeView(reconcile(tenants(change)), node).policy!, node);

/** Rules (not set elements) of a rendered table: lines inside chains. */
function ruleCount(text: string): number {
  let inChain = false;
  let rules = 0;
  for (const line of text.split("\n")) {
    if (/^\tchain /.test(line)) inChain = true;
    else if (line === "\t}") inChain = false;
    else if (inChain && !line.includes(" hook ")) rules++;
  }
  return rules;
}

/** `apps` apps with `per` tasks each, spread over 4 agents, and one rule between each app and the next. */
function cluster(apps: number, per: number) {
  const tasks: TaskSpec[] = [];
  for (let a = 0; a < apps; a++) {
    for (let t = 0; t < per; t++) tasks.push({ id: `app${a}.${t}`, app: `/app${a}`, agent: `a${t % 4}`, network: "dcos", ip: `9.0.${t % 4}.${2 + a * per + t}` });
  }
  const rules = Array.from({ length: apps }, (_, a) => ({ name: `r${a}`, priority: a, action: "allow" as const, from: { apps: [`/app${a}`] }, to: { apps: [`/app${(a + 1) % apps}`] }, ports: [{ protocol: "tcp" as const, port: 80 }] }));
  const snapshot = policySnapshot({ agents: [0, 1, 2, 3].map((i) => ({ id: `a${i}`, ip: `10.0.0.${11 + i}` })), tasks, policy: { rules, default: "deny" } });
  const text = renderPolicyTable(policyTable(nodeView(reconcile(snapshot), "a0").policy!, "a0"));
  return { rules: ruleCount(text), elements: text.split("\n").filter((l) => /^\t\t\t/.test(l)).length };
}

describe("the policy table", () => {
  it("is the same bytes for the same state", () => {
    expect(renderPolicyTable(tableOf())).toBe(renderPolicyTable(tableOf()));
  });

  it("grows in elements, not rules, with tasks: rules follow apps and rules", () => {
    const small = cluster(8, 2);
    const large = cluster(8, 20);
    expect(large.rules).toBe(small.rules);
    expect(large.elements).toBeGreaterThan(small.elements * 5);
  });

  it("moves only elements when tasks come and go", () => {
    const before = tableOf();
    const after = tableOf((s) => ({ ...s, tasks: [...s.tasks, { id: "shop_web.3", app: "/shop/web", agent: "a1", network: "dcos", ip: "9.0.0.9" }] }));
    const delta = policyDelta(before, after);
    expect(delta).toContain("add element inet wayfinder_policy sources4 { 9.0.0.9 : jump id-");
    expect(delta).not.toMatch(/delete element|chain|counter/);
    expect(policyDelta(after, before)).toContain("delete element inet wayfinder_policy sources4 { 9.0.0.9 }");
    expect(policyDelta(before, before)).toBe("");
    expect(policyChanges(before, after).changes.every((k) => k.startsWith("set ") || k.startsWith("map "))).toBe(true);
  });

  it("refills only the chains a rule change touches, and adds and removes what it brings and drops", () => {
    const before = tableOf();
    const after = tableOf((s) => ({ ...s, policy: { ...s.policy, rules: [...s.policy!.rules!.filter((r) => r.name !== "office"), { name: "new-rule", priority: 3, action: "deny", to: { ipBlocks: [{ cidr: "192.0.2.0/24" }] } }] } }));
    const delta = policyDelta(before, after);
    expect(delta).toContain("add counter inet wayfinder_policy rule-new-rule");
    expect(delta).toMatch(/^add set inet wayfinder_policy e-[0-9a-f]+-4 \{ type ipv4_addr \. inet_service; flags interval; \}$/m);
    expect(delta).toContain("delete counter inet wayfinder_policy rule-office");
    // Identities are named by their content: a new rule for every source renames their chains.
    expect(delta).toMatch(/^add chain inet wayfinder_policy id-i-[0-9a-f]+-4$/m);
    expect(delta).toMatch(/^delete chain inet wayfinder_policy id-i-[0-9a-f]+-4$/m);
    expect(delta.indexOf("add chain")).toBeLessThan(delta.indexOf("add element inet wayfinder_policy sources4"));
    expect(delta.indexOf("add element inet wayfinder_policy sources4")).toBeLessThan(delta.indexOf("delete chain"));
    expect(delta).not.toContain("delete table");
    const { changes } = policyChanges(before, after);
    expect(changes.filter((k) => k.startsWith("chain ")).length).toBeLessThan(after.chains.length);
  });

  it("logs, rate-limited and in a rule of its own, what a logged rule decides and every drop when asked", () => {
    const quiet = renderPolicyTable(tableOf());
    expect(quiet).not.toContain(" log prefix ");
    const loud = renderPolicyTable(tableOf((s) => ({ ...s, policy: { ...s.policy, logDrops: true, rules: s.policy!.rules!.map((r) => (r.name === "web-to-db" ? { ...r, log: true } : r)) } })));
    expect(loud).toContain('limit rate 10/second burst 20 packets log prefix "wayfinder allow web-to-db: " level info');
    expect(loud).toContain('log prefix "wayfinder deny no-metadata: "');
    expect(loud).toContain('log prefix "wayfinder deny network:blue: "');
    expect(loud).toContain('log prefix "wayfinder deny default: "');
    for (const line of loud.split("\n").filter((l) => l.includes(" log prefix "))) expect(line).not.toMatch(/ (accept|drop|goto \S+)$/);
  });

  it("matches one port spec by comparison and only several by an anonymous set", () => {
    const table = tableOf((s) => ({
      ...s,
      policy: { ...s.policy, rules: [...s.policy!.rules!, { name: "two-ports", priority: 80, action: "deny", from: { apps: ["/shop/web"] }, to: { apps: ["/shop/api"] }, ports: [{ protocol: "udp", port: 53 }, { protocol: "tcp", port: 53, endPort: 60 }] }] },
    }));
    const rules = table.chains.flatMap((c) => c.rules);
    const rule = (name: string) => rules.find((r) => r.includes(`"rule-${name}"`))!;
    expect(rule("web-to-db")).toContain(" meta l4proto tcp th dport 5432 counter");
    expect(rule("db-range")).toContain(" meta l4proto tcp th dport 8000-8100 counter");
    expect(rule("two-ports")).toContain(" meta l4proto . th dport { udp . 53, tcp . 53-60 } counter");
    // Every other rule with ports has one spec: no anonymous port set is left in the table.
    expect(rules.filter((r) => r.includes("th dport {"))).toEqual([rule("two-ports")]);
  });

  it("writes a source's address blocks into its rule, not into a named set nft reads back before each batch", () => {
    const table = tableOf((s) => ({
      ...s,
      policy: { ...s.policy, rules: [...s.policy!.rules!, { name: "partners", priority: 80, action: "allow", from: { ipBlocks: [{ cidr: "198.51.100.0/24" }, { cidr: "192.0.2.0/25" }] }, to: { apps: ["/shop/web"] } }] },
    }));
    const rules = table.chains.flatMap((c) => c.rules);
    // 203.0.113.0/24 except its upper half.
    expect(rules.find((r) => r.includes('"rule-office"'))).toMatch(/^ip saddr 203\.0\.113\.0\/25 ip daddr \. th dport @e-[0-9a-f]+-4 counter/);
    expect(rules.find((r) => r.includes('"rule-partners"'))).toMatch(/^ip saddr \{ 192\.0\.2\.0\/25, 198\.51\.100\.0\/24 \} ip daddr/);
    // Named interval sets left: the fixed ones of the node and the fixed ones of every table.
    const intervals = table.sets.filter((s) => s.head.includes("flags interval") && !s.head.includes(" . ")).map((s) => s.name.replace(/[46]$/, ""));
    expect([...new Set(intervals)].sort()).toEqual(["blocked", "cluster-", "n-blue-", "overlay-", "slices"]);
  });

  it("never writes a network name from a task into the table: an unsafe one becomes its hash", () => {
    const snapshot = policySnapshot({
      agents: [{ id: "a1", ip: "10.0.0.11" }],
      tasks: [{ id: "x.1", app: "/x", agent: "a1", network: 'cni"; flush ruleset; "', ip: "172.30.0.2" }],
      policy: { networks: { dcos: { isolation: "isolated" } } },
    });
    const text = renderPolicyTable(policyTable(nodeView(reconcile(snapshot), "a1").policy!, "a1"));
    expect(text).not.toContain("flush ruleset");
    expect(text).toMatch(/chain iso-h[0-9a-f]{12}-4 \{/);
  });

  it("is written as policy/<node>.nft, for each node of the cluster or the one of a view", () => {
    const desired = reconcile(tenants());
    expect([...policyFiles(desired).keys()]).toEqual(["policy/a1.nft", "policy/a2.nft", "policy/e1.nft"]);
    expect([...policyFiles(nodeView(desired, "a2")).keys()]).toEqual(["policy/a2.nft"]);
    expect(policyFiles(reconcile(tenants((s) => ({ ...s, policy: undefined }))))).toEqual(new Map());
  });
});
