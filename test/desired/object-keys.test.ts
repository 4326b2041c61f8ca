import { describe, expect, it } from "vitest";
import { idOfSegment, keyScope, keySegment, ObjectKeys } from "../../lib/desired/object-keys.ts";

describe("object keys", () => {
  it("write ids with % and / encoded, and read them back", () => {
    for (const id of ["web.1", "/prod/web", "100%", "a%2Fb", "master@10.0.0.1", ""]) expect(idOfSegment(keySegment(id))).toBe(id);
    expect(keySegment("/prod/web")).toBe("%2Fprod%2Fweb");
    expect(ObjectKeys.dnsRecords({ kind: "task", id: "a/b" }).split("/")).toEqual(["dns", "records", "task", "a%2Fb"]);
  });

  it("carry their scope: a node's own, the control plane's, or everyone's", () => {
    expect(keyScope(ObjectKeys.nodeOverlay("S1"))).toEqual({ scope: "node", node: "S1" });
    expect(keyScope(ObjectKeys.nodeOverlay("odd/id"))).toEqual({ scope: "node", node: "odd/id" });
    expect(keyScope(ObjectKeys.diagnostics("dns.mesos", "task:web.1"))).toEqual({ scope: "control" });
    expect(keyScope(ObjectKeys.namedVipAllocation("app.marathon"))).toEqual({ scope: "control" });
    expect(keyScope(ObjectKeys.overlayPeer("S1"))).toEqual({ scope: "cluster" });
    expect(keyScope(ObjectKeys.dnsZone("mesos"))).toEqual({ scope: "cluster" });
  });
});
