/**
 * The TCP listeners of HAProxy configs and where two groups' listeners meet (the overlap check
 * the control plane keeps per change and the agent runs on the configs it would start).
 */
import { describe, expect, it } from "vitest";
import { clashingGroups, configListeners, GroupListeners } from "../../../lib/render/haproxy/listeners.ts";

describe("configListeners", () => {
  it("reads every address of a bind line, every port of a range, and leaves sockets out", () => {
    const config = ["frontend f", "  bind *:80,10.0.0.1:8000-8002 ssl crt /x.pem", "  bind [::1]:443", "  bind ipv4@127.0.0.1:9090", "  bind abns@x", "  bind unix@/run/x.sock", "  bind /run/y.sock", ""].join("\n");
    expect(configListeners(config)).toEqual([
      { address: "*", port: 80 },
      { address: "10.0.0.1", port: 8000 },
      { address: "10.0.0.1", port: 8001 },
      { address: "10.0.0.1", port: 8002 },
      { address: "::1", port: 443 },
      { address: "127.0.0.1", port: 9090 },
    ]);
  });

  it("takes a bare :port as every address and drops ports out of range", () => {
    expect(configListeners("  bind :81\n  bind *:0\n  bind *:70000\n  bind *:9-8\n")).toEqual([{ address: "*", port: 81 }]);
  });
});

describe("GroupListeners", () => {
  it("finds a port two groups share on one address or under a wildcard, not on two addresses", () => {
    const table = new GroupListeners();
    table.add("a", { address: "10.0.0.1", port: 80 });
    table.add("b", { address: "10.0.0.2", port: 80 });
    expect(table.lowestSharedPort("a", "b")).toBeUndefined();
    table.add("c", { address: "0.0.0.0", port: 80 });
    expect(table.lowestSharedPort("a", "c")).toBe(80);
    expect(table.lowestSharedPort("c", "b")).toBe(80);
    expect(table.clashes()).toEqual([
      { groups: ["a", "c"], port: 80 },
      { groups: ["b", "c"], port: 80 },
    ]);
  });

  it("follows removals: a port is shared until the last listener of one side goes, and the pair is reported touched", () => {
    const table = new GroupListeners();
    table.add("a", { address: "*", port: 10000 });
    table.add("a", { address: "*", port: 10000 });
    table.add("b", { address: "*", port: 10000 });
    table.add("b", { address: "*", port: 9000 });
    table.add("a", { address: "*", port: 9000 });
    expect(table.takeTouchedPairs()).toEqual([["a", "b"]]);
    expect(table.lowestSharedPort("b", "a")).toBe(9000);
    table.remove("a", { address: "*", port: 9000 });
    expect(table.lowestSharedPort("a", "b")).toBe(10000);
    table.remove("a", { address: "*", port: 10000 });
    expect(table.lowestSharedPort("a", "b")).toBe(10000);
    table.remove("a", { address: "*", port: 10000 });
    expect(table.lowestSharedPort("a", "b")).toBeUndefined();
    expect(table.takeTouchedPairs()).toEqual([["a", "b"]]);
    expect(table.takeTouchedPairs()).toEqual([]);
  });

  it("ignores removing what was never added", () => {
    const table = new GroupListeners();
    table.remove("a", { address: "*", port: 1 });
    expect(table.clashes()).toEqual([]);
  });
});

describe("clashingGroups", () => {
  it("names each two groups of a node's configs with the lowest port they share", () => {
    const listeners = new Map([
      ["external", configListeners("  bind *:80\n  bind *:9090\n")],
      ["internal", configListeners("  bind 10.0.0.1:9090\n  bind 10.0.0.1:80\n")],
      ["other", configListeners("  bind *:8080\n")],
    ]);
    expect(clashingGroups(listeners)).toEqual([{ groups: ["external", "internal"], port: 80 }]);
  });
});
