/**
 * Migrating from DC/OS: the overlay master's state (`GET /overlay-master/state`, protobuf
 * field names, DC/OS's IPv6 text) as previous allocations, for worked example A.
 */
import { describe, expect, it } from "vitest";
import { allocationsFromDcosOverlayState } from "../../../lib/snapshot/adapters/dcos-overlay-state.ts";
import { previousFromDocument } from "../../../lib/snapshot/previous.ts";
import { InputError } from "../../../lib/snapshot/issues.ts";
import { overlayState } from "../../../functions/overlay/index.ts";
import { cluster, nodeAt } from "../../functions/overlay/helpers.ts";

const network = {
  vtep_subnet: "44.128.0.0/20",
  vtep_subnet6: "fd01:a::/64",
  vtep_mac_oui: "70:B3:D5:00:00:00",
  overlays: [
    { name: "dcos", subnet: "9.0.0.0/8", prefix: 24 },
    { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80 },
  ],
};

function agent(ip: string, n: number, bridges: boolean) {
  const backend = { vxlan: { vni: 1024, vtep_name: "vtep1024", vtep_ip: `44.128.0.${n}/20`, vtep_mac: `70:B3:D5:80:00:0${n}`, vtep_ip6: `fd01:a::${n}/64` } };
  const slice = n - 1;
  return {
    ip,
    overlays: [
      {
        info: network.overlays[0],
        subnet: `9.0.${slice}.0/24`,
        ...(bridges && { mesos_bridge: { name: "m-dcos", ip: `9.0.${slice}.0/25` }, docker_bridge: { name: "d-dcos", ip: `9.0.${slice}.128/25` } }),
        backend,
        state: { status: "STATUS_OK" },
      },
      { info: network.overlays[1], subnet6: slice === 0 ? "fd01:b::/80" : `fd01:b::${slice}:0:0:0/80`, backend, state: { status: "STATUS_OK" } },
    ],
  };
}

const STATE = { network, agents: [agent("10.0.0.1", 1, false), agent("10.0.0.11", 2, true), agent("10.0.0.12", 3, true), agent("10.0.0.13", 4, true)] };

describe("DC/OS overlay master state as previous allocations", () => {
  it("reads every agent's VTEP and slices, in canonical text", () => {
    const allocations = allocationsFromDcosOverlayState(STATE, "state.json");
    expect(allocations.vtep).toEqual({ subnet: "44.128.0.0/20", subnet6: "fd01:a::/64" });
    expect(allocations.overlays).toEqual({ dcos: { subnet: "9.0.0.0/8", prefix: 24 }, dcos6: { subnet6: "fd01:b::/64", prefix6: 80 } });
    expect(allocations.nodes![1]).toEqual({
      ip: "10.0.0.11",
      vtep: { ip: "44.128.0.2", ip6: "fd01:a::2", mac: "70:b3:d5:80:00:02" },
      overlays: { dcos: { subnet: "9.0.1.0/24" }, dcos6: { subnet6: "fd01:b:0:0:1::/80" } },
    });
  });

  it("keeps every address when wayfinder takes over, even for agents registered in another order", () => {
    const previous = previousFromDocument(STATE, "state.json");
    // New agent a4 and the masters listed first: without the import, a1 would move.
    const state = overlayState(cluster({ masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"], ["a3", "10.0.0.13"], ["a4", "10.0.0.9"]], previous: previous.overlay }));
    for (const node of allocationsFromDcosOverlayState(STATE, "state.json").nodes!) expect(nodeAt(state, node.ip)).toEqual(node);
    expect(nodeAt(state, "10.0.0.9")).toMatchObject({ vtep: { ip: "44.128.0.5" }, overlays: { dcos: { subnet: "9.0.4.0/24" } } });
    expect(state.diagnostics).toEqual([]);
  });

  it("names the agent whose record does not parse", () => {
    const broken = { network, agents: [agent("10.0.0.1", 1, false), { ...agent("10.0.0.11", 2, true), ip: "agent-1" }] };
    try {
      allocationsFromDcosOverlayState(broken, "state.json");
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).issues).toEqual([{ path: "agents[1]", message: expect.stringMatching(/^agent-1: ip: /) }]);
    }
    expect(() => allocationsFromDcosOverlayState({ network: {}, agents: [] }, "state.json")).toThrow(/network\.vtep_subnet/);
  });
});
