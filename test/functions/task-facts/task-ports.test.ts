import { describe, expect, it } from "vitest";
import { taskPorts } from "../../../functions/task-facts/task-ports.ts";
import { latestStatus } from "../../../functions/task-facts/task-network.ts";
import { Task } from "../../../lib/snapshot/schema.ts";
import { operatorFixture } from "../../support/upstream-fixtures.ts";

function fixtureTask(fixture: string, id = "") {
  const task = operatorFixture(fixture).tasks.find((t) => t.id.startsWith(id) && t.state === "TASK_RUNNING");
  if (task === undefined) throw new Error(`no task ${id} in ${fixture}`);
  return task;
}

describe("taskPorts on the dcos-net fixtures (dcos_net_mesos_listener_tests)", () => {
  it("vip-labels: legacy labels merge into the discovery ports on the host network", () => {
    const task = fixtureTask("vip-labels");
    expect(taskPorts(task, latestStatus(task), true).ports).toEqual([
      { name: "foo", protocol: "tcp", port: 9999, vips: ["/abc:80", "/cbd:80", "def:80"] },
      { name: "bar", protocol: "tcp", port: 10000, vips: ["jkl:80"] },
      { name: "baz", protocol: "tcp", port: 10001, vips: ["/xyz:443"] },
      { name: "qux", protocol: "tcp", port: 10002, vips: [] },
    ]);
  });

  it("tcp-and-udp: one port per protocol, ordered by (protocol, port)", () => {
    const task = fixtureTask("tcp-and-udp");
    expect(taskPorts(task, latestStatus(task), true).ports).toEqual([
      { name: "http", protocol: "tcp", port: 6416, vips: ["/app:80"] },
      { name: "foobar", protocol: "tcp", port: 6417, vips: [] },
      { name: "http", protocol: "udp", port: 6416, vips: ["/app:80"] },
      { name: "foobar", protocol: "udp", port: 6417, vips: [] },
    ]);
  });

  it("unhealthy: network-scope=container keeps the container port", () => {
    const task = fixtureTask("unhealthy");
    expect(taskPorts(task, latestStatus(task), false).ports).toEqual([{ name: "http", protocol: "tcp", port: 80, vips: ["/foobar:80"] }]);
  });

  it("ucr-on-bridge: the port mapping merges with the host-scoped discovery port", () => {
    const task = fixtureTask("operator-api", "ucr-on-bridge");
    const result = taskPorts(task, latestStatus(task), false);
    expect(result.ports).toEqual([{ name: "http", protocol: "tcp", port: 8080, hostPort: 15263, vips: [] }]);
    expect(result.mappings).toEqual([{ protocol: "tcp", hostPort: 15263, containerPort: 8080 }]);
  });

  it("drops port number 0 (none-on-dcos)", () => {
    const task = fixtureTask("operator-api", "none-on-dcos");
    expect(taskPorts(task, latestStatus(task), false).ports).toEqual([]);
  });
});

describe("taskPorts with malformed labels", () => {
  const base = {
    id: "t1",
    name: "t",
    frameworkId: "F",
    agentId: "A",
    state: "TASK_RUNNING",
    ports: [{ begin: 31000, end: 31000 }],
  };

  it("reports a legacy label without protocol or beyond the task's ports, and keeps the rest", () => {
    const task = Task.parse({
      ...base,
      labels: [
        { key: "VIP_PORT0", value: "1.2.3.4:80" },
        { key: "VIP_PORT5", value: "tcp://x:80" },
        { key: "VIP_PORT0", value: "udp:///ok:53" },
      ],
    });
    const result = taskPorts(task, undefined, false);
    expect(result.ports).toEqual([{ protocol: "udp", hostPort: 31000, vips: ["/ok:53"] }]);
    expect(result.diagnostics.map((d) => [d.code, d.subject])).toEqual([
      ["l4lb.invalid-legacy-label", "task:t1"],
      ["l4lb.legacy-port-index", "task:t1"],
    ]);
  });

  it("reports VIP labels on a port of another protocol", () => {
    const task = Task.parse({
      ...base,
      discovery: { ports: [{ number: 5000, protocol: "sctp", labels: [{ key: "VIP_0", value: "/s:5000" }] }, { number: 5001, protocol: "TCP", labels: [] }] },
    });
    const result = taskPorts(task, undefined, false);
    expect(result.ports).toEqual([{ name: "default", protocol: "tcp", port: 5001, vips: [] }]);
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: "l4lb.unsupported-protocol", subject: "task:t1" })]);
  });

  it("does not expand a hostile port range", () => {
    const task = Task.parse({ ...base, ports: [{ begin: -2_000_000_000, end: 2_000_000_000 }], labels: [{ key: "VIP_PORT1", value: "tcp://x:1" }] });
    expect(taskPorts(task, undefined, false).ports).toEqual([{ protocol: "tcp", hostPort: 1, vips: ["x:1"] }]);
  });
});
