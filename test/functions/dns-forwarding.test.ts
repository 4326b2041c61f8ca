import { describe, expect, it } from "vitest";
import { dnsForwarding } from "../../functions/dns-forwarding.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";

const base: ClusterSnapshotInput = {
  cluster: { name: "t" },
  now: "2026-01-01T00:00:00Z",
  masters: ["10.0.0.1:5050", "10.0.0.2:5050"],
  agents: [
    { id: "S0", hostname: "a0", ips: ["10.0.1.11"] },
    { id: "S1", hostname: "a1", ips: ["10.0.1.12", "2001:db8::12"] },
    { id: "S2", hostname: "a2", ips: ["not-an-ip"] },
  ],
};
const snapshot = (dns: Record<string, unknown> = {}) => ClusterSnapshot.parse({ ...base, config: { dns } });

describe("dnsForwarding", () => {
  it("allows loopback, the DC/OS bridges, agents, masters, overlays and VTEPs by default", () => {
    const { forwarding, diagnostics } = dnsForwarding(snapshot());
    expect(forwarding.allowedNetworks).toEqual(
      [
        "127.0.0.0/8",
        "::1/128",
        "172.17.0.0/16",
        "172.31.254.0/24",
        "10.0.1.11/32",
        "10.0.1.12/32",
        "2001:db8::12/128",
        "10.0.0.1/32",
        "10.0.0.2/32",
        "9.0.0.0/8",
        "fd01:b::/64",
        "44.128.0.0/20",
        "fd01:a::/64",
      ].sort(),
    );
    expect(diagnostics).toEqual([
      { level: "warning", code: "dns.forwarding.bad-network", subject: "agent:S2", message: "'not-an-ip' is not an IP or CIDR block, so it is not allowed to forward" },
    ]);
  });

  it("takes the configured networks instead, normalised", () => {
    expect(dnsForwarding(snapshot({ allowedNetworks: ["10.9.8.7/16", "::1"] })).forwarding.allowedNetworks).toEqual(["10.9.0.0/16", "::1/128"]);
  });

  it("parses upstreams in order, port 53 by default, without repeats", () => {
    const { forwarding } = dnsForwarding(snapshot({ upstreams: ["1.1.1.1", "127.0.0.1:9000", "[2001:db8::1]:5353", "1.1.1.1:53"] }));
    expect(forwarding.upstreams).toEqual([
      { ip: "1.1.1.1", port: 53 },
      { ip: "127.0.0.1", port: 9000 },
      { ip: "2001:db8::1", port: 5353 },
    ]);
  });

  it("lists forward zones sorted, and the timeout", () => {
    const { forwarding } = dnsForwarding(snapshot({ forwardZones: { "b.example": ["10.1.0.53"], "a.contoso.com": ["1.1.1.1:53", "2.2.2.2"] }, forwardTimeoutMs: 500 }));
    expect(forwarding.zones).toEqual([
      { zone: "a.contoso.com", upstreams: [{ ip: "1.1.1.1", port: 53 }, { ip: "2.2.2.2", port: 53 }] },
      { zone: "b.example", upstreams: [{ ip: "10.1.0.53", port: 53 }] },
    ]);
    expect(forwarding.timeoutMs).toBe(500);
  });

  it("forwards the Mesos-DNS domain to the masters when masterResolverPort is set", () => {
    const { forwarding } = dnsForwarding(snapshot({ masterResolverPort: 61053 }));
    expect(forwarding.zones).toEqual([{ zone: "mesos", upstreams: [{ ip: "10.0.0.1", port: 61053 }, { ip: "10.0.0.2", port: 61053 }] }]);
  });

  it("keeps an explicit forward zone for the domain over masterResolverPort, and says so", () => {
    const { forwarding, diagnostics } = dnsForwarding(snapshot({ masterResolverPort: 61053, forwardZones: { mesos: ["10.5.5.5"] } }));
    expect(forwarding.zones).toEqual([{ zone: "mesos", upstreams: [{ ip: "10.5.5.5", port: 53 }] }]);
    expect(diagnostics.map((d) => d.code)).toContain("dns.forwarding.domain-zone-wins");
  });

  it("answers the domain locally when no master IP is known", () => {
    const { forwarding, diagnostics } = dnsForwarding(ClusterSnapshot.parse({ ...base, masters: [], config: { dns: { masterResolverPort: 61053 } } }));
    expect(forwarding.zones).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toContain("dns.forwarding.no-masters");
  });

  it("is rejected at the config edge for a malformed upstream or network, naming the path", () => {
    const bad = ClusterSnapshot.safeParse({ ...base, config: { dns: { upstreams: ["dns.example:53"], allowedNetworks: ["10.0.0.0/33"] } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join("."))).toEqual(["config.dns.upstreams.0", "config.dns.allowedNetworks.0"]);
  });
});
