import { describe, expect, it } from "vitest";
import { inputIssues } from "../../lib/snapshot/issues.ts";
import { applySnapshotChange, SnapshotChange, unknownIds } from "../../lib/snapshot/snapshot-change.ts";
import { SNAPSHOT } from "../http/helpers.ts";

const task = (id: string, agentId = "S1") => ({ id, name: "web", frameworkId: "F1", agentId, state: "TASK_RUNNING" });

describe("SnapshotChange", () => {
  it("takes the PATCH body's lists, each optional", () => {
    const change = SnapshotChange.parse({ baseGeneration: 41, upsert: { tasks: [task("web.2")] }, delete: { agents: ["S2"] } });
    expect(change.upsert.tasks.map((t) => t.id)).toEqual(["web.2"]);
    expect(change.upsert.apps).toEqual([]);
    expect(change.delete).toEqual({ tasks: [], apps: [], agents: ["S2"], frameworks: [] });
    expect(SnapshotChange.parse({})).toEqual({ upsert: { tasks: [], apps: [], agents: [], frameworks: [] }, delete: { tasks: [], apps: [], agents: [], frameworks: [] } });
  });

  it("refuses a malformed object, an id upserted twice or both upserted and deleted, and unknown fields, naming where", () => {
    const issues = (input: unknown) => {
      const result = SnapshotChange.safeParse(input);
      return result.success ? [] : inputIssues(result.error);
    };
    expect(issues({ upsert: { tasks: [{ id: "t" }] } }).map((i) => i.path)).toEqual(expect.arrayContaining(["upsert.tasks[0].name", "upsert.tasks[0].agentId"]));
    expect(issues({ upsert: { tasks: [task("a"), task("a")] } })).toEqual([{ path: "upsert.tasks[1].id", message: "'a' is upserted twice (also at upsert.tasks[0])" }]);
    expect(issues({ upsert: { agents: [{ id: "S1", hostname: "h" }] }, delete: { agents: ["S1"] } })).toEqual([
      { path: "delete.agents[0]", message: "'S1' is both upserted (upsert.agents[0]) and deleted" },
    ]);
    expect(issues({ delete: { apps: ["/a", "/a"] } })).toEqual([{ path: "delete.apps[1]", message: "'/a' is deleted twice" }]);
    expect(issues({ delete: { pods: ["x"] } }).map((i) => i.path)).toEqual(["delete"]);
    expect(issues({ now: "yesterday" }).map((i) => i.path)).toEqual(["now"]);
  });
});

describe("applySnapshotChange", () => {
  it("replaces an upserted id where it is, appends a new one, removes a deleted one, and takes the change's time", () => {
    const base = { ...SNAPSHOT, tasks: [...SNAPSHOT.tasks, { ...SNAPSHOT.tasks[0]!, id: "web.9" }] };
    const change = SnapshotChange.parse({
      now: "2026-01-01T00:05:00Z",
      upsert: { tasks: [task("web.3"), task("web.1", "S2")] },
      delete: { tasks: ["web.9"], agents: ["S2"] },
    });
    const next = applySnapshotChange(base, change);
    expect(next.tasks.map((t) => `${t.id}@${t.agentId}`)).toEqual(["web.1@S2", "web.3@S1"]);
    expect(next.agents.map((a) => a.id)).toEqual(["S1"]);
    expect(next.now).toBe("2026-01-01T00:05:00Z");
    expect(next.previous).toBe(base.previous);
    expect(base.tasks.map((t) => t.id)).toEqual(["web.1", "web.9"]);
  });

  it("keeps the time without one, sets the allocations given, and ignores an unknown delete (the store refuses it first)", () => {
    const previous = { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.0.0.1" }] } };
    const next = applySnapshotChange(SNAPSHOT, SnapshotChange.parse({ delete: { tasks: ["gone.1"] } }), previous);
    expect(next.now).toBe(SNAPSHOT.now);
    expect(next.previous).toBe(previous);
    expect(next.tasks).toEqual(SNAPSHOT.tasks);
  });
});

describe("unknownIds", () => {
  it("names each deleted id the snapshot does not hold, by its path", () => {
    const change = SnapshotChange.parse({ delete: { tasks: ["web.1", "gone.1"], frameworks: ["F9"] } });
    expect(unknownIds(SNAPSHOT, change)).toEqual([
      { path: ["delete", "tasks", 1], id: "gone.1" },
      { path: ["delete", "frameworks", 0], id: "F9" },
    ]);
  });
});
