/**
 * The parts that couple owners, one scenario each, through the incremental reconciler: each
 * step is checked against the whole derivation, and for the effect the part is about.
 */
import { describe, expect, it } from "vitest";
import { deriveObjects } from "../../../functions/keyed/derive.ts";
import { IncrementalReconciler } from "../../../functions/incremental/reconciler.ts";
import { ObjectKeys } from "../../../lib/desired/object-keys.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { applySnapshotChange, SnapshotChange, type SnapshotChangeInput } from "../../../lib/snapshot/snapshot-change.ts";

type TaskInput = NonNullable<ClusterSnapshotInput["tasks"]>[number];

const NOW = Date.parse("2026-01-01T00:00:00Z");

function vipTask(id: string, label: string, agentId = "S1", ip = "9.0.0.2"): TaskInput {
  return {
    id,
    name: "web",
    frameworkId: "F1",
    agentId,
    state: "TASK_RUNNING",
    discovery: { ports: [{ number: 80, protocol: "tcp", labels: [{ key: "VIP_0", value: label }] }] },
    statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: [ip] }] }],
  };
}

/** A reconciler and the snapshot it should equal, stepped together. */
function cluster(input: Partial<ClusterSnapshotInput>) {
  let snapshot = ClusterSnapshot.parse({
    cluster: { name: "parts" },
    now: new Date(NOW).toISOString(),
    agents: [
      { id: "S1", hostname: "a1", ips: ["10.0.0.1"] },
      { id: "S2", hostname: "a2", ips: ["10.0.0.2"] },
    ],
    frameworks: [{ id: "F1", name: "marathon" }],
    ...input,
  });
  const reconciler = IncrementalReconciler.fromSnapshot(snapshot);
  return {
    reconciler,
    step(input: SnapshotChangeInput, seconds = 0) {
      const change = SnapshotChange.parse({ now: new Date(Date.parse(snapshot.now) + seconds * 1000).toISOString(), ...input });
      snapshot = applySnapshotChange(snapshot, change, reconciler.allocations());
      const result = reconciler.apply(change);
      const whole = deriveObjects(snapshot);
      expect(new Map([...reconciler.objects.entries()].map(([k, v]) => [k, v.json]))).toEqual(new Map([...whole.entries()].map(([k, v]) => [k, v.json])));
      return result;
    },
    value: <T>(key: string) => reconciler.objects.value<T>(key),
  };
}

describe("framework fragments", () => {
  it("reports the collision on the higher id when a rename makes two names one, and drops it when it stops", () => {
    const c = cluster({ frameworks: [{ id: "F1", name: "marathon" }, { id: "F2", name: "other" }] });
    const key = ObjectKeys.diagnostics("dns.collision", "framework:F2");
    c.step({ upsert: { frameworks: [{ id: "F2", name: "Marathon" }] } });
    expect(c.value<Array<{ code: string }>>(key)?.map((d) => d.code)).toEqual(["dns.framework-collision"]);
    c.step({ upsert: { frameworks: [{ id: "F1", name: "chronos" }] } });
    expect(c.value(key)).toBeUndefined();
  });
});

describe("dcos-dns agent IPs", () => {
  it("reports an agent without an IP while one of its tasks has records, once", () => {
    const c = cluster({ agents: [{ id: "S1", hostname: "a1", ips: [] }] });
    const key = ObjectKeys.diagnostics("dns.dcos.agent", "agent:S1");
    c.step({ upsert: { tasks: [vipTask("web.1", "/app:80"), vipTask("web.2", "/app:80")] } });
    expect(c.value<unknown[]>(key)).toHaveLength(1);
    c.step({ delete: { tasks: ["web.1"] } });
    expect(c.value<unknown[]>(key)).toHaveLength(1);
    c.step({ delete: { tasks: ["web.2"] } });
    expect(c.value(key)).toBeUndefined();
  });
});

describe("named VIPs", () => {
  it("keeps a name's address through its grace period, then frees it; its DNS record goes at once", () => {
    const c = cluster({ tasks: [vipTask("web.1", "/app:80")], config: { l4lb: { namedVipGraceSeconds: 600 } } });
    const allocation = ObjectKeys.namedVipAllocation("app.marathon");
    const ip = c.value<Array<{ ip: string }>>(allocation)![0]!.ip;
    const result = c.step({ delete: { tasks: ["web.1"] } });
    expect(result.deletes).toEqual(expect.arrayContaining([ObjectKeys.dnsRecords({ kind: "vip", id: "app.marathon" }), ObjectKeys.l4NamedService("app.marathon", "tcp", 80, 4)]));
    expect(c.value(allocation)).toEqual([{ name: "app.marathon", ip, lastSeen: "2026-01-01T00:00:00.000Z" }]);
    c.step({}, 599);
    expect(c.value(allocation)).toHaveLength(1);
    c.step({}, 2);
    expect(c.value(allocation)).toBeUndefined();
  });

  it("gives an IP VIP on a named VIP's address and port no service while the named one holds it", () => {
    const c = cluster({ tasks: [vipTask("web.1", "/app:80")], config: { l4lb: { namedVipGraceSeconds: 0 } } });
    const ip = c.value<Array<{ ip: string }>>(ObjectKeys.namedVipAllocation("app.marathon"))![0]!.ip;
    const ipService = ObjectKeys.l4IpService(ip, "tcp", 80);
    const conflict = ObjectKeys.diagnostics("l4lb.conflict", `vip:tcp:${ip}:80`);
    c.step({ upsert: { tasks: [vipTask("lit.1", `${ip}:80`, "S2", "9.0.0.3")] } });
    expect(c.value(ipService)).toBeUndefined();
    expect(c.value(conflict)).toHaveLength(1);
    c.step({ delete: { tasks: ["web.1"] } });
    expect(c.value(ipService)).toMatchObject({ vip: { ip, port: 80, protocol: "tcp" } });
    expect(c.value(conflict)).toBeUndefined();
  });

  it("reports names that find no address, and places them when one frees up", () => {
    const range = { ipv4Range: { min: "11.0.0.0", max: "11.0.0.1" }, namedVipGraceSeconds: 0 };
    const c = cluster({ tasks: [vipTask("a.1", "/a:80"), vipTask("b.1", "/b:80")], config: { l4lb: range } });
    c.step({ upsert: { tasks: [vipTask("c.1", "/c:80")] } });
    expect(c.value<Array<{ code: string }>>(ObjectKeys.diagnostics("l4lb.allocation", "vip:c.marathon"))?.map((d) => d.code)).toEqual(["l4lb.out-of-addresses"]);
    c.step({ delete: { tasks: ["a.1"] } });
    expect(c.value(ObjectKeys.diagnostics("l4lb.allocation", "vip:c.marathon"))).toBeUndefined();
    expect(c.value(ObjectKeys.namedVipAllocation("c.marathon"))).toHaveLength(1);
  });
});

describe("overlay members", () => {
  const config = { overlay: { vtep_subnet: "44.128.0.0/30", vtep_subnet6: null, overlays: [{ name: "dcos", subnet: "9.0.0.0/24", prefix: 26 }] } };

  it("keeps a readdressed agent's old allocation, reported absent, and gives the new address its own", () => {
    const c = cluster({ config });
    c.step({ upsert: { agents: [{ id: "S2", hostname: "a2", ips: ["10.0.0.7"] }] } });
    expect(c.value(ObjectKeys.diagnostics("overlay.absent", "node:10.0.0.2"))).toHaveLength(1);
    expect(c.value(ObjectKeys.overlayAllocation("10.0.0.2"))).toBeDefined();
    // The /30 has two VTEP addresses, both held: the new address gets none.
    expect(c.value<Array<{ code: string }>>(ObjectKeys.diagnostics("overlay.exhausted", "agent:S2"))?.map((d) => d.code)).toEqual(["overlay.vtep-exhausted"]);
    expect(c.value(ObjectKeys.nodeOverlay("S2"))).toBeUndefined();
    c.step({ upsert: { agents: [{ id: "S2", hostname: "a2", ips: ["10.0.0.2"] }] } });
    expect(c.value(ObjectKeys.nodeOverlay("S2"))).toMatchObject({ ip: "10.0.0.2" });
    expect(c.value(ObjectKeys.diagnostics("overlay.absent", "node:10.0.0.2"))).toBeUndefined();
  });

  it("makes agents on one underlay IP one member, reported under the first id", () => {
    const c = cluster({ config });
    c.step({ upsert: { agents: [{ id: "S0", hostname: "a0", ips: ["10.0.0.1"] }] } });
    expect(c.value<Array<{ code: string }>>(ObjectKeys.diagnostics("overlay.shared-ip", "agent:S0"))?.map((d) => d.code)).toEqual(["overlay.shared-underlay-ip"]);
    expect(c.value(ObjectKeys.nodeOverlay("S0"))).toEqual(c.value(ObjectKeys.nodeOverlay("S1")));
    c.step({ delete: { agents: ["S0"] } });
    expect(c.value(ObjectKeys.diagnostics("overlay.shared-ip", "agent:S0"))).toBeUndefined();
    expect(c.value(ObjectKeys.nodeOverlay("S0"))).toBeUndefined();
  });
});

describe("a change's cost", () => {
  it("writes only the keys of what it touches", () => {
    const c = cluster({ tasks: [vipTask("web.1", "/app:80"), vipTask("db.1", "/db:80", "S2", "9.0.0.3")] });
    const result = c.step({ upsert: { tasks: [{ ...vipTask("web.1", "/app:80"), statuses: [{ state: "TASK_RUNNING", timestamp: 2, networkInfos: [{ ipAddresses: ["9.0.0.4"] }] }] }] } });
    expect([...result.upserts.map((u) => u.key), ...result.deletes].sort()).toEqual([
      ObjectKeys.dnsRecords({ kind: "task", id: "web.1" }),
      ObjectKeys.l4NamedService("app.marathon", "tcp", 80, 4),
    ]);
  });
});

describe("HAProxy placement", () => {
  const haproxy = { groups: ["external", "internal"], placement: { external: { attributes: { lb: "edge" } }, internal: {} } };
  const web = { id: "/web", labels: { HAPROXY_GROUP: "external" }, portDefinitions: [{ port: 10000 }], tasks: [{ id: "web.t1", host: "a1", ports: [31000], state: "TASK_RUNNING" }] };
  const s1 = { id: "S1", hostname: "a1", ips: ["10.0.0.1"] };

  it("moves only the changed agent's placement, and reports the clash its new group makes there", () => {
    const c = cluster({ config: { haproxy }, marathonApps: [web] });
    expect(c.value(ObjectKeys.nodeHaproxy("S1"))).toEqual({ groups: ["internal"] });
    expect(c.value(ObjectKeys.diagnostics("haproxy.placement", "group:external"))).toBeDefined();
    const result = c.step({ upsert: { agents: [{ ...s1, attributes: { lb: "edge" } }] } });
    expect(c.value(ObjectKeys.nodeHaproxy("S1"))).toEqual({ groups: ["external", "internal"] });
    const clash = ObjectKeys.diagnostics("haproxy.placement", "agent:S1");
    // S2 is untouched; external now runs somewhere, so its "no agent runs it" warning goes.
    expect(c.value(ObjectKeys.diagnostics("haproxy.placement", "group:external"))).toBeUndefined();
    expect([...result.upserts.map((u) => u.key), ...result.deletes].sort()).toEqual([clash, ObjectKeys.diagnostics("haproxy.placement", "group:external"), ObjectKeys.nodeHaproxy("S1")].sort());
    expect(c.value<Array<{ code: string; message: string }>>(clash)?.map((d) => d.message)).toEqual([expect.stringContaining("groups external and internal are both placed on agent S1 and both listen on port 80")]);
    c.step({ upsert: { agents: [s1] } });
    expect(c.value(clash)).toBeUndefined();
  });
});
