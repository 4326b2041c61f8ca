import { describe, expect, it } from "vitest";
import { renderOverlayFiles } from "../../lib/render/overlay.ts";
import { renderArtifacts } from "../../lib/render/artifacts.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { cluster } from "../functions/overlay/helpers.ts";

const desired = reconcile(cluster({ masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"]] }));

describe("overlay files", () => {
  it("writes each node's conflists, data plane and Docker networks under overlay/<node>/", () => {
    expect([...renderOverlayFiles(desired).keys()].sort()).toEqual([
      "overlay/a1/cni/dcos.conf",
      "overlay/a1/cni/dcos.conflist",
      "overlay/a1/cni/dcos6.conflist",
      "overlay/a1/dataplane.json",
      "overlay/a1/docker-networks.json",
      "overlay/a2/cni/dcos.conf",
      "overlay/a2/cni/dcos.conflist",
      "overlay/a2/cni/dcos6.conflist",
      "overlay/a2/dataplane.json",
      "overlay/a2/docker-networks.json",
      "overlay/master@10.0.0.1/dataplane.json",
    ]);
  });

  it("gives the same data plane for the cluster as for the node view", () => {
    const cluster = renderOverlayFiles(desired).get("overlay/a1/dataplane.json")!;
    const view = renderArtifacts(nodeView(desired, "a1"));
    expect(view.get("overlay/a1/dataplane.json")).toBe(cluster);
    expect([...view.keys()].filter((k) => k.startsWith("overlay/"))).toEqual([
      "overlay/a1/cni/dcos.conf",
      "overlay/a1/cni/dcos.conflist",
      "overlay/a1/cni/dcos6.conflist",
      "overlay/a1/dataplane.json",
      "overlay/a1/docker-networks.json",
    ]);
    const dataplane = JSON.parse(cluster);
    expect(dataplane.vtep).toEqual({ name: "vtep1024", vni: 1024, port: 64000, mac: "70:b3:d5:80:00:02", ip: "44.128.0.2/20", ip6: "fd01:a::2/64" });
    expect(dataplane.fdb).toEqual([
      { mac: "70:b3:d5:80:00:01", dst: "10.0.0.1" },
      { mac: "70:b3:d5:80:00:03", dst: "10.0.0.12" },
    ]);
  });

  it("writes DC/OS's dcos.conf byte for byte (spec §3.1)", () => {
    const a1 = reconcile(cluster({ masters: ["10.0.0.1"], agents: [["a1", "10.0.0.11"]] }));
    expect(renderOverlayFiles(a1).get("overlay/a1/cni/dcos.conf")).toBe(
      '{"name":"dcos","type":"mesos-cni-port-mapper","excludeDevices":["m-dcos"],"chain":"M-DCOS",' +
        '"delegate":{"type":"bridge","bridge":"m-dcos","isGateway":true,"ipMasq":false,"hairpinMode":true,' +
        '"mtu":1420,"ipam":{"type":"host-local","dataDir":"/var/run/dcos/cni/networks",' +
        '"subnet":"9.0.1.0/25","routes":[{"dst":"0.0.0.0/0"}]}}}',
    );
  });

  it("writes conflists as JSON a CNI runtime reads back to the same object", () => {
    const text = renderOverlayFiles(desired).get("overlay/a2/cni/dcos.conflist")!;
    expect(JSON.parse(text)).toEqual(desired.overlay.nodes["a2"]!.cni["dcos"]);
    expect(text.endsWith("}\n")).toBe(true);
  });
});
