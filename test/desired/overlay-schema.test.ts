/**
 * A DesiredState read from a file or fetched over HTTP is validated before any applier sees
 * it: the overlay part names files, devices and batch lines, so its names and addresses are
 * checked at the edge.
 */
import { describe, expect, it } from "vitest";
import { DesiredState } from "../../lib/desired/schema.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { cluster } from "../functions/overlay/helpers.ts";

const view = nodeView(reconcile(cluster({ agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"]] })), "a1");
const a1 = view.overlay.nodes["a1"]!;

function issuesOf(node: unknown): string[] {
  const result = DesiredState.safeParse({ ...view, overlay: { ...view.overlay, nodes: { a1: node } } });
  return result.success ? [] : result.error.issues.map((i) => i.path.join("."));
}

describe("the overlay part of a DesiredState", () => {
  it("accepts what the reconciler produced, through JSON", () => {
    expect(DesiredState.parse(JSON.parse(JSON.stringify(view)))).toEqual(view);
  });

  it.each([
    [{ ...a1, cniDir: "relative/dir" }, "overlay.nodes.a1.cniDir"],
    [{ ...a1, cni: { "../etc": a1.cni["dcos"] } }, "overlay.nodes.a1.cni.../etc"],
    [{ ...a1, vtep: { ...a1.vtep, mac: "70:B3:D5:80:00:01" } }, "overlay.nodes.a1.vtep.mac"],
    [{ ...a1, vtep: { ...a1.vtep, ip: "44.128.0.1" } }, "overlay.nodes.a1.vtep.ip"],
    [{ ...a1, dataplane: { ...a1.dataplane!, fdb: [{ mac: "70:b3:d5:80:00:02", dst: "10.0.0.12 master" }] } }, "overlay.nodes.a1.dataplane.fdb.0.dst"],
    [{ ...a1, overlays: [{ ...a1.overlays[0]!, subnet: "9.0.0.1/24" }] }, "overlay.nodes.a1.overlays.0.subnet"],
    [{ ...a1, dataplane: { ...a1.dataplane!, routes: [{ dst: "9.0.1.0/24 dev eth0", via: "44.128.0.2", table: 254 }] } }, "overlay.nodes.a1.dataplane.routes.0.dst"],
    [{ ...a1, dataplane: { ...a1.dataplane!, neighbours: [{ ip: "peer", mac: "70:b3:d5:80:00:02" }] } }, "overlay.nodes.a1.dataplane.neighbours.0.ip"],
    [{ ...a1, masquerade: ["0.0.0.0/0; flush ruleset"] }, "overlay.nodes.a1.masquerade.0"],
    [{ ...a1, extra: true }, "overlay.nodes.a1"],
  ])("rejects a malformed node entry (%#) at %s", (node, path) => {
    expect(issuesOf(node)).toContain(path);
  });
});
