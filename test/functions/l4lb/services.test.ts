import { describe, expect, it } from "vitest";
import { l4lbServices } from "../../../functions/l4lb/index.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { DesiredState, type L4Service } from "../../../lib/desired/schema.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { operatorSnapshot } from "../../support/upstream-fixtures.ts";
import { readSnapshot } from "../../golden/fixtures.ts";

/** `proto ip:port name → backend/wweight ...`, the way an operator reads `ipvsadm -Ln`. */
function table(services: readonly L4Service[]): string[] {
  return services.map((s) => {
    const backends = s.backends.map((b) => `${b.ip}:${b.port}/w${b.weight}`).join(" ");
    return `${s.vip.protocol} ${s.vip.ip}:${s.vip.port}${s.name ? ` ${s.name}` : ""} → ${backends}`;
  });
}

describe("VIP tables of the dcos-net fixtures (specs/overlay_l4lb.md §4.7)", () => {
  it("tcp-and-udp: one named address for both protocols", () => {
    expect(table(l4lbServices(operatorSnapshot("tcp-and-udp")).services)).toEqual([
      "tcp 11.171.172.79:80 app.marathon → 172.17.0.3:6416/w1",
      "udp 11.171.172.79:80 app.marathon → 172.17.0.3:6416/w1",
    ]);
  });

  it("unhealthy: weight 0 for a task whose health check has not passed", () => {
    expect(table(l4lbServices(operatorSnapshot("unhealthy")).services)).toEqual(["tcp 11.216.117.52:80 foobar.marathon → 9.0.1.6:80/w0"]);
  });

  it("vip-labels: discovery and legacy labels alike", () => {
    expect(table(l4lbServices(operatorSnapshot("vip-labels")).services)).toEqual([
      "tcp 11.74.208.185:80 jkl.marathon → 172.17.0.3:10000/w1",
      "tcp 11.92.126.235:443 xyz.marathon → 172.17.0.3:10001/w1",
      "tcp 11.147.56.9:80 def.marathon → 172.17.0.3:9999/w1",
      "tcp 11.159.183.112:80 abc.marathon → 172.17.0.3:9999/w1",
      "tcp 11.172.189.46:80 cbd.marathon → 172.17.0.3:9999/w1",
    ]);
  });

  it("hello-overlay: overlay tasks by their overlay IP, host tasks by the agent's", () => {
    expect(table(l4lbServices(operatorSnapshot("hello-overlay")).services)).toEqual([
      "tcp 11.46.7.19:80 api.hello-world.marathon → 10.0.0.49:19630/w1",
      "tcp 11.86.218.246:80 overlay-vip.hello-world → 9.0.2.3:4044/w1",
      "tcp 11.131.68.35:80 host-vip.hello-world → 10.0.0.49:4044/w1",
    ]);
  });

  it("recovered-agents: the host port everywhere, the container address on its own agent", () => {
    const snapshot = operatorSnapshot("recovered-agents");
    const desired = reconcile(snapshot);
    expect(table(desired.l4lb.services)).toEqual(["tcp 11.225.36.193:10080 web.marathon → 172.17.0.4:16424/w1"]);
    const own = nodeView(desired, snapshot.agents[0]!.id);
    expect(table(own.l4lb.services)).toEqual(["tcp 11.225.36.193:10080 web.marathon → 172.31.254.10:10080/w1"]);
    expect(table(nodeView(desired, "some-other-agent").l4lb.services)).toEqual(table(desired.l4lb.services));
  });

  it("publishes named VIPs in l4lb.thisdcos.directory, and IP VIPs nowhere", () => {
    const zone = reconcile(operatorSnapshot("tcp-and-udp")).dns.zones.find((z) => z.origin === "l4lb.thisdcos.directory")!;
    expect(zone.records.filter((r) => r.type === "A" || r.type === "AAAA")).toEqual([
      { name: "app.marathon.l4lb.thisdcos.directory", type: "A", ttl: 5, data: "11.171.172.79" },
    ]);
  });
});

describe("the demo cluster", () => {
  const snapshot = readSnapshot("state-fixtures/demo/snapshot.json");
  const { services, diagnostics } = l4lbServices(snapshot);

  it("serves every VIP despite the broken label, and names the broken one", () => {
    expect(diagnostics).toEqual([
      expect.objectContaining({ level: "error", code: "l4lb.invalid-vip-label", subject: "task:broken.2f3a4b5c-0000-11ef-9c1b-0242ac110002" }),
    ]);
    expect(services.map((s) => `${s.vip.protocol} ${s.name ?? s.vip.ip}:${s.vip.port}`)).toEqual([
      "udp 10.100.0.5:514",
      "tcp backendapi.marathon:8080",
      "tcp db.marathon:5432",
      "udp syslog.marathon:514",
      "tcp cache.marathon:6379",
      "tcp overlay-vip.hello-world:80",
      "tcp metrics.marathon:9090",
      "tcp host-vip.hello-world:80",
      "tcp web.marathon:80",
      "tcp cache.marathon:6379",
    ]);
  });

  it("drains unhealthy and killing backends with weight 0", () => {
    const api = services.find((s) => s.name === "backendapi.marathon")!;
    expect(api.backends.map((b) => [b.ip, b.port, b.weight])).toEqual([
      ["10.0.1.11", 31500, 1],
      ["10.0.1.12", 31501, 0],
      ["10.0.1.13", 31502, 0],
    ]);
  });

  it("splits a dual-stack named VIP into an IPv4 and an IPv6 service with one name", () => {
    const cache = services.filter((s) => s.name === "cache.marathon");
    expect(cache.map((s) => [s.vip.ip, s.backends.map((b) => b.ip)])).toEqual([
      ["11.57.247.133", ["172.19.0.2"]],
      ["fd01:c::72df:351e:c788:bd6b", ["fd01:b::3:8000:0:2"]],
    ]);
  });
});

describe("backend families and ipv6 (dcos-l4lb validate_backend_ip_test)", () => {
  function snapshotWith(vips: string[], ips: string[], ipv6 = true, extra: Partial<ClusterSnapshotInput> = {}): ClusterSnapshot {
    return ClusterSnapshot.parse({
      cluster: { name: "t" },
      now: "2026-01-01T00:00:00Z",
      agents: [{ id: "A", hostname: "10.0.0.1", ips: ["10.0.0.1"] }],
      frameworks: [{ id: "F", name: "marathon" }],
      tasks: [
        {
          id: "t1",
          name: "t",
          frameworkId: "F",
          agentId: "A",
          state: "TASK_RUNNING",
          discovery: { ports: [{ number: 80, protocol: "tcp", labels: vips.map((v, i) => ({ key: `VIP_${i}`, value: v })) }] },
          statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: ips }] }],
        },
      ],
      config: { l4lb: { ipv6 } },
      ...extra,
    });
  }
  const backendsOf = (s: ClusterSnapshot) => l4lbServices(s).services.map((x) => `${x.name ?? x.vip.ip} ${x.backends.map((b) => b.ip).join(",")}`);

  it("IP VIPs take backends of their own family only; named VIPs both", () => {
    const s = snapshotWith(["/n:80", "11.2.3.4:80", "fd01:c::1:80"], ["9.0.1.2", "fd01:b::2"]);
    expect(backendsOf(s)).toEqual(["11.2.3.4 9.0.1.2", "n.marathon 9.0.1.2", "fd01:c::1 fd01:b::2", "n.marathon fd01:b::2"]);
  });

  it("with ipv6 off, IPv6 backends and IPv6 VIPs are left out", () => {
    const s = snapshotWith(["/n:80", "fd01:c::1:80"], ["9.0.1.2", "fd01:b::2"], false);
    expect(backendsOf(s)).toEqual(["n.marathon 9.0.1.2"]);
    expect(l4lbServices(s).diagnostics.map((d) => d.code)).toEqual(["l4lb.ipv6-disabled"]);
  });

  it("warns when a task has no address of the VIP's family", () => {
    const { services, diagnostics } = l4lbServices(snapshotWith(["fd01:c::1:80"], ["9.0.1.2"]));
    expect(services).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ code: "l4lb.no-backend-address", subject: "task:t1" })]);
  });

  it("rejects a name that sanitises to nothing, and keeps the other VIPs", () => {
    const { services, diagnostics } = l4lbServices(snapshotWith(["__:80", "/ok:80"], ["9.0.1.2"]));
    expect(services.map((s) => s.name)).toEqual(["ok.marathon"]);
    expect(diagnostics).toEqual([expect.objectContaining({ level: "error", code: "l4lb.invalid-vip-name", subject: "task:t1" })]);
  });

  it("merges /app and app (one DNS name) into one VIP", () => {
    const { services } = l4lbServices(snapshotWith(["/app:80", "app:80"], ["9.0.1.2"]));
    expect(table(services)).toEqual(["tcp 11.171.172.79:80 app.marathon → 9.0.1.2:80/w1"]);
  });

  it("places a new named VIP off an address an IP VIP uses", () => {
    const { services } = l4lbServices(snapshotWith(["/app:80", "11.171.172.79:80"], ["9.0.1.2"]));
    expect(table(services)).toEqual(["tcp 11.171.172.79:80 → 9.0.1.2:80/w1", "tcp 11.171.172.80:80 app.marathon → 9.0.1.2:80/w1"]);
  });

  it("lets an existing named VIP keep its key when an IP VIP later names the same address and port", () => {
    const previous = { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }] } };
    const { services, diagnostics } = l4lbServices(snapshotWith(["/app:80", "11.171.172.79:80"], ["9.0.1.2"], true, { previous }));
    expect(table(services)).toEqual(["tcp 11.171.172.79:80 app.marathon → 9.0.1.2:80/w1"]);
    expect(diagnostics).toEqual([expect.objectContaining({ code: "l4lb.vip-conflict", subject: "vip:tcp:11.171.172.79:80" })]);
  });

  it("skips tasks on an agent the snapshot does not know, with a warning", () => {
    const s = snapshotWith(["/app:80"], ["9.0.1.2"], true, { agents: [] });
    expect(l4lbServices(s)).toEqual({
      services: [],
      namedVips: [],
      diagnostics: [expect.objectContaining({ level: "warning", code: "l4lb.unknown-owner", subject: "task:t1" })],
    });
  });

  it("keeps the previous address of a VIP from snapshot.previous", () => {
    const s = snapshotWith(["/app:80"], ["9.0.1.2"], true, { previous: { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.0.0.9" }] } } });
    expect(l4lbServices(s).services[0]!.vip.ip).toBe("11.0.0.9");
  });

  describe("grace period of a named VIP without backends", () => {
    const gone = (previous: ClusterSnapshotInput["previous"], now = "2026-01-01T00:30:00Z", grace?: number) =>
      l4lbServices(snapshotWith(["/other:80"], ["9.0.1.2"], true, { now, previous, ...(grace === undefined ? {} : { config: { l4lb: { namedVipGraceSeconds: grace } } }) }));

    it("keeps the address reserved, stamped with the first snapshot it was missing from", () => {
      const { namedVips } = gone({ l4lb: { namedVips: [{ name: "app.marathon", ip: "11.171.172.79" }] } });
      expect(namedVips).toEqual([
        { name: "app.marathon", ip: "11.171.172.79", lastSeen: "2026-01-01T00:30:00Z" },
        { name: "other.marathon", ip: expect.stringMatching(/^11\./) },
      ]);
    });

    it("does not give the reserved address to a new VIP that hashes onto it", () => {
      // other.marathon's home address, held by a VIP that is away.
      const home = gone({}).namedVips.find((v) => v.name === "other.marathon")!.ip;
      const { namedVips } = gone({ l4lb: { namedVips: [{ name: "away.marathon", ip: home, lastSeen: "2026-01-01T00:00:00Z" }] } });
      expect(namedVips.find((v) => v.name === "other.marathon")!.ip).not.toBe(home);
    });

    it("gives a returning VIP its old address back", () => {
      const previous = { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.0.0.9", lastSeen: "2026-01-01T00:00:00Z" }] } };
      const back = l4lbServices(snapshotWith(["/app:80"], ["9.0.1.2"], true, { now: "2026-01-01T00:30:00Z", previous }));
      expect(back.services.map((s) => s.vip.ip)).toEqual(["11.0.0.9"]);
      expect(back.namedVips).toEqual([{ name: "app.marathon", ip: "11.0.0.9" }]);
    });

    it("releases it once the grace period is over, or at once with a grace of 0", () => {
      const previous = { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.171.172.79", lastSeen: "2026-01-01T00:00:00Z" }] } };
      expect(gone(previous, "2026-01-01T01:00:00Z").namedVips.map((v) => v.name)).toEqual(["app.marathon", "other.marathon"]);
      expect(gone(previous, "2026-01-01T01:00:01Z").namedVips.map((v) => v.name)).toEqual(["other.marathon"]);
      expect(gone(previous, "2026-01-01T00:00:01Z", 0).namedVips.map((v) => v.name)).toEqual(["other.marathon"]);
    });
  });

  it("rejects a malformed previous.l4lb at the snapshot edge, naming the path", () => {
    const result = ClusterSnapshot.safeParse({ cluster: { name: "t" }, now: "2026-01-01T00:00:00Z", previous: { l4lb: { namedVips: [{ name: "x" }] } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["previous", "l4lb", "namedVips", 0, "ip"]);
  });

  it("rejects a desired state whose VIP or backend is not an IP literal, or whose scheduler is not a name", () => {
    const desired = reconcile(operatorSnapshot("tcp-and-udp"));
    const svc = desired.l4lb.services[0]!;
    const withService = (s: unknown) => DesiredState.safeParse({ ...desired, l4lb: { services: [s] } });
    expect(withService(svc).success).toBe(true);
    expect(withService({ ...svc, vip: { ...svc.vip, ip: "11.0.0.1 }" } }).error?.issues[0]?.path).toEqual(["l4lb", "services", 0, "vip", "ip"]);
    expect(withService({ ...svc, backends: [{ ...svc.backends[0], ip: "host.example" }] }).success).toBe(false);
    expect(withService({ ...svc, scheduler: "wlc\n-C" }).success).toBe(false);
  });

  it("rejects a config range that is not of its family or runs backwards", () => {
    const parse = (l4lb: unknown) => ClusterSnapshot.safeParse({ cluster: { name: "t" }, now: "2026-01-01T00:00:00Z", config: { l4lb } });
    expect(parse({ ipv4Range: { min: "fd01::", max: "11.0.0.1" } }).success).toBe(false);
    expect(parse({ ipv4Range: { min: "11.0.0.9", max: "11.0.0.1" } }).error?.issues[0]?.path).toEqual(["config", "l4lb", "ipv4Range", "max"]);
    expect(parse({ scheduler: "wlc; rm -rf /" }).success).toBe(false);
  });
});
