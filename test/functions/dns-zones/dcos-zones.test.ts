import { describe, expect, it } from "vitest";
import { dcosZones } from "../../../functions/dns-zones/dcos-zones.ts";
import type { DnsRecord, DnsZone, L4Service } from "../../../lib/desired/schema.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { operatorSnapshot } from "../../support/upstream-fixtures.ts";

function zonesOf(snapshot: ClusterSnapshot, l4lbServices: L4Service[] = []) {
  return dcosZones(snapshot, { l4lbServices });
}

function zone(zones: DnsZone[], origin: string): DnsZone {
  const found = zones.find((z) => z.origin === origin);
  if (found === undefined) throw new Error(`no zone ${origin}`);
  return found;
}

function answers(z: DnsZone, name: string, type: DnsRecord["type"]): unknown[] {
  return z.records.filter((r) => r.name === name && r.type === type).map((r) => r.data);
}

const snapshots = {
  "operator-api": operatorSnapshot("operator-api"),
  "hello-overlay": operatorSnapshot("hello-overlay"),
  "pod-tasks": operatorSnapshot("pod-tasks"),
};

// specs/dns.md §3.8 dcos_dns_mesos_tests: [app, framework, fixture, agentip, autoip, containerip].
// An address with ':' is the single AAAA answer (and then no A is asserted but the ones listed).
type Row = [string, string, keyof typeof snapshots, string, string[], string[]];
const table: Row[] = [
  ["none-on-host", "marathon", "operator-api", "172.17.0.4", ["172.17.0.4"], ["172.17.0.4"]],
  ["none-on-dcos", "marathon", "operator-api", "172.17.0.4", ["9.0.2.5"], ["9.0.2.5"]],
  ["ucr-on-host", "marathon", "operator-api", "172.17.0.3", ["172.17.0.3"], ["172.17.0.3"]],
  ["ucr-on-bridge", "marathon", "operator-api", "172.17.0.3", ["172.17.0.3"], ["172.31.254.3"]],
  ["ucr-on-dcos", "marathon", "operator-api", "172.17.0.3", ["9.0.1.6"], ["9.0.1.6"]],
  ["docker-on-host", "marathon", "operator-api", "172.17.0.4", ["172.17.0.4"], ["172.17.0.4"]],
  ["docker-on-bridge", "marathon", "operator-api", "172.17.0.4", ["172.17.0.4"], ["172.18.0.2"]],
  ["docker-on-dcos", "marathon", "operator-api", "172.17.0.4", ["9.0.2.130"], ["9.0.2.130"]],
  // The test asserts the AAAA; the task's second IP 172.19.0.2 gives the A beside it.
  ["docker-on-ipv6", "marathon", "operator-api", "172.17.0.4", ["172.19.0.2", "fd01:b::2:8000:0:2"], ["172.19.0.2", "fd01:b::2:8000:0:2"]],
  ["pod-on-host", "marathon", "operator-api", "172.17.0.4", ["172.17.0.4"], ["172.17.0.4"]],
  ["pod-on-bridge", "marathon", "operator-api", "172.17.0.3", ["172.17.0.3"], ["172.31.254.4"]],
  ["pod-on-dcos", "marathon", "operator-api", "172.17.0.3", ["9.0.1.3"], ["9.0.1.3"]],
  ["hello-world", "marathon", "hello-overlay", "10.0.0.49", ["10.0.0.49"], ["10.0.0.49"]],
  ["hello-overlay-0-server", "hello-world", "hello-overlay", "10.0.0.49", ["9.0.2.2"], ["9.0.2.2"]],
  ["hello-overlay-vip-0-server", "hello-world", "hello-overlay", "10.0.0.49", ["9.0.2.3"], ["9.0.2.3"]],
  ["hello-host-vip-0-server", "hello-world", "hello-overlay", "10.0.0.49", ["10.0.0.49"], ["10.0.0.49"]],
  ["app", "marathon", "pod-tasks", "172.17.0.3", ["9.0.0.2"], ["9.0.0.2"]],
];

describe("dcos.thisdcos.directory from the operator API (dcos_dns_mesos_tests)", () => {
  const built = Object.fromEntries(
    Object.entries(snapshots).map(([k, s]) => [k, zone(zonesOf(s).zones, "dcos.thisdcos.directory")]),
  ) as Record<keyof typeof snapshots, DnsZone>;

  it.each(table)("%s.%s (%s)", (app, fw, fixture, agentip, autoip, containerip) => {
    const z = built[fixture];
    const name = (kind: string) => `${app}.${fw}.${kind}.dcos.thisdcos.directory`;
    const split = (ips: string[]) => ({ A: ips.filter((ip) => !ip.includes(":")), AAAA: ips.filter((ip) => ip.includes(":")) });
    for (const [kind, expected] of [["agentip", [agentip]], ["autoip", autoip], ["containerip", containerip]] as const) {
      const { A, AAAA } = split([...expected]);
      expect(answers(z, name(kind), "A"), `${kind} A`).toEqual(A);
      expect(answers(z, name(kind), "AAAA"), `${kind} AAAA`).toEqual(AAAA);
    }
  });

  it("holds exactly the running tasks of the table (no SRV, nothing for finished tasks)", () => {
    const names = (z: DnsZone) =>
      [...new Set(z.records.filter((r) => r.type === "A" || r.type === "AAAA").map((r) => r.name.split(".").slice(0, 2).join(".")))].sort();
    expect(names(built["operator-api"])).toEqual(table.filter((r) => r[2] === "operator-api").map((r) => `${r[0]}.${r[1]}`).sort());
    expect(names(built["pod-tasks"])).toEqual(["app.marathon"]);
    expect(built["operator-api"].records.some((r) => r.type === "SRV")).toBe(false);
  });

  it("keeps docker-on-dcos after an unrelated task changes (the Add/Remove task cases)", () => {
    const s = snapshots["operator-api"];
    const tasks = s.tasks.filter((t) => !t.id.startsWith("none-on-host"));
    const z = zone(zonesOf({ ...s, tasks }).zones, "dcos.thisdcos.directory");
    expect(answers(z, "docker-on-dcos.marathon.agentip.dcos.thisdcos.directory", "A")).toEqual(["172.17.0.4"]);
    expect(answers(z, "docker-on-dcos.marathon.autoip.dcos.thisdcos.directory", "A")).toEqual(["9.0.2.130"]);
    expect(answers(z, "none-on-host.marathon.agentip.dcos.thisdcos.directory", "A")).toEqual([]);
  });

  it("publishes leader and masters from the snapshot", () => {
    const s = ClusterSnapshot.parse({
      ...snapshots["operator-api"],
      leader: "master@172.17.0.2:5050",
      masters: ["172.17.0.2:5050", "172.17.0.5:5050", "[fd01::9]:5050"],
    });
    const z = zone(zonesOf(s).zones, "dcos.thisdcos.directory");
    expect(answers(z, "leader.dcos.thisdcos.directory", "A")).toEqual(["172.17.0.2"]);
    expect(answers(z, "master.dcos.thisdcos.directory", "A")).toEqual(["172.17.0.2", "172.17.0.5"]);
    expect(answers(z, "master.dcos.thisdcos.directory", "AAAA")).toEqual(["fd01::9"]);
  });

  it("resolves an agent through resolveHost (dns-hostname.json: localhost → 127.0.0.1)", () => {
    const s = operatorSnapshot("dns-hostname", { resolveHost: (h) => (h === "localhost" ? ["127.0.0.1"] : []) });
    const z = zone(zonesOf(s).zones, "dcos.thisdcos.directory");
    expect(answers(z, "test.marathon.agentip.dcos.thisdcos.directory", "A")).toEqual(["127.0.0.1"]);
    expect(answers(z, "test.marathon.autoip.dcos.thisdcos.directory", "A")).toEqual(["127.0.0.1"]);
  });
});

describe("dcos-dns zone frame", () => {
  const { zones } = zonesOf(snapshots["operator-api"]);

  it("serves its four zones with the dcos-dns SOA, TTL 5, and apex NS with TTL 3600", () => {
    expect(zones.map((z) => z.origin)).toEqual(["dcos.thisdcos.directory", "l4lb.thisdcos.directory", "spartan", "zk"]);
    for (const z of zones) {
      expect(z.ttl).toBe(5);
      expect(z.soa).toEqual({ mname: "ns.spartan", rname: "support.mesosphere.com", serial: 1, refresh: 60, retry: 180, expire: 86400, minimum: 1 });
      expect(z.records.filter((r) => r.type === "NS")).toEqual([{ name: z.origin, type: "NS", ttl: 3600, data: "ns.spartan" }]);
      expect(z.records.filter((r) => r.type !== "NS").every((r) => r.ttl === 5)).toBe(true);
    }
  });

  it("takes its TTL from config.dns.dcosTtl", () => {
    const s = ClusterSnapshot.parse({ ...snapshots["pod-tasks"], config: { dns: { dcosTtl: 30 } } });
    const z = zone(zonesOf(s).zones, "dcos.thisdcos.directory");
    expect(z.ttl).toBe(30);
    expect(answers(z, "app.marathon.autoip.dcos.thisdcos.directory", "A")).toEqual(["9.0.0.2"]);
    expect(z.records.find((r) => r.type === "A")?.ttl).toBe(30);
  });

  it("answers ready.spartan and ns.spartan", () => {
    const z = zone(zones, "spartan");
    expect(answers(z, "ready.spartan", "A")).toEqual(["127.0.0.1"]);
    expect(answers(z, "ns.spartan", "A")).toEqual(["198.51.100.1"]);
    expect(z.records).toHaveLength(3);
  });

  it("assigns the masters round-robin to zk-1 … zk-5, and is empty without masters", () => {
    expect(zone(zones, "zk").records.map((r) => r.type)).toEqual(["NS"]);
    const s = ClusterSnapshot.parse({ ...snapshots["pod-tasks"], masters: ["10.0.0.1:5050", "10.0.0.2:5050", "10.0.0.3:5050"] });
    const zk = zone(zonesOf(s).zones, "zk");
    const got = [1, 2, 3, 4, 5].map((i) => answers(zk, `zk-${i}.zk`, "A"));
    expect(got).toEqual([["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"], ["10.0.0.1"], ["10.0.0.2"]]);
  });

  it("publishes named VIPs in l4lb.thisdcos.directory, A or AAAA by family", () => {
    const service = (dnsName: string | undefined, ip: string): L4Service => ({
      vip: { ip, port: 80, protocol: "tcp" },
      dnsName,
      scheduler: "wlc",
      backends: [],
    });
    const { zones: z, diagnostics } = zonesOf(snapshots["pod-tasks"], [
      service("app.marathon.l4lb.thisdcos.directory", "11.171.172.79"),
      service("app.marathon", "fd01:c::1afd:4e0d:f38c:ed11"),
      service(undefined, "1.2.3.4"),
      service("bad.marathon", "not-an-ip"),
    ]);
    const l4lb = zone(z, "l4lb.thisdcos.directory");
    expect(answers(l4lb, "app.marathon.l4lb.thisdcos.directory", "A")).toEqual(["11.171.172.79"]);
    expect(answers(l4lb, "app.marathon.l4lb.thisdcos.directory", "AAAA")).toEqual(["fd01:c::1afd:4e0d:f38c:ed11"]);
    expect(l4lb.records.filter((r) => r.type !== "NS")).toHaveLength(2);
    expect(diagnostics.map((d) => d.code)).toEqual(["dns.l4lb.invalid-ip"]);
  });
});

describe("diagnostics, never exceptions", () => {
  const base = snapshots["pod-tasks"];
  const running = base.tasks.find((t) => t.state === "TASK_RUNNING")!;
  const variant = (patch: Partial<ClusterSnapshotInput>) => ClusterSnapshot.parse({ ...base, ...patch });

  it("skips a task whose framework or agent is unknown", () => {
    const s = variant({ tasks: [{ ...running, frameworkId: "nope" }, { ...running, id: "t2", agentId: "gone" }] });
    const { zones, diagnostics } = zonesOf(s);
    expect(diagnostics.map((d) => [d.code, d.subject])).toEqual([
      ["dns.dcos.unknown-framework", `task:${running.id}`],
      ["dns.dcos.unknown-agent", "task:t2"],
    ]);
    expect(zone(zones, "dcos.thisdcos.directory").records.map((r) => r.type)).toEqual(["NS"]);
  });

  it("skips a name that sanitises to nothing", () => {
    const s = variant({ tasks: [{ ...running, discovery: { name: "__/", ports: [] } }] });
    const { diagnostics } = zonesOf(s);
    expect(diagnostics.map((d) => d.code)).toEqual(["dns.dcos.empty-label"]);
  });

  it("reports unparsable task, agent and master addresses and keeps the rest", () => {
    const status = running.statuses.at(-1)!;
    const badStatus = { ...status, networkInfos: [{ ipAddresses: ["9.0.0.2", "9.0.0.300"], portMappings: [] }] };
    const s = variant({
      tasks: [{ ...running, statuses: [...running.statuses.slice(0, -1), badStatus] }],
      agents: base.agents.map((a) => ({ ...a, ips: ["not-an-ip"] })),
      masters: ["m1.example:5050", "10.0.0.1:5050"],
      leader: "master@m1.example:5050",
    });
    const { zones, diagnostics } = zonesOf(s);
    expect(diagnostics.map((d) => d.code).sort()).toEqual([
      "dns.dcos.agent-without-ip",
      "dns.dcos.invalid-ip",
      "dns.dcos.master-not-ip",
      "dns.dcos.master-not-ip",
    ]);
    const z = zone(zones, "dcos.thisdcos.directory");
    expect(answers(z, "app.marathon.containerip.dcos.thisdcos.directory", "A")).toEqual(["9.0.0.2"]);
    expect(answers(z, "app.marathon.autoip.dcos.thisdcos.directory", "A")).toEqual(["9.0.0.2"]);
    expect(answers(z, "app.marathon.agentip.dcos.thisdcos.directory", "A")).toEqual([]);
    expect(answers(z, "master.dcos.thisdcos.directory", "A")).toEqual(["10.0.0.1"]);
    expect(answers(zone(zones, "zk"), "zk-5.zk", "A")).toEqual(["10.0.0.1"]);
  });

  it("does not modify its input and gives the same zones twice", () => {
    const s = snapshots["operator-api"];
    const before = JSON.stringify(s);
    const first = JSON.stringify(zonesOf(s));
    expect(JSON.stringify(zonesOf(s))).toBe(first);
    expect(JSON.stringify(s)).toBe(before);
  });
});
