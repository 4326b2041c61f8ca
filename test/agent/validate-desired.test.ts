import { describe, expect, it } from "vitest";
import { validateDesired, InvalidDesiredError } from "../../lib/agent/validate-desired.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { canonicalJson } from "../../lib/net/canonical-json.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const view = JSON.parse(canonicalJson(nodeView(reconcile(SNAPSHOT), "S1"))) as Record<string, unknown>;

describe("validateDesired", () => {
  it("accepts a node view as the server sends it", () => {
    expect(validateDesired(view, "S1", "src").hash).toBe(view.hash);
  });

  it("rejects a state with a field it would drop, naming the field", () => {
    expect(() => validateDesired({ ...view, futureSection: {} }, "S1", "src")).toThrow("src: 'futureSection' is not a field this agent knows");
    const dns = view.dns as Record<string, unknown>;
    expect(() => validateDesired({ ...view, dns: { ...dns, extra: 1 } }, "S1", "src")).toThrow(InvalidDesiredError);
    expect(() => validateDesired({ ...view, dns: { ...dns, extra: 1 } }, "S1", "src")).toThrow("'dns.extra'");
  });

  it("rejects another node's view and a document that is no DesiredState, naming the path", () => {
    expect(() => validateDesired(view, "S2", "src")).toThrow("src: this is the view of node 'S1', not of 'S2'");
    expect(() => validateDesired({ ...view, dns: { zones: "none" } }, "S1", "src")).toThrow(/src: not a valid DesiredState: dns\.zones:/);
    expect(() => validateDesired(null, "S1", "src")).toThrow(/\(document\)/);
  });
});
