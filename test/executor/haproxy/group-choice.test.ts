/**
 * The groups a node's HAProxy runs: those its view places on it, narrowed by
 * `--haproxy-groups`, less any two whose configs bind one port (both held).
 */
import { describe, expect, it } from "vitest";
import { clashMessage, groupChoice } from "../../../lib/executor/haproxy/group-choice.ts";
import type { DesiredState } from "../../../lib/desired/schema.ts";

const group = (...binds: string[]) => ({ config: `global\nfrontend f\n${binds.map((b) => `  bind ${b}\n`).join("")}` });
const GROUPS = { external: group("*:80", "*:9090"), internal: group("*:8080", "*:9190"), edge: group("10.0.0.1:80") };

function view(node: string | undefined, nodes: Record<string, string[]> | undefined): Pick<DesiredState, "node" | "haproxy"> {
  return {
    ...(node === undefined ? {} : { node }),
    haproxy: { groups: GROUPS, ...(nodes === undefined ? {} : { nodes: Object.fromEntries(Object.entries(nodes).map(([id, groups]) => [id, { groups }])) }) },
  };
}

describe("groupChoice", () => {
  it("runs the groups placed on the node", () => {
    expect(Object.keys(groupChoice(view("S1", { S1: ["internal"] }), undefined).run)).toEqual(["internal"]);
  });

  it("runs nothing on a node with no entry (not an agent)", () => {
    expect(groupChoice(view("M1", { S1: ["internal"] }), undefined).run).toEqual({});
  });

  it("runs every group of a whole state and of a state written before placement", () => {
    // edge and external bind :80 and are held: every group is chosen, two of them to be held.
    for (const desired of [view(undefined, { S1: ["internal"] }), view("S1", undefined)]) {
      const choice = groupChoice(desired, undefined);
      expect(Object.keys(choice.run)).toEqual(["internal"]);
      expect([...choice.held].sort()).toEqual(["edge", "external"]);
    }
  });

  it("narrows to --haproxy-groups, never adding a group not placed", () => {
    expect(Object.keys(groupChoice(view("S1", { S1: ["external", "internal"] }), ["internal", "edge"]).run)).toEqual(["internal"]);
  });

  it("holds two groups that bind one port, and runs the rest", () => {
    const choice = groupChoice(view("S1", { S1: ["edge", "external", "internal"] }), undefined);
    expect(Object.keys(choice.run)).toEqual(["internal"]);
    expect([...choice.held].sort()).toEqual(["edge", "external"]);
    expect(choice.clashes).toEqual([{ groups: ["edge", "external"], port: 80 }]);
    expect(clashMessage(choice.clashes[0]!)).toMatch(/^groups edge and external both bind port 80 on this node/);
  });

  it("holds nothing once --haproxy-groups leaves one of the two out", () => {
    const choice = groupChoice(view("S1", { S1: ["edge", "external"] }), ["external"]);
    expect(Object.keys(choice.run)).toEqual(["external"]);
    expect(choice.held.size).toBe(0);
  });
});
