/**
 * The worked examples A–F of specs/overlay_l4lb.md §2.7, checked against the DC/OS master
 * module's tests and fixture data.
 */
import { describe, expect, it } from "vitest";
import { overlayState } from "../../../functions/overlay/index.ts";
import { c, cluster, nodeAt, rerun, type ClusterSpec } from "./helpers.ts";

describe("A. 1 master + 3 agents, default config", () => {
  const spec: ClusterSpec = { masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };
  const state = overlayState(cluster(spec));

  it.each([
    ["10.0.0.1", "44.128.0.1", "70:b3:d5:80:00:01", "fd01:a::1", "9.0.0.0/24", "fd01:b::/80"],
    ["10.0.0.11", "44.128.0.2", "70:b3:d5:80:00:02", "fd01:a::2", "9.0.1.0/24", "fd01:b::1:0:0:0/80"],
    ["10.0.0.12", "44.128.0.3", "70:b3:d5:80:00:03", "fd01:a::3", "9.0.2.0/24", "fd01:b::2:0:0:0/80"],
    ["10.0.0.13", "44.128.0.4", "70:b3:d5:80:00:04", "fd01:a::4", "9.0.3.0/24", "fd01:b::3:0:0:0/80"],
  ])("%s gets VTEP %s (%s, %s), dcos %s and dcos6 %s", (ip, vtep, mac, vtep6, dcos, dcos6) => {
    expect(nodeAt(state, ip)).toEqual({ ip, vtep: { ip: vtep, ip6: vtep6, mac }, overlays: { dcos: { subnet: dcos }, dcos6: { subnet6: c(dcos6) } } });
  });

  it.each([
    ["a1", "9.0.1.0/25", "9.0.1.128/25", "fd01:b::1:0:0:0/81", "fd01:b::1:8000:0:0/81"],
    ["a2", "9.0.2.0/25", "9.0.2.128/25", "fd01:b::2:0:0:0/81", "fd01:b::2:8000:0:0/81"],
    ["a3", "9.0.3.0/25", "9.0.3.128/25", "fd01:b::3:0:0:0/81", "fd01:b::3:8000:0:0/81"],
  ])("agent %s splits its slices: m- %s, d- %s, m- %s, d- %s", (id, m4, d4, m6, d6) => {
    const [dcos, dcos6] = state.nodes[id]!.overlays;
    expect(dcos!.mesosBridge).toEqual({ name: "m-dcos", subnet: m4 });
    expect(dcos!.dockerBridge).toEqual({ name: "d-dcos", subnet: d4 });
    expect(dcos6!.mesosBridge).toEqual({ name: "m-dcos6", subnet6: c(m6) });
    expect(dcos6!.dockerBridge).toEqual({ name: "d-dcos6", subnet6: c(d6) });
  });

  it("gives the master a slice but no bridges, under the key master@<ip>", () => {
    const master = state.nodes["master@10.0.0.1"]!;
    expect(master.role).toBe("master");
    expect(master.overlays).toEqual([
      { name: "dcos", subnet: "9.0.0.0/24" },
      { name: "dcos6", subnet6: "fd01:b::/80" },
    ]);
    expect(master.cni).toEqual({});
    expect(master.docker).toEqual([]);
  });

  it("reports nothing", () => {
    expect(state.diagnostics).toEqual([]);
  });
});

describe("B. re-registration", () => {
  const spec: ClusterSpec = { masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };
  const first = overlayState(cluster(spec));

  it("a2 back with the same IP (even a new agent id) gets an identical allocation", () => {
    const again = rerun({ ...spec, agents: [["a1", "10.0.0.11"], ["a2-new-id", "10.0.0.12"], ["a3", "10.0.0.13"]] }, first);
    expect(again.allocations).toEqual(first.allocations);
    expect(again.nodes["a2-new-id"]!.vtep).toEqual(first.nodes["a2"]!.vtep);
  });

  it("a2 back as 10.0.0.22 without a delete is a new node, and its old allocation stays reserved", () => {
    const moved = rerun({ ...spec, agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.22"], ["a3", "10.0.0.13"]] }, first);
    expect(nodeAt(moved, "10.0.0.22")).toMatchObject({ vtep: { ip: "44.128.0.5" }, overlays: { dcos: { subnet: "9.0.4.0/24" } } });
    expect(nodeAt(moved, "10.0.0.12")).toEqual(nodeAt(first, "10.0.0.12"));
    expect(moved.diagnostics).toEqual([expect.objectContaining({ level: "info", code: "overlay.owner-absent", subject: "node:10.0.0.12" })]);
  });
});

describe("C. delete and reuse", () => {
  const spec: ClusterSpec = { masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"]] };
  const first = overlayState(cluster(spec));
  const gone: ClusterSpec = { ...spec, agents: [["a1", "10.0.0.11"], ["a3", "10.0.0.13"], ["a4", "10.0.0.14"]] };

  it("a4 receives exactly what the released a2 held, VTEP MAC included", () => {
    const reused = rerun(gone, first, ["10.0.0.12"]);
    expect(nodeAt(reused, "10.0.0.12")).toBeUndefined();
    expect(nodeAt(reused, "10.0.0.14")).toEqual({ ...nodeAt(first, "10.0.0.12"), ip: "10.0.0.14" });
    expect(reused.diagnostics).toEqual([
      {
        level: "info",
        code: "overlay.released",
        subject: "node:10.0.0.12",
        message: "released VTEP 44.128.0.3, fd01:a::3 and dcos 9.0.2.0/24, dcos6 fd01:b:0:0:2::/80",
      },
    ]);
  });

  it("the release is an action: the allocations it returns carry no release list", () => {
    expect(rerun(gone, first, ["10.0.0.12"]).allocations).not.toHaveProperty("release");
  });

  it("never releases a node that is still in the snapshot", () => {
    const refused = rerun(spec, first, ["10.0.0.12"]);
    expect(refused.allocations).toEqual(first.allocations);
    expect(refused.diagnostics).toEqual([expect.objectContaining({ level: "warning", code: "overlay.release-refused", subject: "node:10.0.0.12" })]);
  });

  it("reports a release of an IP that holds nothing", () => {
    expect(rerun(spec, first, ["10.9.9.9"]).diagnostics).toEqual([expect.objectContaining({ code: "overlay.release-unknown", subject: "node:10.9.9.9" })]);
  });
});

describe("D. exhaustion", () => {
  it("the 5th node gets no 'small' overlay; its other overlays and the other nodes are served", () => {
    const overlay = { overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }, { name: "small", subnet: "192.168.0.0/22", prefix: 24 }] };
    const agents = [1, 2, 3, 4, 5].map((n): [string, string] => [`a${n}`, `10.0.0.${10 + n}`]);
    const state = overlayState(cluster({ agents, overlay }));
    expect(agents.slice(0, 4).map(([id]) => state.nodes[id]!.overlays.map((o) => o.subnet))).toEqual([
      ["9.0.0.0/24", "192.168.0.0/24"],
      ["9.0.1.0/24", "192.168.1.0/24"],
      ["9.0.2.0/24", "192.168.2.0/24"],
      ["9.0.3.0/24", "192.168.3.0/24"],
    ]);
    expect(state.nodes["a5"]!.overlays.map((o) => o.name)).toEqual(["dcos"]);
    expect(Object.keys(state.nodes["a5"]!.cni)).toEqual(["dcos"]);
    expect(state.diagnostics).toEqual([
      {
        level: "error",
        code: "overlay.subnet-exhausted",
        subject: "agent:a5",
        message: "no free /24 left in overlay 'small' (192.168.0.0/22); the node gets no 'small' overlay",
      },
    ]);
  });

  it("a /30 VTEP subnet serves two nodes; the third gets nothing and is named", () => {
    const agents = [1, 2, 3].map((n): [string, string] => [`a${n}`, `10.0.0.${10 + n}`]);
    const state = overlayState(cluster({ agents, overlay: { vtep_subnet: "44.128.0.0/30" } }));
    expect(state.allocations.nodes.map((n) => n.vtep.ip)).toEqual(["44.128.0.1", "44.128.0.2"]);
    expect(Object.keys(state.nodes)).toEqual(["a1", "a2"]);
    expect(state.diagnostics).toEqual([expect.objectContaining({ level: "error", code: "overlay.vtep-exhausted", subject: "agent:a3" })]);
  });

  it("a new overlay that gets its IPv4 slice but no IPv6 slice gives the IPv4 slice back", () => {
    const overlay = { overlays: [{ name: "dual", subnet: "192.168.0.0/22", prefix: 24, subnet6: "fd02::/64", prefix6: 65 }] };
    const agents = [1, 2, 3].map((n): [string, string] => [`a${n}`, `10.0.0.${10 + n}`]);
    const state = overlayState(cluster({ agents, overlay }));
    expect(state.allocations.nodes.map((n) => n.overlays)).toEqual([
      { dual: { subnet: "192.168.0.0/24", subnet6: "fd02::/65" } },
      { dual: { subnet: "192.168.1.0/24", subnet6: "fd02::8000:0:0:0/65" } },
      {},
    ]);
    expect(state.nodes["a3"]).toBeUndefined();
    expect(state.diagnostics).toEqual([
      expect.objectContaining({ code: "overlay.subnet-exhausted", subject: "agent:a3", message: expect.stringContaining("no free /65 left in overlay 'dual'") }),
    ]);
  });
});

describe("E. late IPv6 (overlay_tests checkIPv6Configuration)", () => {
  it("an agent registered with IPv4 only gets a VTEP IPv6 and the new IPv6 overlay's slice", () => {
    const agents: Array<[string, string]> = [["a1", "10.0.0.11"]];
    const v4only = { vtep_subnet6: null, overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] };
    const before = overlayState(cluster({ agents, overlay: v4only }));
    expect(nodeAt(before, "10.0.0.11")!.vtep).toEqual({ ip: "44.128.0.1", mac: "70:b3:d5:80:00:01" });
    const withV6 = { vtep_subnet6: "fd03::/64", overlays: [...v4only.overlays, { name: "v6only", subnet6: "fd04::/64", prefix6: 80 }] };
    const after = rerun({ agents, overlay: withV6 }, before);
    expect(nodeAt(after, "10.0.0.11")).toEqual({
      ip: "10.0.0.11",
      vtep: { ip: "44.128.0.1", ip6: "fd03::1", mac: "70:b3:d5:80:00:01" },
      overlays: { dcos: { subnet: "9.0.0.0/24" }, v6only: { subnet6: "fd04::/80" } },
    });
    expect(after.nodes["a1"]!.vtep.ip6).toBe("fd03::1/64");
    expect(after.diagnostics).toEqual([]);
  });
});

describe("F. the master module test-suite constants", () => {
  const overlay = {
    vtep_subnet: "44.128.0.0/16",
    vtep_subnet6: "fd03::/64",
    vtep_mtu: 9000,
    overlays: [{ name: "mz-overlay", subnet: "192.168.0.0/16", prefix: 24, subnet6: "fd02::/64", prefix6: 80 }],
  };
  const agents: Array<[string, string]> = [["a1", "10.0.0.11"]];
  const first = overlayState(cluster({ agents, overlay }));

  it("first agent: 192.168.0.0/24 and fd02::/80, CNI subnet 192.168.0.0/25, MTU 1420, no masquerade", () => {
    expect(nodeAt(first, "10.0.0.11")!.overlays).toEqual({ "mz-overlay": { subnet: "192.168.0.0/24", subnet6: "fd02::/80" } });
    const bridge = first.nodes["a1"]!.cni["mz-overlay"]!.plugins[0]!;
    expect(bridge).toMatchObject({ type: "bridge", mtu: 1420, ipMasq: false, ipam: { ranges: [[{ subnet: "192.168.0.0/25" }], [{ subnet: "fd02::/81" }]] } });
  });

  it("echoes vtep_mtu 9000 in the VTEP", () => {
    expect(first.nodes["a1"]!.vtep.mtu).toBe(9000);
  });

  it("an overlay added later reaches the existing agent: 11.0.0.0/24 and fd04::/80", () => {
    const added = { ...overlay, overlays: [...overlay.overlays, { name: "added", subnet: "11.0.0.0/8", prefix: 24, subnet6: "fd04::/64", prefix6: 80 }] };
    const after = rerun({ agents, overlay: added }, first);
    expect(nodeAt(after, "10.0.0.11")!.overlays).toEqual({
      added: { subnet: "11.0.0.0/24", subnet6: "fd04::/80" },
      "mz-overlay": { subnet: "192.168.0.0/24", subnet6: "fd02::/80" },
    });
  });
});
