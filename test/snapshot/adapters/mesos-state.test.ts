import { describe, expect, it } from "vitest";
import { snapshotFromMesosState } from "../../../lib/snapshot/adapters/mesos-state.ts";
import { InputError } from "../../../lib/snapshot/issues.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { fakeState, resolveLocalhost } from "../../functions/dns-zones/mesos-fixture.ts";

const MARATHON_ID = "20140703-014514-3041283216-5050-5348-0000";
const CHRONOS_ID = "20140703-014514-3041283216-5050-5348-0001";

/** A minimal document in the shape Mesos writes, for cases fake.json lacks. */
function doc(extra: { slaves?: unknown[]; tasks?: unknown[]; framework?: Record<string, unknown>; leader?: string } = {}) {
  return {
    ...(extra.leader === undefined ? {} : { leader: extra.leader }),
    slaves: extra.slaves ?? [{ id: "a-S0", hostname: "10.0.0.1", pid: "slave(1)@10.0.0.1:5051" }],
    frameworks: [{ id: "fw", name: "marathon", pid: "scheduler(1)@10.0.0.9:15101", tasks: extra.tasks ?? [], ...extra.framework }],
  };
}

const runningTask = (extra: Record<string, unknown> = {}) => ({ id: "t1", name: "web", slave_id: "a-S0", state: "TASK_RUNNING", ...extra });

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

describe("snapshotFromMesosState on fake.json", () => {
  const part = snapshotFromMesosState(fakeState(), { resolveHost: resolveLocalhost });

  it("takes the leader and defaults the masters to it", () => {
    expect(part.leader).toBe("master@1.2.3.4:5050");
    expect(part.masters).toEqual(["1.2.3.4:5050"]);
  });

  it("takes agent IPs from the PID host, IPv6 included", () => {
    expect(part.agents.map((a) => [a.id, a.ips, a.pid, a.public])).toEqual([
      ["20140916-194712-631065744-5050-4798-2", ["1.2.3.10"], "slave(1)@1.2.3.10:5051", false],
      ["20140803-125133-3041283216-5050-2410-0", ["1.2.3.11"], "slave(1)@1.2.3.11:5051", false],
      ["20140827-000744-3041283216-5050-2116-1", ["1.2.3.12"], "slave(1)@1.2.3.12:5051", false],
      ["20140803-194712-3041283216-5050-2116-3", ["2001:db8::1"], "slave(1)@[2001:db8::1]:5051", false],
    ]);
    expect(part.agents[0]!.attributes).toEqual({ host: "dev-123-1d.c.mesos.internal" });
  });

  it("takes framework IPs from the PID host, and from the hostname when there is no PID", () => {
    expect(part.frameworks.map((f) => [f.name, f.ips, f.pid ?? null])).toEqual([
      ["ipv6-framework", ["2001:db8::1"], "scheduler(1)@[2001:db8::1]:25501"],
      ["chronos with a space AND MIXED CASE-2.0.1", ["1.2.3.12"], "scheduler(2)@1.2.3.12:25501"],
      ["no pid", ["127.0.0.1"], null],
      ["marathon", ["1.2.3.11"], "scheduler(1)@1.2.3.11:25501"],
    ]);
  });

  it("resolves nothing by default (pure)", () => {
    const bare = snapshotFromMesosState(fakeState());
    expect(bare.frameworks.find((f) => f.name === "no pid")!.ips).toEqual([]);
  });

  it("lists the running and killed tasks of every framework, not completed ones", () => {
    expect(part.tasks.map((t) => `${t.name} ${t.state}`)).toEqual([
      "toy-store TASK_RUNNING",
      "some-box TASK_RUNNING",
      "poseidon.bc4e3796-2d7a-11e4-b8df-d43d7edb01cd TASK_KILLED",
      "liquor.store TASK_RUNNING",
      "big.dog2 TASK_RUNNING",
      "non-human-readable-liquor-store TASK_RUNNING",
      "car.store TASK_RUNNING",
      "chronos TASK_RUNNING",
      "nginx TASK_RUNNING",
      "reviewbot TASK_RUNNING",
    ]);
  });

  it("assigns a task to the framework that lists it, not to its framework_id field", () => {
    // fake.json's some-box says framework_id "...-5348-000", which names no framework.
    expect(part.tasks.find((t) => t.name === "some-box")!.frameworkId).toBe(CHRONOS_ID);
    expect(part.tasks.find((t) => t.name === "nginx")!.frameworkId).toBe(MARATHON_ID);
  });

  it("maps ports, discovery, statuses and labels", () => {
    const liquor = part.tasks.find((t) => t.name === "liquor.store")!;
    expect(liquor.ports).toEqual([
      { begin: 31354, end: 31354 },
      { begin: 31355, end: 31355 },
    ]);
    expect(liquor.discovery).toEqual({
      name: "liquor.store",
      ports: [
        { number: 80, protocol: "tcp", name: "http", labels: [] },
        { number: 443, protocol: "tcp", name: "https", labels: [] },
      ],
    });
    expect(liquor.statuses.map((s) => [s.state, s.timestamp, s.labels.find((l) => l.key === "Docker.NetworkSettings.IPAddress")?.value ?? null])).toEqual([
      ["TASK_RUNNING", 1413572371.04321, "10.3.0.4"],
      ["TASK_RUNNING", 1413572390.09275, "10.3.0.1"],
      ["TASK_RUNNING", 1413572381.0123, null],
      ["TASK_STARTING", 1413572380.01234, null],
    ]);
    expect(part.tasks.find((t) => t.name === "nginx")!.ports).toEqual([]);
  });

  it("maps network_infos of the container status", () => {
    const toy = part.tasks.find((t) => t.name === "toy-store")!;
    expect(toy.statuses[0]!.networkInfos).toEqual([
      { name: "dcos6", ipAddresses: ["12.0.1.3"], portMappings: [] },
      { name: "dcos6", ipAddresses: ["12.0.1.2", "fd01:b::1:8000:2"], portMappings: [] },
    ]);
  });

  it("gives what the snapshot schema accepts, unchanged", () => {
    const snapshot = ClusterSnapshot.parse({ cluster: { name: "fake" }, now: "2024-05-01T12:00:00Z", ...part });
    expect({ leader: snapshot.leader, masters: snapshot.masters, agents: snapshot.agents, frameworks: snapshot.frameworks, tasks: snapshot.tasks }).toEqual(part);
  });

  it("does not touch its input", () => {
    const state = fakeState();
    const before = JSON.stringify(state);
    snapshotFromMesosState(state, { resolveHost: resolveLocalhost });
    expect(JSON.stringify(state)).toBe(before);
  });
});

describe("snapshotFromMesosState options and fields fake.json lacks", () => {
  it("takes the masters option as given", () => {
    const part = snapshotFromMesosState(doc({ leader: "master@10.0.0.2:5050" }), { masters: ["10.0.0.1:5050", "10.0.0.2:5050"] });
    expect(part.masters).toEqual(["10.0.0.1:5050", "10.0.0.2:5050"]);
  });

  it("brackets an IPv6 leader in the default masters, and has none without a leader", () => {
    expect(snapshotFromMesosState(doc({ leader: "master@[2001:DB8::1]:5050" })).masters).toEqual(["[2001:db8::1]:5050"]);
    const leaderless = snapshotFromMesosState(doc());
    expect([leaderless.leader, leaderless.masters]).toEqual(["", []]);
  });

  it("resolves hostname PIDs through the resolver, keeping only IP answers, once each", () => {
    const slaves = [
      { id: "a-S0", hostname: "agent-0", pid: "slave(1)@agent-0.example:5051" },
      { id: "a-S1", hostname: "agent-1.example" },
    ];
    const resolveHost = (name: string) => (name === "agent-0.example" ? ["10.0.0.1", "garbage", "10.0.0.1", "2001:DB8::2"] : name === "agent-1.example" ? ["10.0.0.2"] : []);
    const part = snapshotFromMesosState(doc({ slaves }), { resolveHost });
    expect(part.agents.map((a) => a.ips)).toEqual([["10.0.0.1", "2001:db8::2"], ["10.0.0.2"]]);
  });

  it("marks public agents by slave_public reservations or a public_ip attribute", () => {
    const slaves = [
      { id: "a-S0", hostname: "h0", pid: "slave(1)@10.0.0.1:5051", reserved_resources: { slave_public: { cpus: 4 } } },
      { id: "a-S1", hostname: "h1", pid: "slave(1)@10.0.0.2:5051", attributes: { public_ip: "true", rack: 3, ports: { ranges: [] } } },
      { id: "a-S2", hostname: "h2", pid: "slave(1)@10.0.0.3:5051", reserved_resources: { "*": {} }, attributes: { public_ip: "false" } },
    ];
    const part = snapshotFromMesosState(doc({ slaves }));
    expect(part.agents.map((a) => a.public)).toEqual([true, true, false]);
    expect(part.agents[1]!.attributes).toEqual({ public_ip: "true", rack: "3" });
  });

  it("uses the legacy ip_address only when ip_addresses is empty", () => {
    const statuses = [
      {
        state: "TASK_RUNNING",
        timestamp: 1,
        container_status: { network_infos: [{ ip_address: "10.1.0.1" }, { ip_addresses: [{ ip_address: "10.2.0.1" }], ip_address: "10.2.0.9" }] },
      },
    ];
    const part = snapshotFromMesosState(doc({ tasks: [runningTask({ statuses })] }));
    expect(part.tasks[0]!.statuses[0]!.networkInfos.map((n) => n.ipAddresses)).toEqual([["10.1.0.1"], ["10.2.0.1"]]);
  });

  it("maps the container, health and labels", () => {
    const task = runningTask({
      labels: [{ key: "HAPROXY_GROUP", value: "external" }, { key: "flag" }],
      health_check: { type: "HTTP" },
      statuses: [{ state: "TASK_RUNNING", timestamp: 1, healthy: false }],
      container: {
        type: "DOCKER",
        docker: { image: "nginx", network: "BRIDGE", port_mappings: [{ host_port: 31000, container_port: 80, protocol: "tcp" }] },
        network_infos: [{ name: "dcos", port_mappings: [{ host_port: 31001, container_port: 8080 }] }],
      },
    });
    const t = snapshotFromMesosState(doc({ tasks: [task] })).tasks[0]!;
    expect(t.labels).toEqual([
      { key: "HAPROXY_GROUP", value: "external" },
      { key: "flag", value: "" },
    ]);
    expect(t.hasHealthCheck).toBe(true);
    expect(t.statuses[0]!.healthy).toBe(false);
    expect(t.container).toEqual({
      type: "DOCKER",
      dockerNetwork: "BRIDGE",
      portMappings: [{ hostPort: 31000, containerPort: 80, protocol: "tcp" }],
      networkInfos: [{ name: "dcos", ipAddresses: [], portMappings: [{ hostPort: 31001, containerPort: 8080, protocol: "tcp" }] }],
    });
  });

  it("keeps an agent PID it cannot parse and falls back to the hostname for the address", () => {
    const slaves = [{ id: "a-S0", hostname: "10.0.0.7", pid: "slave(1)" }];
    const part = snapshotFromMesosState(doc({ slaves }));
    expect(part.agents[0]).toMatchObject({ pid: "slave(1)", ips: ["10.0.0.7"] });
  });
});

describe("snapshotFromMesosState on malformed documents", () => {
  it("names the path of unparsable ports text", () => {
    const state = fakeState();
    const frameworks = state["frameworks"] as Array<{ tasks: Array<{ resources: { ports: string } }> }>;
    frameworks[3]!.tasks[2]!.resources.ports = "31354-31355";
    const error = inputError(() => snapshotFromMesosState(state, { source: "state.json" }));
    expect(error.issues).toEqual([{ path: "frameworks[3].tasks[2].resources.ports", message: expect.stringContaining("31354-31355") }]);
    expect(error.source).toBe("state.json");
    expect(error.message).toContain("state.json: frameworks[3].tasks[2].resources.ports");
  });

  it("requires slaves", () => {
    const state = fakeState();
    delete state["slaves"];
    const error = inputError(() => snapshotFromMesosState(state));
    expect(error.issues.map((i) => i.path)).toEqual(["slaves"]);
    expect(error.source).toBe("/master/state");
  });

  it("requires a task id", () => {
    const task = runningTask();
    delete (task as { id?: string }).id;
    const error = inputError(() => snapshotFromMesosState(doc({ tasks: [task] })));
    expect(error.issues.map((i) => i.path)).toEqual(["frameworks[0].tasks[0].id"]);
  });

  it("names every field of the wrong type", () => {
    const state = fakeState();
    const frameworks = state["frameworks"] as Array<{ tasks: Array<{ statuses: Array<{ timestamp: unknown }> }> }>;
    frameworks[3]!.tasks[1]!.statuses[0]!.timestamp = "1413572371.04321";
    (state["slaves"] as Array<{ pid: unknown }>)[2]!.pid = 5051;
    const error = inputError(() => snapshotFromMesosState(state));
    expect(error.issues.map((i) => i.path).sort()).toEqual(["frameworks[3].tasks[1].statuses[0].timestamp", "slaves[2].pid"]);
  });

  it.each([null, [], "state", 42])("rejects a document that is not an object (%j)", (document) => {
    const error = inputError(() => snapshotFromMesosState(document));
    expect(error.issues[0]!.path).toBe("");
  });
});

describe("who launched each task (attach ACLs decide on it)", () => {
  it("takes the task's own role, else its framework's, and the framework's principal", () => {
    const part = snapshotFromMesosState(
      doc({ framework: { principal: "dcos_marathon", roles: ["slave_public", "other"] }, tasks: [runningTask({ role: "shop" }), runningTask({ id: "t2" })] }),
    );
    expect(part.tasks.map((t) => [t.id, t.role, t.principal])).toEqual([
      ["t1", "shop", "dcos_marathon"],
      ["t2", "slave_public", "dcos_marathon"],
    ]);
    expect(part.frameworks[0]).toMatchObject({ principal: "dcos_marathon", role: "slave_public" });
  });

  it("keeps fake.json's single-role frameworks without a principal", () => {
    const part = snapshotFromMesosState(fakeState());
    expect(new Set(part.tasks.map((t) => t.role))).toEqual(new Set(["*"]));
    expect(part.tasks.every((t) => t.principal === undefined)).toBe(true);
  });

  it("refuses a role that is not text, at its path", () => {
    expect(inputError(() => snapshotFromMesosState(doc({ tasks: [runningTask({ role: 7 })] }))).issues[0]?.path).toBe("frameworks[0].tasks[0].role");
  });
});
