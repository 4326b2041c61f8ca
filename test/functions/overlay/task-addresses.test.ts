import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { overlayState } from "../../../functions/overlay/index.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { cluster } from "./helpers.ts";

const demo = ClusterSnapshot.parse(JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8")));

function withTask(ip: string, state = "TASK_RUNNING", agentId = "a2") {
  const base = cluster({ agents: [["a1", "10.0.0.11"], ["a2", "10.0.0.12"]] });
  return ClusterSnapshot.parse({
    ...base,
    tasks: [{ id: "t1", name: "t", frameworkId: "f", agentId, state, statuses: [{ state, timestamp: 1, networkInfos: [{ ipAddresses: [ip] }] }, { state: "TASK_STAGING", timestamp: 0 }] }],
  });
}

describe("running tasks' overlay addresses against their agents' slices", () => {
  it("finds nothing wrong in the demo cluster, whose allocations match its tasks", () => {
    expect(overlayState(demo).diagnostics.filter((d) => d.code === "overlay.task-outside-slice")).toEqual([]);
  });

  it("reports every overlay task of the demo when its allocation history is lost", () => {
    const lost = ClusterSnapshot.parse({ ...demo, previous: {} });
    expect(overlayState(lost).diagnostics.filter((d) => d.code === "overlay.task-outside-slice").map((d) => d.message.split(",")[0])).toEqual([
      "its address 9.0.2.2 is in overlay 'dcos' (9.0.0.0/8)",
      "its address fd01:b::3:8000:0:2 is in overlay 'dcos6' (fd01:b::/64)",
      "its address 9.0.1.2 is in overlay 'dcos' (9.0.0.0/8)",
    ]);
  });

  it("names the task, the address and what the agent holds instead", () => {
    expect(overlayState(withTask("9.0.0.7")).diagnostics).toEqual([
      {
        level: "warning",
        code: "overlay.task-outside-slice",
        subject: "task:t1",
        message: expect.stringMatching(/^its address 9\.0\.0\.7 is in overlay 'dcos' \(9\.0\.0\.0\/8\), but its agent a2 holds 9\.0\.1\.0\/24: /),
      },
    ]);
    expect(overlayState(withTask("9.0.0.7", "TASK_RUNNING", "gone")).diagnostics[0]!.message).toContain("holds no slice of it");
  });

  it.each([
    ["an address inside the slice", "9.0.1.130", "TASK_RUNNING"],
    ["an address outside every overlay", "172.17.0.2", "TASK_RUNNING"],
    ["a finished task", "9.0.0.7", "TASK_FINISHED"],
  ])("says nothing about %s", (_what, ip, state) => {
    expect(overlayState(withTask(ip, state)).diagnostics).toEqual([]);
  });
});
