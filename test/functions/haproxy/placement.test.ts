/**
 * Which LB groups each agent runs (`haproxy.placement`, marathon-lb's HAPROXY_GROUP mapping by
 * default), and the diagnostics of placement: two groups on one agent binding one port, and a
 * group with services that no agent runs.
 */
import { describe, expect, it } from "vitest";
import { placedGroups, selects } from "../../../functions/haproxy/placement.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { Config } from "../../../lib/snapshot/config.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { app, type HaproxyInput } from "./helpers.ts";

const haproxyConfig = (haproxy: HaproxyInput) => Config.parse({ haproxy }).haproxy;

const PUBLIC = { id: "S3", public: true, attributes: {} };
const PRIVATE = { id: "S1", public: false, attributes: { rack: "r1" } };

describe("placedGroups", () => {
  it("places external on public agents and internal on private ones by default, as DC/OS ran marathon-lb", () => {
    const config = haproxyConfig({ groups: ["external", "internal"] });
    expect(placedGroups(PUBLIC, config)).toEqual(["external"]);
    expect(placedGroups(PRIVATE, config)).toEqual(["internal"]);
  });

  it("places any other group by default where external runs", () => {
    const config = haproxyConfig({ groups: ["*", "edge", "internal"] });
    expect(placedGroups(PUBLIC, config)).toEqual(["*", "edge"]);
    expect(placedGroups(PRIVATE, config)).toEqual(["internal"]);
  });

  it("places a group by its selectors: any selector, every condition of it", () => {
    const config = haproxyConfig({
      groups: ["external", "internal"],
      placement: { external: [{ public: false, attributes: { rack: ["r1", "r2"] } }, { ids: ["S9"] }], internal: [] },
    });
    expect(placedGroups(PRIVATE, config)).toEqual(["external"]);
    expect(placedGroups({ ...PRIVATE, attributes: { rack: "r3" } }, config)).toEqual([]);
    expect(placedGroups({ ...PUBLIC, attributes: { rack: "r1" } }, config)).toEqual([]);
    expect(placedGroups({ ...PUBLIC, id: "S9" }, config)).toEqual(["external"]);
  });

  it("takes every agent with an empty selector and none with an empty list", () => {
    const config = haproxyConfig({ groups: ["external", "internal"], placement: { external: {}, internal: [] } });
    expect(placedGroups(PUBLIC, config)).toEqual(["external"]);
    expect(placedGroups(PRIVATE, config)).toEqual(["external"]);
  });

  it("matches an attribute named like an Object property only when the agent has it", () => {
    expect(selects({ attributes: { constructor: "x" } }, { ...PRIVATE, attributes: {} })).toBe(false);
    expect(selects({ attributes: { rack: "r1" } }, PRIVATE)).toBe(true);
  });
});

/** A cluster of a public agent S3 and private agents S1 and S2, with `apps` and `haproxy`. */
function desiredOf(apps: unknown[], haproxy: HaproxyInput, agents = [{ id: "S1", hostname: "agent1", ips: ["10.0.0.1"], public: false }]) {
  return reconcile(
    ClusterSnapshot.parse({
      cluster: { name: "test" },
      now: "2026-01-01T00:00:00Z",
      agents: [...agents, { id: "S3", hostname: "edge1", ips: ["10.0.0.3"], public: true }],
      marathonApps: apps,
      config: { haproxy },
    }),
  );
}

describe("haproxy.nodes and placement diagnostics", () => {
  it("lists the groups each agent runs", () => {
    const desired = desiredOf([app({ id: "/web" })], { groups: ["external", "internal"] });
    expect(desired.haproxy.nodes).toEqual({ S1: { groups: ["internal"] }, S3: { groups: ["external"] } });
    expect(desired.diagnostics.filter((d) => d.code.startsWith("haproxy.group-"))).toEqual([]);
  });

  it("reports two groups on one agent that bind one port, naming both, the port and the agent, and keeps both groups' configs", () => {
    const desired = desiredOf([app({ id: "/web", ports: [10000] }), app({ id: "/db", ports: [10001], labels: { HAPROXY_GROUP: "internal" } })], {
      groups: ["external", "internal"],
      placement: { external: {}, internal: { ids: ["S1"] } },
    });
    expect(desired.haproxy.nodes).toEqual({ S1: { groups: ["external", "internal"] }, S3: { groups: ["external"] } });
    const clashes = desired.diagnostics.filter((d) => d.code === "haproxy.group-clash");
    expect(clashes).toEqual([expect.objectContaining({ level: "error", subject: "agent:S1" })]);
    expect(clashes[0]!.message).toMatch(/^groups external and internal are both placed on agent S1 and both listen on port 80:/);
    // The clash is the agent's alone: S3 runs external as before, and both configs are whole.
    expect(desired.haproxy.groups.external!.config).toContain("bind *:10000");
    expect(desired.haproxy.groups.internal!.config).toContain("bind *:10001");
  });

  it("reports no clash when a group has its own ports, and the lowest shared service port when a service is in both", () => {
    const ownPorts = { httpPort: 8080, httpsPort: 8443, appIdPort: 9191, statsPort: 9190 };
    const apart = desiredOf([app({ id: "/web" })], { groups: ["external", "internal"], placement: { external: {}, internal: {} }, groupPorts: { internal: ownPorts } });
    expect(apart.diagnostics.filter((d) => d.code === "haproxy.group-clash")).toEqual([]);
    expect(apart.haproxy.groups.internal!.config).toContain("bind *:8080");

    const both = desiredOf([app({ id: "/web", ports: [10005], labels: { HAPROXY_GROUP: "external,internal" } })], {
      groups: ["external", "internal"],
      placement: { external: {}, internal: {} },
      groupPorts: { internal: ownPorts },
    });
    const clashes = both.diagnostics.filter((d) => d.code === "haproxy.group-clash");
    expect(clashes.map((d) => d.subject)).toEqual(["agent:S1", "agent:S3"]);
    expect(clashes[0]!.message).toContain("both listen on port 10005");
  });

  it("warns about a group with services that no agent runs, and not about one without services", () => {
    const desired = desiredOf([app({ id: "/db", labels: { HAPROXY_GROUP: "internal" }, tasks: [["edge1", [1024]]] })], { groups: ["external", "internal"] }, []);
    expect(desired.diagnostics.filter((d) => d.code === "haproxy.group-unplaced")).toEqual([
      expect.objectContaining({ level: "warning", subject: "group:internal", message: expect.stringContaining("placed on private agents (the default)") }),
    ]);
  });
});
