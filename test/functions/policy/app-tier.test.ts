import { describe, expect, it } from "vitest";
import { appTier } from "../../../functions/policy/app-tier.ts";

const NETWORKS = new Set(["dcos", "host", "edge"]);

describe("app tier labels", () => {
  it("gives no tier to an app without policy labels", () => {
    expect(appTier("/web", { HAPROXY_GROUP: "external" }, NETWORKS)).toEqual({ diagnostics: [] });
  });

  it("reads every port form and every source form, in label order", () => {
    const spec = appTier(
      "/api",
      {
        WAYFINDER_POLICY_ALLOW_FROM_8080: "/frontend, /shop/*",
        WAYFINDER_POLICY_ALLOW_FROM_53_UDP: "10.0.0.0/8, 192.0.2.7",
        "WAYFINDER_POLICY_ALLOW_FROM_8000-8100": "network:dcos, role:ops, label:tier=web",
        WAYFINDER_POLICY_ALLOW_FROM: "*",
      },
      NETWORKS,
    );
    expect(spec.diagnostics).toEqual([]);
    expect(spec.entries).toEqual([
      { label: "WAYFINDER_POLICY_ALLOW_FROM" },
      { label: "WAYFINDER_POLICY_ALLOW_FROM_53_UDP", ports: [{ protocol: "udp", port: 53 }], sources: [{ ipBlocks: [{ cidr: "10.0.0.0/8", except: [] }] }, { ipBlocks: [{ cidr: "192.0.2.7/32", except: [] }] }] },
      { label: "WAYFINDER_POLICY_ALLOW_FROM_8000-8100", ports: [{ protocol: "tcp", port: 8000, endPort: 8100 }], sources: [{ networks: ["dcos"] }, { roles: ["ops"] }, { labels: { tier: "web" } }] },
      { label: "WAYFINDER_POLICY_ALLOW_FROM_8080", ports: [{ protocol: "tcp", port: 8080 }], sources: [{ apps: ["/frontend"] }, { apps: ["/shop/*"] }] },
    ]);
  });

  it("lets no one in through an empty value", () => {
    expect(appTier("/db", { WAYFINDER_POLICY_ALLOW_FROM_5432: " " }, NETWORKS).entries).toEqual([{ label: "WAYFINDER_POLICY_ALLOW_FROM_5432", ports: [{ protocol: "tcp", port: 5432 }], sources: [] }]);
  });

  it.each([
    ["WAYFINDER_POLICY_ALLOW_FRM", "/web", "not a policy label"],
    ["WAYFINDER_POLICY_ALLOW_FROM_70000", "/web", "not a port"],
    ["WAYFINDER_POLICY_ALLOW_FROM_90-80", "/web", "not a port"],
    ["WAYFINDER_POLICY_ALLOW_FROM_80", "network:nope", "unknown network 'nope'"],
    ["WAYFINDER_POLICY_ALLOW_FROM_80", "web", "'web' is not a source"],
    ["WAYFINDER_POLICY_ALLOW_FROM_80", "10.0.0.1/8", "is not a source"],
    ["WAYFINDER_POLICY_ALLOW_FROM_80", "label:novalue", "not label:KEY=VALUE"],
  ])("fails closed on %s=%j: an error, and nothing let in by it", (label, value, why) => {
    const spec = appTier("/api", { [label]: value }, NETWORKS);
    expect(spec.diagnostics).toEqual([{ level: "error", code: "policy.invalid-app-label", subject: "app:/api", message: expect.stringContaining(why) }]);
    expect(spec.entries).toHaveLength(1);
    expect(spec.entries![0]!.sources).toEqual([]);
  });
});
