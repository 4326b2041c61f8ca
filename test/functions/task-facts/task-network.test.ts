import { describe, expect, it } from "vitest";
import { usesAgentAddress } from "../../../functions/task-facts/task-network.ts";
import { Task } from "../../../lib/snapshot/schema.ts";

describe("usesAgentAddress", () => {
  const base = { id: "t", name: "t", frameworkId: "F", agentId: "A", state: "TASK_RUNNING", statuses: [{ state: "TASK_RUNNING", timestamp: 1 }] };
  const task = (extra: object) => Task.parse({ ...base, ...extra });
  const scoped = (scope: string) => ({ discovery: { ports: [{ number: 80, labels: [{ key: "network-scope", value: scope }] }] } });

  it.each([
    ["a command task (no container)", {}, true],
    ["a Mesos container asking for no network", { container: { type: "MESOS" } }, true],
    ["a Docker container on the host network", { container: { type: "DOCKER", dockerNetwork: "HOST" } }, true],
    ["a Docker container with Mesos's default network (HOST)", { container: { type: "DOCKER" } }, true],
    ["a Docker container on the bridge", { container: { type: "DOCKER", dockerNetwork: "BRIDGE" } }, false],
    ["a Docker container on a user network", { container: { type: "DOCKER", dockerNetwork: "USER" } }, false],
    ["a Mesos container on a CNI network", { container: { type: "MESOS", networkInfos: [{ name: "dcos" }] } }, false],
    ["a pod task whose ports are container-scoped", { container: { type: "MESOS" }, ...scoped("container") }, false],
    ["a task whose ports are mapped from a bridge", scoped("host"), false],
    ["a task that reports network infos", { statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: [] }] }] }, false],
    ["an unknown container type", { container: { type: "APPC" } }, false],
  ])("%s: %s", (_, extra, expected) => {
    expect(usesAgentAddress(task(extra))).toBe(expected);
  });
});
