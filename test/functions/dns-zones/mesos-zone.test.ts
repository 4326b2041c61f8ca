import { describe, expect, it } from "vitest";
import { mesosZone } from "../../../functions/dns-zones/mesos-zone.ts";
import { taskHash } from "../../../lib/net/task-hash.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { fakeState, harnessSnapshot, recordSet, valuesOf } from "./mesos-fixture.ts";

type TaskInput = ClusterSnapshotInput["tasks"] extends (infer T)[] | undefined ? T : never;

const AGENT = { id: "a1-S1", hostname: "agent-1", pid: "slave(1)@10.0.0.1:5051", ips: ["10.0.0.1"] };
const MARATHON = { id: "fw-1", name: "marathon", pid: "scheduler(1)@10.0.0.9:15101", ips: ["10.0.0.9"] };

function task(overrides: Partial<TaskInput> = {}): TaskInput {
  return { id: "web.1", name: "web", frameworkId: "fw-1", agentId: "a1-S1", state: "TASK_RUNNING", ports: [{ begin: 31000, end: 31000 }], ...overrides };
}

function snapshot(input: Partial<ClusterSnapshotInput> = {}): ClusterSnapshot {
  return ClusterSnapshot.parse({
    cluster: { name: "t" },
    now: "2024-05-01T12:00:00Z",
    leader: "master@10.0.0.100:5050",
    masters: ["10.0.0.100:5050"],
    agents: [AGENT],
    frameworks: [MARATHON],
    ...input,
  });
}

const codes = (d: Array<{ code: string; subject: string }>) => d.map((x) => `${x.code} ${x.subject}`);

describe("mesosZone negative cases (specs/dns.md §6.2 item 9)", () => {
  const { zone } = mesosZone(harnessSnapshot());

  it("makes nothing for the TASK_KILLED poseidon", () => {
    expect(zone.records.filter((r) => r.name.includes("poseidon") || (r.type === "SRV" && r.data.target.includes("poseidon")))).toEqual([]);
  });

  it("makes nothing for a running task whose agent is missing, and says so", () => {
    const state = fakeState();
    const slaves = state["slaves"] as Array<{ id: string }>;
    // Drop the agent of reviewbot and non-human-readable-liquor-store (S1, 1.2.3.12).
    state["slaves"] = slaves.filter((s) => s.id !== "20140827-000744-3041283216-5050-2116-1");
    const result = mesosZone(harnessSnapshot({ state }));
    expect(result.zone.records.filter((r) => r.name.includes("reviewbot"))).toEqual([]);
    expect(valuesOf(result.zone, "_liquor-store._tcp.marathon.mesos.", "SRV")).toEqual(
      new Set(["liquor-store-4dfjd-0.marathon.mesos.:80", "liquor-store-4dfjd-0.marathon.mesos.:443"]),
    );
    expect(codes(result.diagnostics)).toEqual([
      "dns.unknown-agent task:liquor-store.b71166c1-562f-11e4-a088-c20493233aa5",
      "dns.unknown-agent task:reviewbot.8c9b3434-615a-11e4-a088-c20493233aa5",
    ]);
  });

  it("makes no leader or master records for an empty leader, and says at info level what to pass", () => {
    const state = fakeState();
    const result = mesosZone(ClusterSnapshot.parse({ ...harnessSnapshot({ state }), leader: "" }));
    expect(result.zone.records.filter((r) => /^(leader|master\d*)\.mesos$|^_leader\./.test(r.name))).toEqual([]);
    expect(codes(result.diagnostics)).toEqual(["dns.no-leader cluster"]);
    expect(result.diagnostics[0]).toMatchObject({ level: "info", message: expect.stringContaining("--master HOST:PORT") });
  });

  it("gives a framework without a PID its A record but no _framework._tcp SRV", () => {
    expect(valuesOf(zone, "nopid.mesos.", "A")).toEqual(new Set(["127.0.0.1"]));
    expect(zone.records.filter((r) => r.name === "_framework._tcp.nopid.mesos")).toEqual([]);
  });
});

describe("DiscoveryInfo (specs/dns.md §6.2 item 10)", () => {
  const { zone } = mesosZone(harnessSnapshot());

  it("keeps the raw-name duplicates", () => {
    expect(valuesOf(zone, "big.dog.marathon.mesos.", "A")).toEqual(new Set(["10.3.0.1"]));
    expect(valuesOf(zone, "_http._liquor.store._tcp.marathon.mesos.", "SRV")).toEqual(
      new Set(["liquor.store-4dfjd-0.marathon.mesos.:80", "liquor.store-zasmd-1.marathon.mesos.:80"]),
    );
  });

  it("publishes no resource-port SRV under the plain name and no _udp for a tcp discovery port", () => {
    expect(valuesOf(zone, "_liquor-store._tcp.marathon.mesos.", "SRV")).toEqual(
      new Set([
        "liquor-store-4dfjd-0.marathon.mesos.:80",
        "liquor-store-4dfjd-0.marathon.mesos.:443",
        "liquor-store-zasmd-1.marathon.mesos.:80",
        "liquor-store-zasmd-1.marathon.mesos.:443",
      ]),
    );
    expect(valuesOf(zone, "_liquor-store._udp.marathon.mesos.", "SRV")).toEqual(new Set());
    expect(valuesOf(zone, "_big.dog._udp.marathon.mesos.", "SRV")).toEqual(new Set());
  });

  it("publishes a discovery port without protocol under both _tcp and _udp", () => {
    const t = task({ discovery: { name: "dns", ports: [{ number: 53, name: "dns" }] } });
    const { zone } = mesosZone(snapshot({ tasks: [t] }));
    for (const name of ["_dns._tcp.marathon.mesos.", "_dns._udp.marathon.mesos.", "_dns._dns._tcp.marathon.mesos.", "_dns._dns._udp.marathon.mesos."]) {
      expect(valuesOf(zone, name, "SRV")).toEqual(new Set([`dns-${taskHash("web.1")}-s1.marathon.mesos.:53`]));
    }
  });

  it("names each instance's discovery ports by that instance's own protocol and port name", () => {
    const tasks = [
      task({ id: "web.1", discovery: { name: "web", ports: [{ number: 80, protocol: "tcp", name: "http" }] } }),
      task({ id: "web.2", discovery: { name: "web", ports: [{ number: 53, protocol: "udp", name: "dns" }] } }),
      task({ id: "web.3", discovery: { name: "web", ports: [{ number: 81, protocol: "tcp", name: "http" }] } }),
    ];
    const { zone } = mesosZone(snapshot({ tasks }));
    const target = (id: string, port: number) => `web-${taskHash(id)}-s1.marathon.mesos.:${port}`;
    expect(valuesOf(zone, "_http._web._tcp.marathon.mesos.", "SRV")).toEqual(new Set([target("web.1", 80), target("web.3", 81)]));
    expect(valuesOf(zone, "_dns._web._udp.marathon.mesos.", "SRV")).toEqual(new Set([target("web.2", 53)]));
    expect(valuesOf(zone, "_web._udp.marathon.mesos.", "SRV")).toEqual(new Set([target("web.2", 53)]));
  });

  it("uses the sanitised discovery name when the raw one is not a DNS name", () => {
    const t = task({ discovery: { name: "My App/v2", ports: [{ number: 80, protocol: "tcp" }] } });
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [t] }));
    expect(valuesOf(zone, "myappv2.marathon.mesos.", "A")).toEqual(new Set(["10.0.0.1"]));
    expect(zone.records.some((r) => r.name.includes("/") || r.name.includes(" "))).toBe(false);
    expect(codes(diagnostics)).toEqual(["dns.raw-discovery-name task:web.1"]);
  });
});

describe("task records", () => {
  it("uses the latest TASK_RUNNING status only (§6.1 item 4)", () => {
    const t = task({
      statuses: [
        { state: "TASK_RUNNING", timestamp: 2, labels: [{ key: "MesosContainerizer.NetworkSettings.IPAddress", value: "10.9.0.2" }] },
        { state: "TASK_RUNNING", timestamp: 1, labels: [{ key: "MesosContainerizer.NetworkSettings.IPAddress", value: "10.9.0.1" }] },
        { state: "TASK_KILLING", timestamp: 3, labels: [{ key: "MesosContainerizer.NetworkSettings.IPAddress", value: "10.9.0.3" }] },
      ],
    });
    const { zone } = mesosZone(snapshot({ tasks: [t] }));
    expect(valuesOf(zone, "web.marathon.mesos.", "A")).toEqual(new Set(["10.9.0.2"]));
  });

  it("skips unparsable IPs with a diagnostic and falls through to the next source", () => {
    const t = task({ statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: ["not-an-ip", ""] }] }] });
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [t] }));
    expect(valuesOf(zone, "web.marathon.mesos.", "A")).toEqual(new Set(["10.0.0.1"]));
    expect(codes(diagnostics)).toEqual(["dns.invalid-ip task:web.1"]);
  });

  it("writes IPv6 addresses in canonical form and IPv4-mapped ones as A", () => {
    const t = task({ statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: ["FD01:B:0:0:0:1:8000:2", "::ffff:10.1.2.3"] }] }] });
    const { zone } = mesosZone(snapshot({ tasks: [t] }));
    expect(valuesOf(zone, "web.marathon.mesos.", "AAAA")).toEqual(new Set(["fd01:b::1:8000:2"]));
    expect(valuesOf(zone, "web.marathon.mesos.", "A")).toEqual(new Set(["10.1.2.3"]));
  });

  it("skips port ranges outside 1-65535 or reversed, with a diagnostic each", () => {
    const t = task({ ports: [{ begin: 0, end: 1 }, { begin: 31002, end: 31001 }, { begin: 65535, end: 65536 }, { begin: 31005, end: 31006 }] });
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [t] }));
    const ports = zone.records.filter((r) => r.name === "_web._tcp.marathon.slave.mesos").map((r) => (r.type === "SRV" ? r.data.port : 0));
    expect(ports).toEqual([31005, 31006]);
    expect(codes(diagnostics)).toEqual(["dns.invalid-port task:web.1", "dns.invalid-port task:web.1", "dns.invalid-port task:web.1"]);
  });

  it("skips a discovery port outside 1-65535, and port 0 (Marathon's 'no port') without a warning", () => {
    const t = task({
      discovery: { name: "web", ports: [{ number: 0, protocol: "tcp" }, { number: 70000, protocol: "tcp" }, { number: 80, protocol: "tcp" }] },
    });
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [t] }));
    expect([...valuesOf(zone, "_web._tcp.marathon.mesos.", "SRV")].map((v) => v.split(":")[1])).toEqual(["80"]);
    expect(codes(diagnostics)).toEqual(["dns.invalid-port task:web.1"]);
  });

  it("gives a task whose name sanitises to nothing no records", () => {
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [task({ name: "___" })] }));
    const taskNames = zone.records.filter((r) => r.name.endsWith(".marathon.mesos") || r.name.endsWith(".marathon.slave.mesos"));
    expect(taskNames.map((r) => r.name)).toEqual(["_framework._tcp.marathon.mesos"]);
    expect(codes(diagnostics)).toEqual(["dns.empty-label task:web.1"]);
  });

  it("keeps canonical labels within 63 characters for long RFC 1123 names", () => {
    const name = "a".repeat(60);
    const { zone } = mesosZone(snapshot({ tasks: [task({ name })] }));
    const canonical = zone.records.map((r) => r.name).filter((n) => n.endsWith(".marathon.mesos") && n.startsWith("a") && n !== `${name}.marathon.mesos`);
    expect(canonical).toHaveLength(1);
    const label = canonical[0]!.split(".")[0]!;
    expect(label.length).toBe(63);
    expect(label).toMatch(/^a+-[a-z0-9]{5}-s1$/);
  });

  it("merges equal canonical names (two tasks with one ID on one agent)", () => {
    const tasks = [task({ id: "same" }), task({ id: "same", ports: [{ begin: 31001, end: 31001 }] })];
    const { zone } = mesosZone(snapshot({ tasks }));
    const canonicalA = zone.records.filter((r) => r.type === "A" && /^web-[a-z0-9]{5}-s1\.marathon\.mesos$/.test(r.name));
    expect(canonicalA).toHaveLength(1);
    expect(valuesOf(zone, "_web._tcp.marathon.mesos.", "SRV").size).toBe(2);
  });

  it("uses the configured SRV weight and priority 0", () => {
    const { zone } = mesosZone(snapshot({ tasks: [task()], config: { dns: { srvWeight: 7 } } }));
    const srv = zone.records.filter((r) => r.type === "SRV");
    expect(srv.length).toBeGreaterThan(0);
    for (const r of srv) expect(r.type === "SRV" && r.data.priority === 0 && r.data.weight === 7).toBe(true);
  });
});

describe("agents and frameworks", () => {
  it("gives an agent without an IP no address records and a diagnostic (mesos-dns #509)", () => {
    const agents = [AGENT, { id: "a2-S2", hostname: "agent-2.example", pid: "slave(1)@agent-2.example:5051" }];
    const { zone, diagnostics } = mesosZone(snapshot({ agents, tasks: [task({ agentId: "a2-S2" })] }));
    expect(valuesOf(zone, "slave.mesos.", "A")).toEqual(new Set(["10.0.0.1"]));
    expect(zone.records.some((r) => (r.type === "A" || r.type === "AAAA") && !/^[0-9a-f.:]+$/.test(r.data))).toBe(false);
    expect(zone.records.filter((r) => r.name === "web.marathon.slave.mesos")).toEqual([]);
    expect(codes(diagnostics)).toEqual(["dns.unresolved agent:a2-S2"]);
  });

  it("reports unparsable agent IPs and PIDs", () => {
    const agents = [{ ...AGENT, ips: ["10.0.0.1", "10.0.0.999"], pid: "slave(1)" }];
    const { zone, diagnostics } = mesosZone(snapshot({ agents }));
    expect(valuesOf(zone, "slave.mesos.", "A")).toEqual(new Set(["10.0.0.1"]));
    expect(zone.records.filter((r) => r.name === "_slave._tcp.mesos")).toEqual([]);
    expect(codes(diagnostics)).toEqual(["dns.invalid-ip agent:a1-S1", "dns.invalid-pid agent:a1-S1"]);
  });

  it("tells when two differently named frameworks share one fragment", () => {
    const frameworks = [MARATHON, { id: "fw-2", name: "Marathon", pid: "scheduler(1)@10.0.0.8:15101", ips: ["10.0.0.8"] }];
    const { zone, diagnostics } = mesosZone(snapshot({ frameworks }));
    expect(valuesOf(zone, "marathon.mesos.", "A")).toEqual(new Set(["10.0.0.8", "10.0.0.9"]));
    expect(codes(diagnostics)).toEqual(["dns.framework-collision framework:fw-2"]);
  });

  it("reports collisions against the lowest framework id, whatever the snapshot's order", () => {
    const other = { id: "fw-0", name: "Marathon", pid: "scheduler(1)@10.0.0.8:15101", ips: ["10.0.0.8"] };
    for (const frameworks of [
      [MARATHON, other],
      [other, MARATHON],
    ]) {
      const { diagnostics } = mesosZone(snapshot({ frameworks }));
      expect(codes(diagnostics)).toEqual(["dns.framework-collision framework:fw-1"]);
      expect(diagnostics[0]!.message).toContain("framework fw-0 (\"Marathon\")");
    }
  });

  it("does not report a framework re-registered under its own name", () => {
    const frameworks = [MARATHON, { ...MARATHON, id: "fw-2" }];
    expect(mesosZone(snapshot({ frameworks })).diagnostics).toEqual([]);
  });

  it("gives a framework whose name sanitises to nothing, and its tasks, no records", () => {
    const frameworks = [{ ...MARATHON, name: "..." }];
    const { zone, diagnostics } = mesosZone(snapshot({ frameworks, tasks: [task()] }));
    expect(zone.records.filter((r) => r.type !== "NS" && !/^(leader|master0?|slave|ns1|_leader\._(tcp|udp)|_slave\._tcp)\.mesos$/.test(r.name))).toEqual([]);
    expect(codes(diagnostics)).toEqual(["dns.empty-label framework:fw-1"]);
  });

  it("reports a running task of an unknown framework", () => {
    const { zone, diagnostics } = mesosZone(snapshot({ tasks: [task({ frameworkId: "fw-x" })] }));
    expect(zone.records.some((r) => r.name.startsWith("web"))).toBe(false);
    expect(codes(diagnostics)).toEqual(["dns.unknown-framework task:web.1"]);
  });
});

describe("SOA and NS", () => {
  it("derives the SOA from the config and the snapshot time", () => {
    const { zone } = mesosZone(snapshot({ config: { dns: { ttl: 30, soa: { rname: "admin@Example.com." } } } }));
    expect(zone.origin).toBe("mesos");
    expect(zone.ttl).toBe(30);
    expect(zone.soa).toEqual({
      mname: "ns1.mesos",
      rname: "admin.example.com",
      serial: Date.UTC(2024, 4, 1, 12) / 1000,
      refresh: 60,
      retry: 600,
      expire: 86400,
      minimum: 30,
    });
    expect(zone.records.filter((r) => r.type === "NS")).toEqual([{ name: "mesos", type: "NS", ttl: 30, data: "ns1.mesos" }]);
    expect(zone.records.every((r) => r.ttl === 30)).toBe(true);
  });

  it("uses the configured domain everywhere", () => {
    const { zone } = mesosZone(snapshot({ tasks: [task()], config: { dns: { domain: "Cluster.Local" } } }));
    expect(zone.origin).toBe("cluster.local");
    expect(zone.records.every((r) => r.name === "cluster.local" || r.name.endsWith(".cluster.local"))).toBe(true);
    expect(valuesOf(zone, "web.marathon.cluster.local.", "A")).toEqual(new Set(["10.0.0.1"]));
  });
});

describe("purity", () => {
  it("gives identical output for the same snapshot, whatever the input order, without touching the input", () => {
    const base = harnessSnapshot();
    const frozen = structuredClone(base);
    deepFreeze(frozen);
    const a = mesosZone(frozen);
    const shuffled = { ...structuredClone(base), tasks: [...base.tasks].reverse(), agents: [...base.agents].reverse(), frameworks: [...base.frameworks].reverse() };
    const b = mesosZone(shuffled);
    expect(JSON.stringify(b.zone)).toBe(JSON.stringify(a.zone));
    expect(recordSet(a.zone).size).toBe(146);
  });
});

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
