import { describe, expect, it } from "vitest";
import { fromOperatorState, type MesosPart } from "../../../lib/snapshot/adapters/operator-state.ts";
import { InputError } from "../../../lib/snapshot/issues.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import { hasHostPort, latestStatus, taskHealthy, taskIps } from "../../../functions/task-facts/task-network.ts";
import { operatorFixture, operatorPayload } from "../../support/upstream-fixtures.ts";

const FIXTURES = [
  "dns-hostname",
  "hello-overlay",
  "hello-world",
  "operator-api",
  "pod-tasks",
  "recovered-agents",
  "tcp-and-udp",
  "unhealthy",
  "vip-labels",
];

function task(part: MesosPart, id: string) {
  const found = part.tasks.find((t) => t.id.startsWith(id));
  if (found === undefined) throw new Error(`no task ${id}`);
  return found;
}

const ips = (t: MesosPart["tasks"][number]) => taskIps(t).ips.map((ip) => ip.address);

describe("fromOperatorState on every dcos-net fixture", () => {
  it.each(FIXTURES)("%s gives a valid snapshot part, sorted by id", (name) => {
    const part = operatorFixture(name);
    expect(ClusterSnapshot.safeParse({ cluster: { name }, now: "2026-01-01T00:00:00Z", ...part }).success).toBe(true);
    for (const list of [part.agents, part.frameworks, part.tasks]) {
      expect(list.map((r) => r.id)).toEqual(list.map((r) => r.id).sort());
    }
    expect(part.leader).toBe("");
    expect(part.masters).toEqual([]);
  });

  it.each([
    // [fixture, agents, frameworks, tasks, running tasks]
    ["dns-hostname", 1, 1, 1, 1],
    ["hello-overlay", 2, 3, 4, 4],
    ["hello-world", 2, 2, 5, 0],
    ["operator-api", 2, 2, 12, 12],
    ["pod-tasks", 1, 2, 2, 1],
    ["recovered-agents", 1, 1, 2, 1],
    ["tcp-and-udp", 1, 2, 1, 1],
    ["unhealthy", 1, 2, 1, 1],
    ["vip-labels", 1, 1, 1, 1],
  ] as const)("%s: %i agents, %i frameworks, %i tasks (%i running)", (name, agents, frameworks, tasks, running) => {
    const part = operatorFixture(name);
    expect(part.agents).toHaveLength(agents);
    expect(part.frameworks).toHaveLength(frameworks);
    expect(part.tasks).toHaveLength(tasks);
    expect(part.tasks.filter((t) => t.state === "TASK_RUNNING")).toHaveLength(running);
  });

  it("takes leader and masters from the options", () => {
    const part = operatorFixture("unhealthy", { leader: "master@10.0.0.1:5050", masters: ["10.0.0.1:5050", "10.0.0.2:5050"] });
    expect(part.leader).toBe("master@10.0.0.1:5050");
    expect(part.masters).toEqual(["10.0.0.1:5050", "10.0.0.2:5050"]);
  });
});

describe("the task model (specs/overlay_l4lb.md §4.2, §4.8)", () => {
  const api = operatorFixture("operator-api");

  it("reads Docker bridge port mappings, network and port resources (docker-on-bridge: 20560 → 8080)", () => {
    const t = task(api, "docker-on-bridge");
    expect(t.container).toEqual({
      type: "DOCKER",
      dockerNetwork: "BRIDGE",
      portMappings: [{ hostPort: 20560, containerPort: 8080, protocol: "tcp" }],
      networkInfos: [],
    });
    expect(t.ports).toEqual([{ begin: 20560, end: 20560 }]);
    expect(ips(t)).toEqual(["172.18.0.2"]);
    expect(hasHostPort(t)).toBe(true);
  });

  it("reads UCR port mappings from the status network infos (ucr-on-bridge: 15263 → 8080)", () => {
    const t = task(api, "ucr-on-bridge");
    expect(t.container?.type).toBe("MESOS");
    expect(latestStatus(t)?.networkInfos.flatMap((n) => n.portMappings)).toEqual([
      { hostPort: 15263, containerPort: 8080, protocol: "tcp" },
    ]);
    expect(ips(t)).toEqual(["172.31.254.3"]);
    expect(hasHostPort(t)).toBe(true);
  });

  it.each([
    ["none-on-host", ["172.17.0.4"], 13977],
    ["ucr-on-host", ["172.17.0.3"], 10323],
    ["docker-on-host", ["172.17.0.4"], 31168],
    ["docker-on-dcos", ["9.0.2.130"], 8080],
    ["docker-on-ipv6", ["172.19.0.2", "fd01:b::2:8000:0:2"], 8080],
    ["pod-on-host", ["172.17.0.4"], 28064],
    ["pod-on-dcos", ["9.0.1.3"], 8080],
  ])("%s has task IPs %j and discovery port http %i", (id, expected, port) => {
    const t = task(api, id);
    expect(ips(t)).toEqual(expected);
    expect(t.discovery?.ports.map((p) => [p.name, p.protocol, p.number])).toEqual([["http", "tcp", port]]);
  });

  it("keeps every status, in order, with the update's state applied (TASK_UPDATED)", () => {
    const t = task(api, "none-on-dcos");
    expect(t.state).toBe("TASK_RUNNING");
    expect(t.statuses.map((s) => s.state)).toEqual(["TASK_STARTING", "TASK_RUNNING"]);
    expect(t.statuses[1]!.timestamp).toBe(1520884855.4797);
  });

  it("tcp-and-udp.json: a port with both protocols is listed twice, healthy from the status", () => {
    const t = operatorFixture("tcp-and-udp").tasks[0]!;
    expect(t.discovery?.ports.map((p) => [p.name, p.protocol, p.number, p.labels.find((l) => l.key === "VIP_0")?.value])).toEqual([
      ["http", "udp", 6416, "/app:80"],
      ["http", "tcp", 6416, "/app:80"],
      ["foobar", "udp", 6417, undefined],
      ["foobar", "tcp", 6417, undefined],
    ]);
    expect(t.container?.dockerNetwork).toBe("HOST");
    expect(t.ports).toEqual([{ begin: 6416, end: 6417 }]);
    expect(ips(t)).toEqual(["172.17.0.3"]);
    expect(taskHealthy(t)).toBe(true);
  });

  it("unhealthy.json: a health check with no result yet reads as unhealthy", () => {
    const t = operatorFixture("unhealthy").tasks[0]!;
    expect(t.hasHealthCheck).toBe(true);
    expect(latestStatus(t)?.healthy).toBeUndefined();
    expect(taskHealthy(t)).toBe(false);
    expect(ips(t)).toEqual(["9.0.1.6"]);
    expect(t.discovery?.ports[0]?.labels).toEqual([
      { key: "VIP_0", value: "/foobar:80" },
      { key: "network-scope", value: "container" },
      { key: "network-name", value: "dcos" },
    ]);
    expect(hasHostPort(t)).toBe(false);
  });

  it("vip-labels.json: legacy VIP_PORT task labels, discovery VIP labels and port ranges (agent-side launched_tasks)", () => {
    const t = operatorFixture("vip-labels").tasks[0]!;
    expect(t.labels).toEqual([
      { key: "vip_port0", value: "tcp://def:80" },
      { key: "vip_port1", value: "tcp://jkl:80" },
    ]);
    expect(t.ports).toEqual([{ begin: 9999, end: 10002 }]);
    expect(t.discovery?.ports.map((p) => [p.name, p.number, p.labels.map((l) => l.value)])).toEqual([
      ["foo", 9999, ["/abc:80", "/cbd:80"]],
      ["bar", 10000, []],
      ["baz", 10001, ["/xyz:443"]],
      ["qux", 10002, []],
    ]);
    expect(taskHealthy(t)).toBe(true);
    expect(t.hasHealthCheck).toBe(false);
  });

  it("recovered-agents.json: a recovered agent, then AGENT_ADDED; the failed task stays failed", () => {
    const part = operatorFixture("recovered-agents");
    expect(part.agents).toEqual([
      {
        id: "65fccc5d-35a8-4cae-9eb2-05922043018e-S0",
        hostname: "172.17.0.4",
        pid: "slave(1)@172.17.0.4:5051",
        ips: ["172.17.0.4"],
        public: false,
        attributes: {},
      },
    ]);
    expect(part.tasks.map((t) => t.state)).toEqual(["TASK_FAILED", "TASK_RUNNING"]);
    const web = part.tasks[1]!;
    expect(web.container?.networkInfos[0]?.portMappings).toEqual([{ hostPort: 16424, containerPort: 10080, protocol: "tcp" }]);
    expect(web.discovery?.ports[0]?.labels).toEqual([
      { key: "VIP_0", value: "/web:10080" },
      { key: "network-scope", value: "host" },
    ]);
    expect(ips(web)).toEqual(["172.31.254.10"]);
  });

  it("hello-overlay.json: frameworks added mid-stream, the public agent, the SDK tasks", () => {
    const part = operatorFixture("hello-overlay");
    expect(part.frameworks.map((f) => f.name).sort()).toEqual(["hello-world", "marathon", "metronome"]);
    expect(part.agents.map((a) => [a.hostname, a.public, a.attributes])).toEqual([
      ["10.0.4.200", true, { public_ip: "true" }],
      ["10.0.0.49", false, {}],
    ]);
    const world = task(part, "hello-world");
    expect(world.container).toBeUndefined();
    expect(world.discovery?.ports.map((p) => [p.name, p.number, p.labels.map((l) => `${l.key}=${l.value}`)])).toEqual([
      ["api", 19630, ["VIP_0=/api.hello-world:80"]],
    ]);
    expect(ips(task(part, "hello-overlay-vip-0-server"))).toEqual(["9.0.2.3"]);
  });

  it("hello-world.json: FRAMEWORK_REMOVED drops the framework, terminal tasks stay with their state", () => {
    const part = operatorFixture("hello-world");
    expect(part.frameworks.map((f) => f.name).sort()).toEqual(["marathon", "metronome"]);
    expect(part.tasks.map((t) => t.state).sort()).toEqual(["TASK_FINISHED", "TASK_KILLED", "TASK_KILLED", "TASK_KILLED", "TASK_KILLED"]);
    const killed = task(part, "hello-world.60bcc4e8");
    expect(killed.statuses.map((s) => s.state)).toEqual(["TASK_STARTING", "TASK_RUNNING", "TASK_KILLING", "TASK_KILLED"]);
  });

  it("pod-tasks.json: pod tasks carry the pod's discovery name", () => {
    const part = operatorFixture("pod-tasks");
    expect(part.tasks.map((t) => [t.name, t.discovery?.name, t.state])).toEqual([
      ["bar", "app", "TASK_FINISHED"],
      ["foo", "app", "TASK_RUNNING"],
    ]);
  });
});

describe("agent addresses", () => {
  it("dns-hostname.json: a hostname that is not an IP is resolved through resolveHost", () => {
    expect(operatorFixture("dns-hostname").agents[0]!.ips).toEqual([]);
    const resolved = operatorFixture("dns-hostname", { resolveHost: (h) => (h === "localhost" ? ["127.0.0.1", "::1", "junk"] : []) });
    expect(resolved.agents[0]!.ips).toEqual(["127.0.0.1", "::1"]);
  });

  it("falls back to the PID's address when the hostname resolves to nothing", () => {
    const payload = structuredClone(operatorPayload("tcp-and-udp")) as {
      get_state: { get_agents: { agents: Array<{ agent_info: { hostname: string } }> } };
    };
    payload.get_state.get_agents.agents[0]!.agent_info.hostname = "agent-0.example";
    const part = fromOperatorState(payload, { source: "x" });
    expect(part.agents[0]!.ips).toEqual(["172.17.0.3"]);
  });
});

describe("malformed payloads throw InputError with the JSON path", () => {
  function issuesOf(payload: unknown): string[] {
    try {
      fromOperatorState(payload, { source: "state.json" });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain("state.json: ");
      return (error as InputError).issues.map((i) => i.path);
    }
    throw new Error("no error");
  }

  it("names the event index in a stream", () => {
    const events = structuredClone(operatorPayload("operator-api")) as Array<Record<string, any>>;
    events[3]!.task_added.task.task_id = 7;
    delete events[5]!.task_updated.status.timestamp;
    expect(issuesOf(events)).toEqual(["events[3].task_added.task.task_id", "events[5].task_updated.status.timestamp"]);
  });

  it("names the path in a single GET_STATE response", () => {
    const state = structuredClone(operatorPayload("unhealthy")) as Record<string, any>;
    state.get_state.get_tasks.tasks[0].state = null;
    state.get_state.get_agents.agents[0].agent_info.id = {};
    expect(issuesOf(state)).toEqual(["get_state.get_tasks.tasks[0].state", "get_state.get_agents.agents[0].agent_info.id.value"]);
  });

  it("rejects a stream that does not start with SUBSCRIBED, events without a type, and other documents", () => {
    const events = operatorPayload("operator-api") as unknown[];
    expect(issuesOf(events.slice(1))).toEqual(["events[0].type"]);
    expect(issuesOf([events[0], { task_added: {} }])).toEqual(["events[1].type"]);
    expect(issuesOf([])).toEqual(["events"]);
    expect(issuesOf({ slaves: [] })).toEqual(["type", "get_state"]);
  });

  it("skips HEARTBEAT and unknown event types, and updates for tasks it never saw", () => {
    const [subscribed] = operatorPayload("pod-tasks") as unknown[];
    const part = fromOperatorState(
      [
        subscribed,
        { type: "HEARTBEAT" },
        { type: "OPERATION_UPDATED", operation_updated: {} },
        { type: "TASK_UPDATED", task_updated: { state: "TASK_RUNNING", status: { task_id: { value: "ghost" }, state: "TASK_RUNNING", timestamp: 1 } } },
      ],
      { source: "x" },
    );
    expect(part.tasks).toEqual([]);
  });
});

describe("who launched each task (attach ACLs decide on it)", () => {
  it("gives a task the role its resources were allocated to and its framework's principal", () => {
    const part = operatorFixture("hello-overlay");
    expect(task(part, "hello-overlay-0-server")).toMatchObject({ role: "hello-world-role", principal: "hello-world-principal" });
    expect(task(part, "hello-world.cea59641")).toMatchObject({ role: "slave_public", principal: "dcos_marathon" });
    expect(part.frameworks.find((f) => f.name === "hello-world")).toMatchObject({ principal: "hello-world-principal", role: "hello-world-role" });
  });

  it("leaves the principal out when the framework is gone or has none", () => {
    const part = operatorFixture("hello-world");
    // hello-world's framework was removed from this capture; its tasks still name their role.
    expect(task(part, "world-0-server")).toMatchObject({ role: "hello-world-role" });
    expect(task(part, "world-0-server").principal).toBeUndefined();
  });
});
