import { describe, expect, it } from "vitest";
import { ExplainContext, explain, explainApp, explainName, explainTask, explainVip } from "../../../functions/explain/index.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { Explanation } from "../../../functions/explain/schema.ts";
import { readSnapshot } from "../../golden/fixtures.ts";
import { ProvenanceLedger } from "../../../functions/explain/ledger.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { policyQuestions } from "../../../functions/policy/questions.ts";

/** What a generation of the store holds: the snapshot, its desired state, the provenance of its one reconcile, and the policy's answers. */
function contextOf(snapshot: ClusterSnapshot): ExplainContext {
  const ledger = new ProvenanceLedger();
  const desired = reconcile(snapshot, { provenance: ledger });
  return new ExplainContext(snapshot, desired, ledger, policyQuestions(snapshot, desired));
}

const demo = contextOf(readSnapshot("state-fixtures/demo/snapshot.json"));
const WEB = ["web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002", "web.1a2b3c4d-aaaa-11ef-9c1b-0242ac110002"];
const KILLING = "backend_api.7a8b9c0d-bbbb-11ef-9c1b-0242ac110002";
const FINISHED = "backup_nightly.6d7e8f9a-4444-11ef-9c1b-0242ac110002";

function found<K extends Explanation["kind"]>(explanation: Explanation, kind: K): Extract<Explanation, { kind: K }> {
  expect(Explanation.parse(explanation).kind).toBe(kind);
  return explanation as Extract<Explanation, { kind: K }>;
}

describe("explain name", () => {
  it("lists each record with the task behind it, however the name is written", () => {
    const web = found(explainName(demo, "WEB.Marathon.Mesos."), "name");
    expect(web.zone).toBe("mesos");
    expect(web.records.map((r) => [r.type, r.data, r.owners.map((o) => o.id)])).toEqual([
      ["A", "10.0.1.11", [WEB[0]]],
      ["A", "10.0.1.12", [WEB[1]]],
    ]);
  });

  it("names the VIP behind an l4lb name and the agents behind slave.mesos", () => {
    const vip = found(explainName(demo, "web.marathon.l4lb.thisdcos.directory"), "name");
    expect(vip.records[0]!.owners).toEqual([{ subject: "vip:web.marathon", kind: "vip", id: "web.marathon" }]);
    const slave = found(explainName(demo, "slave.mesos"), "name");
    expect(slave.records.every((r) => r.owners.length === 1 && r.owners[0]!.kind === "agent")).toBe(true);
    expect(new Set(slave.records.map((r) => r.owners[0]!.id)).size).toBe(demo.snapshot.agents.length);
  });

  it("gives a zone apex its SOA and NS, owned by the zone", () => {
    const apex = found(explainName(demo, "mesos"), "name");
    expect(apex.records.map((r) => r.type)).toEqual(["SOA", "NS"]);
    expect(apex.records.every((r) => r.owners[0]!.subject === "zone:mesos")).toBe(true);
  });

  it("answers an unknown name with the closest names of its zone, and a name outside every zone with the zones", () => {
    const typo = explainName(demo, "web.marathn.mesos");
    expect(typo).toMatchObject({ kind: "not-found", subject: "name", message: "zone mesos holds no record at 'web.marathn.mesos'" });
    expect((typo as { closest: string[] }).closest[0]).toBe("web.marathon.mesos");
    const outside = explainName(demo, "example.org");
    expect(outside).toMatchObject({ kind: "not-found", subject: "name" });
    expect((outside as { message: string }).message).toMatch(/is in none of the local zones \(dcos.thisdcos.directory, /);
  });
});

describe("explain vip", () => {
  it("finds a VIP by name, DNS name, address and port, with backends, health and nodes", () => {
    for (const query of ["web.marathon", "web.marathon.l4lb.thisdcos.directory.", "11.225.36.193:80", "tcp/11.225.36.193:80", "web.marathon:80/tcp"]) {
      const vip = found(explainVip(demo, query), "vip");
      expect(vip.services.map((s) => s.vip), query).toEqual([{ ip: "11.225.36.193", port: 80, protocol: "tcp" }]);
    }
    const web = found(explainVip(demo, "web.marathon"), "vip").services[0]!;
    expect(web.backends.map((b) => [b.taskId, b.weight, b.health])).toEqual([
      [WEB[0], 1, "healthy"],
      [WEB[1], 1, "healthy"],
    ]);
    expect(web.dnsNames).toEqual(["web.marathon.l4lb.thisdcos.directory"]);
    expect(web.nodes.agents).toBe(4);
  });

  it("shows drained and unhealthy backends for what they are", () => {
    const api = found(explainVip(demo, "backendapi.marathon"), "vip").services[0]!;
    const byTask = new Map(api.backends.map((b) => [b.taskId, b]));
    expect(byTask.get(KILLING)).toMatchObject({ weight: 0, draining: true, taskState: "TASK_KILLING" });
    expect(byTask.get("backend_api.6f7a8b9c-bbbb-11ef-9c1b-0242ac110002")).toMatchObject({ weight: 0, health: "unhealthy" });
  });

  it("matches both address families of a named VIP, and only one protocol when asked", () => {
    expect(found(explainVip(demo, "cache.marathon"), "vip").services.map((s) => s.vip.ip)).toEqual(["11.57.247.133", "fd01:c::72df:351e:c788:bd6b"]);
    expect(found(explainVip(demo, "[fd01:c::72df:351e:c788:bd6b]:6379"), "vip").services).toHaveLength(1);
    expect(explainVip(demo, "web.marathon/udp").kind).toBe("not-found");
  });

  it("answers an unknown VIP with the closest ones", () => {
    const missing = explainVip(demo, "11.225.36.193:81");
    expect(missing).toMatchObject({ kind: "not-found", subject: "vip", closest: ["11.225.36.193:80"] });
  });
});

describe("explain task", () => {
  it("lists every name, VIP membership and HAProxy server a task produced", () => {
    const web = found(explainTask(demo, WEB[0]!), "task");
    expect(web.task).toMatchObject({ state: "TASK_RUNNING", appId: "/web", healthy: true, frameworkName: "marathon", addresses: ["10.0.1.11"] });
    expect(web.dns.records.map((r) => r.name)).toEqual(expect.arrayContaining(["web.marathon.mesos", "web.marathon.autoip.dcos.thisdcos.directory"]));
    expect(web.vips.memberships.map((m) => m.name)).toEqual(["web.marathon"]);
    expect(web.haproxy.servers).toEqual([
      { group: "external", appId: "/web", servicePort: 10000, backend: "web_10000", server: "slot1", ip: "10.0.1.11", port: 31002, draining: false },
    ]);
    expect(web.vips.reasons).toEqual([]);
  });

  it("gives an overlay task its overlay address and the slice that routes it", () => {
    const db = found(explainTask(demo, "db.8b9c0d1e-cccc-11ef-9c1b-0242ac110002"), "task");
    expect(db.overlay.addresses).toEqual([{ overlay: "dcos", address: "9.0.2.2", space: "9.0.0.0/8", slice: "9.0.2.0/24", routed: true }]);
  });

  it("says why a task produced nothing: not running, a refused label, not a Marathon task", () => {
    const finished = found(explainTask(demo, FINISHED), "task");
    expect(finished.dns.records).toEqual([]);
    expect(finished.dns.reasons.map((r) => r.message)).toEqual([
      "TASK_FINISHED: only TASK_RUNNING tasks get Mesos-DNS records",
      "TASK_FINISHED: only TASK_RUNNING tasks get dcos-dns records",
    ]);
    expect(finished.overlay.reasons[0]!.message).toBe("TASK_FINISHED: a finished task holds no overlay address");
    const broken = found(explainTask(demo, "broken.2f3a4b5c-0000-11ef-9c1b-0242ac110002"), "task");
    expect(broken.vips.reasons).toEqual([
      { code: "l4lb.invalid-vip-label", level: "error", message: `VIP label "/broken:http" on port tcp/31999: port 'http' is not a number in 1-65535` },
    ]);
    expect(broken.haproxy.reasons[0]!.message).toMatch(/^no Marathon app lists it/);
    const killing = found(explainTask(demo, KILLING), "task");
    expect(killing.vips.reasons.map((r) => r.message)).toContain("weight 0 on its VIPs: TASK_KILLING (it keeps its connections, gets no new ones)");
    expect(killing.haproxy.reasons.map((r) => r.message)).toContain("TASK_KILLING: Marathon-LB serves only running tasks");
  });

  it("answers an unknown task with the closest ids", () => {
    expect(explainTask(demo, "wbe.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002")).toMatchObject({ kind: "not-found", subject: "task", closest: WEB });
  });

  it("names a task that gives up its VIP backend to another on the same address", () => {
    const snapshot = ClusterSnapshot.parse({
      cluster: { name: "dup" },
      now: "2026-01-01T00:00:00Z",
      agents: [{ id: "S1", hostname: "a1", ips: ["10.0.0.11"] }],
      frameworks: [{ id: "F", name: "marathon" }],
      tasks: ["a", "b"].map((id) => ({
        id,
        name: "web",
        frameworkId: "F",
        agentId: "S1",
        state: "TASK_RUNNING",
        ports: [{ begin: 31000, end: 31000 }],
        discovery: { name: "web", ports: [{ number: 31000, protocol: "tcp", labels: [{ key: "VIP_0", value: "/web:80" }, { key: "network-scope", value: "host" }] }] },
      })),
    });
    const context = contextOf(snapshot);
    expect(found(explainTask(context, "a"), "task").vips.memberships).toHaveLength(1);
    const loser = found(explainTask(context, "b"), "task");
    expect(loser.vips.memberships).toEqual([]);
    expect(loser.vips.reasons.map((r) => r.message)).toEqual(["its backend 10.0.0.11:31000 of VIP web.marathon:80/tcp is served by task a (same address and port)"]);
  });
});

describe("explain app", () => {
  it("lists its HAProxy services, steering labels and tasks", () => {
    const web = found(explainApp(demo, "web"), "app");
    expect(web.app).toMatchObject({ id: "/web", instances: 2, tasks: 2 });
    expect(Object.keys(web.app.labels)).toContain("HAPROXY_GROUP");
    expect(web.haproxy.services).toEqual([{ group: "external", backend: "web_10000", servicePort: 10000, mode: "http", vhosts: ["web.demo.example"], servers: 2, size: 4 }]);
    expect(web.tasks.map((t) => [t.id, t.haproxyServers, t.vips])).toEqual([
      [WEB[0], 1, 1],
      [WEB[1], 1, 1],
    ]);
    expect(found(explainApp(demo, "/web", { limit: 1 }), "app").tasks).toHaveLength(1);
  });

  it("says why an app has no HAProxy service, and answers an unknown app with the closest", () => {
    const cache = found(explainApp(demo, "/cache"), "app");
    expect(cache.haproxy.services).toEqual([]);
    expect(cache.haproxy.reasons[0]!.message).toBe("it has no HAPROXY_GROUP label (LB groups configured: external, internal)");
    expect(explain(demo, "app", "/wbe")).toMatchObject({ kind: "not-found", subject: "app", closest: ["/db", "/web"] });
    expect(explain(demo, "app", "webb")).toMatchObject({ kind: "not-found", closest: ["/web"] });
  });
});
