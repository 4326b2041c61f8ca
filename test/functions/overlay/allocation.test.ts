import { describe, expect, it } from "vitest";
import { overlayState } from "../../../functions/overlay/index.ts";
import { vtepMac } from "../../../functions/overlay/allocate.ts";
import { parseIpValue } from "../../../lib/net/cidr.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { c, cluster, nodeAt, rerun, type ClusterSpec } from "./helpers.ts";

const three: ClusterSpec = { agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };

describe("stability", () => {
  it("never moves a present node's allocation, even when lower slots are freed around it", () => {
    const first = overlayState(cluster(three));
    const a3 = nodeAt(first, "10.0.0.13");
    const later = rerun({ agents: [["a3", "10.0.0.13"], ["a9", "10.0.0.99"]] }, first, ["10.0.0.11", "10.0.0.12"]);
    expect(nodeAt(later, "10.0.0.13")).toEqual(a3);
    // The newcomer takes the lowest freed slot, not the next unused one.
    expect(nodeAt(later, "10.0.0.99")).toMatchObject({ vtep: { ip: "44.128.0.1" }, overlays: { dcos: { subnet: "9.0.0.0/24" } } });
  });

  it("keeps an absent node's allocation until it is released, and gives it back when the node returns", () => {
    const first = overlayState(cluster(three));
    const without = rerun({ agents: [["a1", "10.0.0.11"], ["a3", "10.0.0.13"]] }, first);
    expect(without.nodes["a2"]).toBeUndefined();
    expect(nodeAt(without, "10.0.0.12")).toEqual(nodeAt(first, "10.0.0.12"));
    const back = rerun(three, without);
    expect(back.allocations).toEqual(first.allocations);
  });

  it("gives new members slots in a fixed order (masters first, then agents by IP), whatever the input order", () => {
    const spec: ClusterSpec = { masters: ["10.0.0.3", "10.0.0.2"], agents: [["z", "10.0.0.100"], ["y", "10.0.0.20"], ["x", "10.0.0.9"]] };
    const state = overlayState(cluster(spec));
    expect(state.allocations.nodes.map((n) => [n.ip, n.vtep.ip])).toEqual([
      ["10.0.0.2", "44.128.0.1"],
      ["10.0.0.3", "44.128.0.2"],
      ["10.0.0.9", "44.128.0.3"],
      ["10.0.0.20", "44.128.0.4"],
      ["10.0.0.100", "44.128.0.5"],
    ]);
  });

  it("does not mutate the snapshot", () => {
    const snapshot = Object.freeze(cluster(three));
    const before = JSON.stringify(snapshot);
    rerun(three, overlayState(snapshot));
    expect(JSON.stringify(snapshot)).toBe(before);
  });
});

describe("several overlays, IPv6 arithmetic", () => {
  it("keeps exact IPv6 slices past the 256th node, where DC/OS's successor went wrong", () => {
    const agents = Array.from({ length: 300 }, (_, i): [string, string] => [`a${i}`, `10.0.${i >> 8}.${i & 255}`]);
    const state = overlayState(cluster({ agents }));
    expect(nodeAt(state, "10.0.1.0")!.overlays.dcos6).toEqual({ subnet6: c("fd01:b::100:0:0:0/80") });
    expect(nodeAt(state, "10.0.1.43")!.overlays).toEqual({ dcos: { subnet: "9.1.43.0/24" }, dcos6: { subnet6: c("fd01:b::12b:0:0:0/80") } });
    expect(new Set(state.allocations.nodes.map((n) => n.overlays.dcos6!.subnet6)).size).toBe(300);
  });

  it("cuts slices whose length is not a multiple of 8", () => {
    const state = overlayState(cluster({ ...three, overlay: { overlays: [{ name: "odd", subnet6: "fd02::/60", prefix6: 77 }] } }));
    expect(state.allocations.nodes.map((n) => n.overlays.odd!.subnet6)).toEqual(["fd02::/77", c("fd02:0:0:0:8::/77"), c("fd02:0:0:0:10::/77")]);
    expect(state.nodes["a2"]!.overlays[0]!.mesosBridge!.subnet6).toBe(c("fd02:0:0:0:8::/78"));
    expect(state.nodes["a2"]!.overlays[0]!.dockerBridge!.subnet6).toBe(c("fd02:0:0:0:c::/78"));
  });

  it("derives the VTEP MAC from the OUI and the VTEP IPv4's low three bytes", () => {
    expect(vtepMac("70:B3:D5:00:00:00", parseIpValue("44.128.15.254")!.value)).toBe("70:b3:d5:80:0f:fe");
    expect(vtepMac("02:42:AC:00:00:00", parseIpValue("10.1.2.3")!.value)).toBe("02:42:ac:01:02:03");
  });
});

describe("config changes under existing allocations", () => {
  it("keeps an overlay's allocated address space when the config changes it, and reports it", () => {
    const first = overlayState(cluster(three));
    const changed = rerun({ ...three, agents: [...three.agents!, ["a4", "10.0.0.14"]], overlay: { overlays: [{ name: "dcos", subnet: "10.0.0.0/8", prefix: 24 }] } }, first);
    expect(changed.allocations.overlays.dcos).toEqual({ subnet: "9.0.0.0/8", prefix: 24 });
    expect(nodeAt(changed, "10.0.0.11")!.overlays.dcos).toEqual({ subnet: "9.0.0.0/24" });
    expect(nodeAt(changed, "10.0.0.14")!.overlays.dcos).toEqual({ subnet: "9.0.3.0/24" });
    expect(changed.diagnostics).toContainEqual(
      expect.objectContaining({ level: "error", code: "overlay.space-changed", subject: "overlay:dcos", message: expect.stringContaining("keeping 9.0.0.0/8 prefix 24") }),
    );
    // dcos6 was removed from the config: a release, not an error.
    expect(changed.diagnostics).toContainEqual(expect.objectContaining({ level: "info", code: "overlay.space-removed", subject: "overlay:dcos6" }));
    expect(nodeAt(changed, "10.0.0.11")!.overlays.dcos6).toBeUndefined();
  });

  it("takes a new space when no node holds addresses of the old one", () => {
    const first = overlayState(cluster({ agents: [], overlay: {} }));
    const changed = rerun({ ...three, overlay: { overlays: [{ name: "dcos", subnet: "10.0.0.0/8", prefix: 24 }] } }, first);
    expect(changed.allocations.overlays.dcos).toEqual({ subnet: "10.0.0.0/8", prefix: 24 });
    expect(changed.diagnostics).toEqual([]);
  });

  it("keeps the VTEP space and reports a changed vtep_subnet", () => {
    const first = overlayState(cluster(three));
    const changed = rerun({ ...three, overlay: { vtep_subnet: "44.200.0.0/20" } }, first);
    expect(changed.allocations.vtep.subnet).toBe("44.128.0.0/20");
    expect(changed.nodes["a1"]!.vtep.ip).toBe("44.128.0.1/20");
    expect(changed.diagnostics).toEqual([expect.objectContaining({ level: "error", code: "overlay.space-changed", subject: "config:overlay.vtep_subnet" })]);
  });

  it("a disabled overlay keeps its slices but is served nowhere; enabling it again gives them back", () => {
    const first = overlayState(cluster(three));
    const disabled = { overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }, { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80, enabled: false }] };
    const off = rerun({ ...three, agents: [...three.agents!, ["a4", "10.0.0.14"]], overlay: disabled }, first);
    expect(nodeAt(off, "10.0.0.11")!.overlays.dcos6).toEqual(nodeAt(first, "10.0.0.11")!.overlays.dcos6);
    expect(nodeAt(off, "10.0.0.14")!.overlays.dcos6).toBeUndefined();
    expect(off.nodes["a1"]!.overlays.map((o) => o.name)).toEqual(["dcos"]);
    expect(Object.keys(off.nodes["a1"]!.cni)).toEqual(["dcos"]);
    const on = rerun({ ...three, agents: [...three.agents!, ["a4", "10.0.0.14"]] }, off);
    expect(nodeAt(on, "10.0.0.11")!.overlays).toEqual(nodeAt(first, "10.0.0.11")!.overlays);
    expect(nodeAt(on, "10.0.0.14")!.overlays.dcos6).toEqual({ subnet6: c("fd01:b::3:0:0:0/80") });
  });

  it("with no enabled overlay, no node has anything to run", () => {
    expect(overlayState(cluster({ ...three, overlay: { overlays: [] } })).nodes).toEqual({});
  });
});

describe("bad previous allocations", () => {
  const first = overlayState(cluster(three));

  it("re-allocates the second of two nodes claiming the same slice, and says so", () => {
    const nodes = first.allocations.nodes.map((n) => (n.ip === "10.0.0.12" ? { ...n, overlays: { ...n.overlays, dcos: { subnet: "9.0.0.0/24" } } } : n));
    const fixed = overlayState(cluster({ ...three, previous: { ...first.allocations, nodes } }));
    expect(nodeAt(fixed, "10.0.0.11")!.overlays.dcos).toEqual({ subnet: "9.0.0.0/24" });
    // The lowest free slice: the one it held before the bad edit, since nobody else holds it.
    expect(nodeAt(fixed, "10.0.0.12")!.overlays.dcos).toEqual({ subnet: "9.0.1.0/24" });
    expect(fixed.diagnostics).toEqual([
      expect.objectContaining({ level: "error", code: "overlay.allocation-invalid", subject: "node:10.0.0.12", message: expect.stringContaining("'dcos' slice 9.0.0.0/24") }),
    ]);
  });

  it("allocates afresh a node whose VTEP lies outside the VTEP space", () => {
    const nodes = first.allocations.nodes.map((n) => (n.ip === "10.0.0.13" ? { ...n, vtep: { ...n.vtep, ip: "45.0.0.1" } } : n));
    const fixed = overlayState(cluster({ ...three, previous: { ...first.allocations, nodes } }));
    expect(nodeAt(fixed, "10.0.0.13")).toEqual(nodeAt(first, "10.0.0.13"));
    expect(fixed.diagnostics.map((d) => [d.code, d.subject])).toEqual([["overlay.allocation-invalid", "node:10.0.0.13"]]);
  });

  it("keeps the first of two entries for one IP", () => {
    const nodes = [...first.allocations.nodes, { ...first.allocations.nodes[0]!, vtep: { ip: "44.128.0.9", mac: "70:b3:d5:80:00:09" } }];
    const fixed = overlayState(cluster({ ...three, previous: { ...first.allocations, nodes } }));
    expect(fixed.allocations).toEqual(first.allocations);
    expect(fixed.diagnostics.map((d) => d.code)).toEqual(["overlay.allocation-invalid"]);
  });

  it.each([
    [{ nodes: [{ ip: "10.0.0.1", vtep: { ip: "44.128.0.1", mac: "70:B3:D5:80:00:01" }, overlays: {} }] }, "previous.overlay.nodes[0].vtep.mac"],
    [{ nodes: [{ ip: "node-1", vtep: { ip: "44.128.0.1", mac: "70:b3:d5:80:00:01" }, overlays: {} }] }, "previous.overlay.nodes[0].ip"],
    [{ nodes: [{ ip: "10.0.0.1", vtep: { ip: "44.128.0.1", mac: "70:b3:d5:80:00:01" }, overlays: { dcos: { subnet: "9.0.0.1/24" } } }] }, "previous.overlay.nodes[0].overlays.dcos.subnet"],
    [{ release: ["10.0.0.300"] }, "previous.overlay.release[0]"],
    [{ agents: {} }, "previous.overlay"],
  ])("rejects a malformed previous.overlay at the edge: %j", (overlay, path) => {
    const result = ClusterSnapshot.safeParse({ cluster: { name: "x" }, now: "2026-01-01T00:00:00Z", previous: { overlay } });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContainEqual(path.replace(/\[(\d+)\]/g, ".$1"));
  });
});

describe("members", () => {
  it("reports an agent without an IPv4 address and serves the others", () => {
    const snapshot = ClusterSnapshot.parse({
      ...cluster(three),
      agents: [...cluster(three).agents, { id: "v6only", hostname: "v6", ips: ["2001:db8::5"] }],
    });
    const state = overlayState(snapshot);
    expect(Object.keys(state.nodes)).toEqual(["a1", "a2", "a3"]);
    expect(state.diagnostics).toEqual([expect.objectContaining({ level: "warning", code: "overlay.no-underlay-ip", subject: "agent:v6only" })]);
  });

  it("gives no overlay to an agent whose id is not a safe file name, and serves the others", () => {
    const state = overlayState(cluster({ agents: [["../etc", "10.0.0.11"], ["a2", "10.0.0.12"]] }));
    expect(Object.keys(state.nodes)).toEqual(["a2"]);
    expect(state.diagnostics).toEqual([expect.objectContaining({ level: "warning", code: "overlay.unsafe-agent-id", subject: "agent:../etc" })]);
  });

  it("treats agents sharing an IP as one node with one allocation and one entry per agent id", () => {
    const state = overlayState(cluster({ agents: [["old", "10.0.0.11"], ["new", "10.0.0.11"]] }));
    expect(state.allocations.nodes).toHaveLength(1);
    expect(state.nodes["old"]).toEqual(state.nodes["new"]);
    expect(state.diagnostics).toEqual([expect.objectContaining({ code: "overlay.shared-underlay-ip", subject: "agent:new" })]);
  });

  it("reports a master entry that is not an IPv4 address", () => {
    const snapshot = ClusterSnapshot.parse({ ...cluster(three), masters: ["master.example:5050", "[2001:db8::1]:5050"] });
    expect(overlayState(snapshot).diagnostics.map((d) => d.subject)).toEqual(["master:master.example:5050", "master:[2001:db8::1]:5050"]);
  });

  it("a master that also runs an agent is one node, with bridges", () => {
    const state = overlayState(cluster({ masters: ["10.0.0.11"], agents: [["a1", "10.0.0.11"]] }));
    expect(Object.keys(state.nodes)).toEqual(["a1"]);
    expect(state.nodes["a1"]!.role).toBe("agent");
  });
});
