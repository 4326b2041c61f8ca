import { describe, expect, it } from "vitest";
import { ExplainContext, explainApp, explainTask } from "../../../functions/explain/index.ts";
import { PEER_LIMIT } from "../../../functions/explain/explain-policy.ts";
import { ProvenanceLedger } from "../../../functions/explain/ledger.ts";
import { Explanation, type AppExplanation, type TaskExplanation } from "../../../functions/explain/schema.ts";
import { AROUND_PORT_LIMIT, policyQuestions } from "../../../functions/policy/questions.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import type { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { readSnapshot } from "../../golden/fixtures.ts";
import { tenants } from "../policy/tenants.ts";

function contextOf(snapshot: ClusterSnapshot): ExplainContext {
  const ledger = new ProvenanceLedger();
  const desired = reconcile(snapshot, { provenance: ledger });
  return new ExplainContext(snapshot, desired, ledger, policyQuestions(snapshot, desired));
}

const context = contextOf(tenants());
const QUARANTINE = "quarantined: network blue refused by ACL entry policy.networks.blue.attach[1]";

function task(c: ExplainContext, id: string): TaskExplanation {
  const e = Explanation.parse(explainTask(c, id));
  if (e.kind !== "task") throw new Error(`${id}: ${e.kind}`);
  return e;
}

function app(c: ExplainContext, id: string): AppExplanation {
  const e = Explanation.parse(explainApp(c, id));
  if (e.kind !== "app") throw new Error(`${id}: ${e.kind}`);
  return e;
}

describe("explain task: the policy's decisions", () => {
  it("says who may reach the task and what it may reach, by port, tier and rule", () => {
    const db = task(context, "bank_db.1").policy;
    expect(db.configured).toBe(true);
    expect(db.ports).toContainEqual({ protocol: "tcp", port: 5432 });
    const on5432 = db.inbound.filter((g) => g.port === 5432);
    expect(on5432[0]).toEqual({ protocol: "tcp", port: 5432, verdict: "allow", tier: "admin", by: "web-to-db", peers: ["/shop/web"], total: 1 });
    expect(on5432.find((g) => g.by === "network:blue")).toMatchObject({ verdict: "deny", tier: "network", peers: expect.arrayContaining(["/shop/api", "node:a1"]) });
    expect(db.outbound.find((g) => g.port === 8000 && g.verdict === "allow")).toMatchObject({ by: "db-range", tier: "admin", peers: ["/shop/web"] });
  });

  it("groups exactly what the policy questions answer, peer by peer (nothing decided here)", () => {
    const q = policyQuestions(context.snapshot, context.desired);
    const db = task(context, "bank_db.1").policy;
    const checks = [
      ...db.inbound.flatMap((g) => g.peers.map((peer) => [peer, "bank_db.1", g] as const)),
      ...db.outbound.flatMap((g) => g.peers.map((peer) => ["bank_db.1", peer, g] as const)),
    ];
    expect(checks.length).toBeGreaterThan(20);
    for (const [from, to, group] of checks) {
      const answer = q.explain(from, to, group.protocol, group.port);
      if ("unknown" in answer) throw new Error(`unknown ${answer.unknown}`);
      const decisive = answer.pairs.find((p) => p.verdict === "deny") ?? answer.pairs[0]!;
      expect([from, to, group.port, answer.verdict === "mixed" ? "mixed" : answer.verdict, decisive.by]).toEqual([from, to, group.port, group.verdict, group.by]);
    }
  });

  it("says a quarantined task is in no artifact and decided by quarantine everywhere", () => {
    const rogue = task(context, "shop_rogue.1");
    expect(rogue.policy.reasons).toEqual([{ message: QUARANTINE }]);
    for (const reasons of [rogue.dns.reasons, rogue.vips.reasons, rogue.haproxy.reasons, rogue.overlay.reasons]) expect(reasons[0]).toEqual({ message: QUARANTINE });
    const groups = [...rogue.policy.inbound, ...rogue.policy.outbound];
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups.map((g) => `${g.verdict} ${g.tier} ${g.by}`))).toEqual(new Set(["deny quarantine quarantine"]));
  });

  it("says why a task with no address has no decisions", () => {
    const stopped = contextOf(tenants((s) => ({ ...s, tasks: s.tasks.map((t) => (t.id === "shop_api.1" ? { ...t, state: "TASK_FINISHED" } : t)) })));
    const api = task(stopped, "shop_api.1").policy;
    expect(api).toMatchObject({ configured: true, inbound: [], outbound: [] });
    expect(api.reasons[0]!.message).toMatch(/no address on any network/);
  });

  it("says every connection is open when no policy is configured", () => {
    const demo = contextOf(readSnapshot("state-fixtures/demo/snapshot.json"));
    expect(task(demo, "web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002").policy).toEqual({ configured: false, reasons: [], ports: [], portsLeftOut: [], inbound: [], outbound: [] });
  });

  it("names at most PEER_LIMIT peers per decision and counts the rest", () => {
    const many = contextOf(
      tenants((s) => ({
        ...s,
        tasks: [...s.tasks, ...Array.from({ length: PEER_LIMIT + 5 }, (_, i) => ({ id: `x_${i}.1`, app: `/x/${String(i).padStart(2, "0")}`, agent: "a1", network: "dcos", ip: `9.0.0.${10 + i}` }))],
      })),
    );
    const blue = task(many, "bank_db.1").policy.inbound.find((g) => g.by === "network:blue")!;
    expect(blue.peers).toHaveLength(PEER_LIMIT);
    expect(blue.peers).toEqual([...blue.peers].sort());
    expect(blue.total).toBe(PEER_LIMIT + 5 + 5); // the added apps, and /shop/api, /shop/web, /tools/probe, node:a1, node:a2
  });

  it("asks a few default ports (the task's host ports first) and names the rest; asked ports replace them", () => {
    expect(AROUND_PORT_LIMIT).toBe(6);
    const probe = task(context, "tools_probe.1").policy;
    expect(probe.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(["tcp/7000", "tcp/80", "tcp/5432", "tcp/8000", "tcp/8080", "tcp/9090"]);
    const asked = Explanation.parse(explainTask(context, "bank_db.1", { ports: [{ protocol: "udp", port: 53 }] }));
    if (asked.kind !== "task") throw new Error(asked.kind);
    expect(asked.policy.ports).toEqual([{ protocol: "udp", port: 53 }]);
    expect(asked.policy.portsLeftOut).toEqual([]);
    expect(new Set([...asked.policy.inbound, ...asked.policy.outbound].map((g) => `${g.protocol}/${g.port}`))).toEqual(new Set(["udp/53"]));
    const manyPorts = contextOf(
      tenants((s) => ({ ...s, policy: { ...s.policy, rules: [...(s.policy?.rules ?? []), ...[1, 2, 3].map((i) => ({ name: `p${i}`, priority: 100, action: "allow" as const, to: { apps: ["/nothing"] }, ports: [{ protocol: "udp" as const, port: i }] }))] } })),
    );
    const db = task(manyPorts, "bank_db.1").policy;
    expect(db.ports.map((p) => `${p.protocol}/${p.port}`)).toEqual(["tcp/80", "tcp/5432", "tcp/8000", "tcp/8080", "tcp/9090", "udp/1"]);
    expect(db.portsLeftOut).toEqual([{ protocol: "udp", port: 2 }, { protocol: "udp", port: 3 }]);
  });
});

describe("explain app: the policy's decisions", () => {
  it("answers for the app as a whole, and counts its quarantined tasks", () => {
    const web = app(context, "/shop/web").policy;
    expect(web.outbound.find((g) => g.port === 5432 && g.verdict === "allow")).toMatchObject({ by: "web-to-db", peers: ["/bank/db"] });
    expect(app(context, "/shop/rogue").policy.reasons).toEqual([{ message: `1 of its 1 tasks ${QUARANTINE}` }]);
  });

  it("lists the policy labels among the labels that steer wayfinder", () => {
    expect(app(context, "/shop/api").app.labels).toEqual({ WAYFINDER_POLICY_ALLOW_FROM_8080: "/shop/web" });
  });
});
