/**
 * What an agent runs (specs/overlay_l4lb.md §3.1–3.3): its CNI configs, the Docker network
 * arguments and the data plane towards every peer.
 */
import { describe, expect, it } from "vitest";
import { overlayState } from "../../../functions/overlay/index.ts";
import { dataplaneFor } from "../../../lib/desired/dataplane.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { canonicalJson } from "../../../lib/net/canonical-json.ts";
import { c, cluster, type ClusterSpec } from "./helpers.ts";

const exampleA: ClusterSpec = { masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };

describe("CNI configs", () => {
  it("is a cniVersion 1.0.0 conflist: bridge + host-local over the m- half, then portmap", () => {
    const a1 = overlayState(cluster(exampleA)).nodes["a1"]!;
    expect(canonicalJson(a1.cni["dcos"])).toBe(
      canonicalJson({
        cniVersion: "1.0.0",
        name: "dcos",
        plugins: [
          {
            type: "bridge",
            bridge: "m-dcos",
            isGateway: true,
            ipMasq: false,
            hairpinMode: true,
            mtu: 1420,
            ipam: { type: "host-local", dataDir: "/var/run/dcos/cni/networks", ranges: [[{ subnet: "9.0.1.0/25" }]], routes: [{ dst: "0.0.0.0/0" }] },
          },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      }),
    );
    expect(a1.cni["dcos6"]!.plugins[0]).toMatchObject({ bridge: "m-dcos6", ipam: { ranges: [[{ subnet: c("fd01:b::1:0:0:0/81") }]], routes: [{ dst: "::/0" }] } });
    expect(a1.cniDir).toBe("/opt/mesosphere/etc/dcos/network/cni");
  });

  it("puts both families of a dual-stack overlay in one network", () => {
    const overlay = { overlays: [{ name: "dual", subnet: "9.0.0.0/8", prefix: 24, subnet6: "fd01:b::/64", prefix6: 80 }] };
    const bridge = overlayState(cluster({ ...exampleA, overlay })).nodes["a1"]!.cni["dual"]!.plugins[0]!;
    expect(bridge["ipam"]).toMatchObject({ ranges: [[{ subnet: "9.0.1.0/25" }], [{ subnet: c("fd01:b::1:0:0:0/81") }]], routes: [{ dst: "0.0.0.0/0" }, { dst: "::/0" }] });
  });

  const portmap = { type: "portmap", capabilities: { portMappings: true } };
  it.each([
    [{ portmap: false }, [{ type: "bridge" }]],
    [{ firewall: true }, [{ type: "bridge" }, portmap, { type: "firewall" }]],
    [{ firewall: { backend: "iptables", ingressPolicy: "same-bridge" } }, [{ type: "bridge" }, portmap, { type: "firewall", backend: "iptables", ingressPolicy: "same-bridge" }]],
    [{ bandwidth: true }, [{ type: "bridge" }, portmap, { type: "bandwidth", capabilities: { bandwidth: true } }]],
    [
      { portmap: false, bandwidth: { egressRate: 8000000, egressBurst: 80000 } },
      [{ type: "bridge" }, { type: "bandwidth", capabilities: { bandwidth: true }, egressRate: 8000000, egressBurst: 80000 }],
    ],
  ])("chains the configured plugins: %j", (cni, plugins) => {
    const conflist = overlayState(cluster({ ...exampleA, overlay: { cni } })).nodes["a1"]!.cni["dcos"]!;
    expect(conflist.plugins.map((p) => (p.type === "bridge" ? { type: "bridge" } : p))).toEqual(plugins);
  });

  it("uses the configured MTU and directories", () => {
    const overlay = { mtu: 8950, cni: { dir: "/etc/cni/net.d", dataDir: "/run/cni" } };
    const a1 = overlayState(cluster({ ...exampleA, overlay })).nodes["a1"]!;
    expect(a1.cniDir).toBe("/etc/cni/net.d");
    expect(a1.cni["dcos"]!.plugins[0]).toMatchObject({ mtu: 8950, ipam: { dataDir: "/run/cni" } });
  });
});

describe("masquerade", () => {
  it("is set on agents for the spaces of their overlays, not on masters, and can be turned off", () => {
    const state = overlayState(cluster(exampleA));
    expect(state.nodes["a1"]!.masquerade).toEqual(["9.0.0.0/8", "fd01:b::/64"]);
    expect(state.nodes["master@10.0.0.1"]!.masquerade).toEqual([]);
    expect(overlayState(cluster({ ...exampleA, overlay: { masquerade: false } })).nodes["a1"]!.masquerade).toEqual([]);
  });
});

describe("docker network create arguments", () => {
  it("matches the agent module's commands, as argument arrays without empty placeholders", () => {
    const a1 = overlayState(cluster(exampleA)).nodes["a1"]!;
    expect(a1.docker).toEqual([
      {
        name: "dcos",
        args: [
          "network",
          "create",
          "--driver=bridge",
          "--opt=com.docker.network.bridge.name=d-dcos",
          "--opt=com.docker.network.bridge.enable_ip_masquerade=false",
          "--opt=com.docker.network.driver.mtu=1420",
          "--subnet=9.0.1.128/25",
          "dcos",
        ],
      },
      {
        name: "dcos6",
        args: [
          "network",
          "create",
          "--driver=bridge",
          "--opt=com.docker.network.bridge.name=d-dcos6",
          "--opt=com.docker.network.bridge.enable_ip_masquerade=false",
          "--opt=com.docker.network.driver.mtu=1420",
          "--ipv6",
          `--subnet=${c("fd01:b::1:8000:0:0/81")}`,
          "dcos6",
        ],
      },
    ]);
  });
});

describe("data plane", () => {
  const state = overlayState(cluster(exampleA));
  const all = Object.values(state.nodes);

  it("on a1 of example A: exactly the per-peer entries of §3.3", () => {
    const dataplane = dataplaneFor(state.nodes["a1"]!, all, state.allocations);
    expect(dataplane.rules).toEqual([{ from: "9.0.0.0/8", table: 42 }]);
    const peers = [
      ["10.0.0.1", "44.128.0.1", "70:b3:d5:80:00:01", "9.0.0.0/24", "fd01:a::1", "fd01:b::/80"],
      ["10.0.0.12", "44.128.0.3", "70:b3:d5:80:00:03", "9.0.2.0/24", "fd01:a::3", "fd01:b::2:0:0:0/80"],
      ["10.0.0.13", "44.128.0.4", "70:b3:d5:80:00:04", "9.0.3.0/24", "fd01:a::4", "fd01:b::3:0:0:0/80"],
    ];
    expect(dataplane.neighbours).toEqual(peers.flatMap(([, vtep, mac, , vtep6]) => [{ ip: vtep, mac }, { ip: vtep6, mac }]));
    expect(dataplane.fdb).toEqual(peers.map(([ip, , mac]) => ({ mac, dst: ip })));
    expect(dataplane.routes).toEqual(
      peers.flatMap(([ip, vtep, , slice, vtep6, slice6]) => [
        { dst: slice, via: vtep, table: 254 },
        { dst: `${ip}/32`, via: vtep, table: 42 },
        { dst: c(slice6!), via: vtep6, table: 254 },
      ]),
    );
  });

  it("has no entry for a node that left the snapshot, though its allocation stays", () => {
    const without = overlayState(cluster({ ...exampleA, agents: exampleA.agents!.slice(0, 2), previous: state.allocations }));
    const dataplane = dataplaneFor(without.nodes["a1"]!, Object.values(without.nodes), without.allocations);
    expect(dataplane.fdb.map((f) => f.dst)).toEqual(["10.0.0.1", "10.0.0.12"]);
    expect(dataplane.routes.some((r) => r.dst === "9.0.3.0/24" || r.dst === "10.0.0.13/32")).toBe(false);
    expect(without.allocations.nodes.map((n) => n.ip)).toContain("10.0.0.13");
  });

  it("routes only the overlays both ends hold, and IPv6 only between IPv6 VTEPs", () => {
    const overlay = { overlays: [{ name: "small", subnet: "192.168.0.0/23", prefix: 24 }, { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80 }] };
    const s = overlayState(cluster({ agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]], overlay }));
    // a3 got no 'small' slice: a1 reaches it over IPv6 only, with no table-42 route (IPv4 rule only).
    const dataplane = dataplaneFor(s.nodes["a1"]!, Object.values(s.nodes), s.allocations);
    expect(dataplane.routes.filter((r) => r.via.startsWith("44.128.0.3") || r.via === "fd01:a::3")).toEqual([{ dst: c("fd01:b::2:0:0:0/80"), via: "fd01:a::3", table: 254 }]);
    expect(dataplane.neighbours.filter((n) => n.mac.endsWith(":03"))).toEqual([{ ip: "fd01:a::3", mac: "70:b3:d5:80:00:03" }]);
    expect(dataplane.fdb).toContainEqual({ mac: "70:b3:d5:80:00:03", dst: "10.0.0.13" });
  });

  it("skips a peer that shares no overlay", () => {
    const overlay = { overlays: [{ name: "small", subnet: "192.168.0.0/24", prefix: 25 }] };
    const s = overlayState(cluster({ agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]], overlay }));
    expect(s.nodes["a3"]).toBeUndefined();
    const dataplane = dataplaneFor(s.nodes["a1"]!, Object.values(s.nodes), s.allocations);
    expect(dataplane.fdb).toEqual([{ mac: "70:b3:d5:80:00:02", dst: "10.0.0.12" }]);
  });
});

describe("node view", () => {
  const desired = reconcile(cluster(exampleA));

  it("adds the data plane to the node's own entry only", () => {
    const view = nodeView(desired, "a2");
    expect(Object.keys(view.overlay.nodes)).toEqual(["a2"]);
    expect(view.overlay.nodes["a2"]!.dataplane!.fdb.map((f) => f.dst)).toEqual(["10.0.0.1", "10.0.0.11", "10.0.0.13"]);
    expect(desired.overlay.nodes["a2"]!.dataplane).toBeUndefined();
  });

  it("serves masters under master@<ip>", () => {
    expect(nodeView(desired, "master@10.0.0.1").overlay.nodes["master@10.0.0.1"]!.dataplane!.fdb).toHaveLength(3);
  });

  it("is a fixed point: the view of a view is the same view", () => {
    const view = nodeView(desired, "a2");
    expect(nodeView(view, "a2")).toEqual(view);
  });
});
