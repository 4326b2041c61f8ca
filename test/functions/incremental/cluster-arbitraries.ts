/**
 * @module
 * fast-check generators of small clusters and of changes to them, drawn from tiny alphabets so
 * that what couples owners happens often: names that sanitise alike, frameworks whose names
 * become one fragment, VIP names and addresses that collide in an eight-address range, agents
 * that share an underlay IP or readdress, VTEP and slice pools that run out, tasks whose
 * overlay address is outside their agent's slice, Marathon apps sharing hosts, agents whose
 * public flag and attributes move LB groups onto and off them (onto one agent with another
 * group that shares its ports, now and then).
 */
import fc from "fast-check";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../../lib/snapshot/schema.ts";
import { SnapshotChange, type SnapshotChangeInput } from "../../../lib/snapshot/snapshot-change.ts";

type TaskInput = NonNullable<ClusterSnapshotInput["tasks"]>[number];
type AgentInput = NonNullable<ClusterSnapshotInput["agents"]>[number];
type FrameworkInput = NonNullable<ClusterSnapshotInput["frameworks"]>[number];
type AppInput = NonNullable<ClusterSnapshotInput["marathonApps"]>[number];

export const TASK_IDS = ["web.1", "web.2", "web.3", "db.1", "db.2", "app/x.1", "vip.1", "vip.2", "vip.3", "vip.4", "vip.5", "t%1"];
export const AGENT_IDS = ["S1", "S2", "S3", "S4", "S5", "bad/id"];
export const FRAMEWORK_IDS = ["F1", "F2", "F3"];
export const APP_IDS = ["/web", "/db", "/group/app", "/group_app", "/bg"];
const HOSTS = ["h1", "h2", "h3"];
const AGENT_IPS = [["10.0.0.1"], ["10.0.0.2"], ["10.0.0.3"], ["10.0.0.5"], ["10.0.0.6"], ["10.0.0.2"], ["fd00::4"], [], ["nope"], ["10.0.0.4", "fd00::4"]];
const FRAMEWORK_NAMES = ["marathon", "Marathon", "mara thon", "...", "hello-world", "hello.world"];
const TASK_NAMES = ["web", "Web", "we_b", "db", "my.app", "---"];
// Nine names on one port (more than the four addresses), names that become one, IP VIPs inside
// the named range, refused labels.
const VIP_LABELS = ["/app:80", "app:80", "/App:80", "/db:80", "/b:80", "/c:80", "/d:80", "/e:80", "/f:80", "/g:80", "/db:5432", "10.10.0.1:80", "11.0.0.3:80", "11.0.0.1:80", "fd01:c::3:80", "/bad:http", "/z:81"];
const TASK_IPS = ["9.0.0.2", "9.0.0.6", "9.0.0.9", "172.17.0.2", "fd01:b::2", "10.0.0.1", "junk"];
const STATES = ["TASK_RUNNING", "TASK_RUNNING", "TASK_RUNNING", "TASK_RUNNING", "TASK_KILLING", "TASK_STAGING", "TASK_FINISHED"];

export const START = Date.parse("2026-01-01T00:00:00Z");

/**
 * Network policies. The first: an attach ACL that refuses a framework's tasks on `dcos`, admin
 * rules, an isolated network. The second couples more: rules on labels, networks, roles and
 * address blocks beside apps (judged per address), a pass, logged rules and drops, a default
 * deny, a network no one uses, and a rule budget small enough that nodes go over it.
 */
const POLICIES = [
  {
    networks: { dcos: { attach: [{ action: "deny", frameworks: ["hello*"] }, { action: "allow" }] }, dcos6: { isolation: "isolated", allowFrom: ["host"] } },
    rules: [
      { name: "web-to-db", priority: 10, action: "allow", from: { apps: ["/web"] }, to: { apps: ["/db"] }, ports: [{ protocol: "tcp", port: 5432 }] },
      { name: "no-outside", priority: 20, action: "deny", from: { ipBlocks: [{ cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] }] } },
    ],
    default: "allow",
  },
  {
    networks: {
      dcos: { attach: [{ action: "deny", apps: ["/bg"] }, { action: "deny", roles: ["slave_public"] }, { action: "allow" }], isolation: "isolated", allowFrom: ["host"] },
      dcos6: { isolation: "isolated" },
      typo: { isolation: "open" },
    },
    rules: [
      { name: "external-in", priority: 5, action: "allow", from: { labels: { HAPROXY_GROUP: "external" } }, to: { apps: ["/web", "/group/*"] }, ports: [{ protocol: "tcp", port: 80, endPort: 81 }] },
      { name: "v6-pass", priority: 6, action: "pass", from: { networks: ["dcos6"] }, to: { networks: ["dcos", "host"] } },
      { name: "public", priority: 7, action: "deny", from: { roles: ["slave_*"] }, to: { labels: { HAPROXY_GROUP: "internal" } }, log: true },
      { name: "db-block", priority: 8, action: "allow", from: { apps: ["/web"], ipBlocks: [{ cidr: "9.0.0.0/29", except: ["9.0.0.6/32"] }] }, to: { apps: ["/db"], ipBlocks: [{ cidr: "9.0.0.0/30", except: [] }] } },
      { name: "hosts", priority: 9, action: "deny", from: { networks: ["host"] }, to: { ipBlocks: [{ cidr: "10.0.0.0/30", except: [] }] }, ports: [{ protocol: "udp", port: 53 }] },
    ],
    default: "deny",
    logDrops: true,
    maxRulesPerNode: 130,
  },
];

/**
 * LB groups, where they run and their ports: the defaults (public and private agents), groups
 * placed by attribute and id that meet on some agents, `*` beside `external` on public agents, and
 * `internal` on its own ports, where only a service in both groups' port is shared.
 */
const PLACEMENTS = [
  { groups: ["external"] },
  { groups: ["external", "internal"] },
  { groups: ["external", "internal"], placement: { external: [{ attributes: { lb: "edge" } }, { ids: ["S2", "bad/id"] }], internal: [{ public: false }, { attributes: { rack: ["r1", "r3"] } }] } },
  { groups: ["*", "external", "internal"], groupPorts: { internal: { httpPort: 8080, httpsPort: 8443, appIdPort: 9191, statsPort: 9190 } } },
  { groups: ["external", "internal"], placement: { external: {}, internal: {} }, groupPorts: { internal: { httpPort: 8080, httpsPort: 8443, appIdPort: 9191, statsPort: 9190 } } },
];

/** A config that makes pools small: four named-VIP addresses a family, six or two VTEPs, four slices; `policy` indexes `POLICIES` (past its end: none). */
const config = (grace: number, allowed: boolean, vtep: string, mapMode: boolean, policy: number, placement: number) => ({
  ...(policy < POLICIES.length ? { policy: POLICIES[policy] } : {}),
  l4lb: { ipv4Range: { min: "11.0.0.0", max: "11.0.0.3" }, ipv6Range: { min: "fd01:c::", max: "fd01:c::3" }, namedVipGraceSeconds: grace },
  overlay: {
    vtep_subnet: vtep,
    vtep_subnet6: "fd01:a::/125",
    overlays: [
      { name: "dcos", subnet: "9.0.0.0/28", prefix: 30 },
      { name: "dcos6", subnet6: "fd01:b::/124", prefix6: 126 },
    ],
  },
  haproxy: { minSlots: 1, servicePortRange: { min: 10050, max: 10051 }, haproxyMap: mapMode, ...PLACEMENTS[placement] },
  dns: allowed ? { allowedNetworks: ["10.0.0.0/8"] } : {},
});

export const agent: fc.Arbitrary<AgentInput> = fc.record({
  id: fc.constantFrom(...AGENT_IDS),
  hostname: fc.constantFrom(...HOSTS),
  ips: fc.constantFrom(...AGENT_IPS),
  pid: fc.constantFrom(undefined, "slave(1)@10.0.0.1:5051", "broken"),
  public: fc.boolean(),
  attributes: fc.constantFrom<Record<string, string>>({}, { rack: "r1" }, { rack: "r2" }, { rack: "r1", lb: "edge" }, { lb: "edge" }),
});

export const framework: fc.Arbitrary<FrameworkInput> = fc.record({
  id: fc.constantFrom(...FRAMEWORK_IDS),
  name: fc.constantFrom(...FRAMEWORK_NAMES),
  ips: fc.constantFrom([], ["10.0.0.9"]),
  pid: fc.constantFrom(undefined, "scheduler(1)@10.0.0.9:8080"),
});

const vipPort = fc.record({
  number: fc.constantFrom(80, 80, 8080, 0),
  protocol: fc.constantFrom("tcp", "tcp", "udp", "TCP"),
  name: fc.constantFrom(undefined, "http"),
  labels: fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ key: fc.constantFrom("VIP_0", "VIP_1"), value: fc.constantFrom(...VIP_LABELS) }) },
      { weight: 1, arbitrary: fc.constant({ key: "network-scope", value: "host" }) },
    ),
    { minLength: 1, maxLength: 2 },
  ),
});

const anyTask: fc.Arbitrary<TaskInput> = fc.record({
  id: fc.constantFrom(...TASK_IDS),
  appId: fc.constantFrom(undefined, "/web", "/db", "/web", "/db", "/bg"),
  name: fc.constantFrom(...TASK_NAMES),
  frameworkId: fc.constantFrom("F1", "F1", "F2", "F3", "F9"),
  agentId: fc.constantFrom("S1", "S2", "S3", "S4", "S5", "S1", "S2", "bad/id", "S9"),
  state: fc.constantFrom(...STATES),
  role: fc.constantFrom(undefined, undefined, "slave_public", "prod"),
  labels: fc.constantFrom([], [{ key: "VIP_PORT0", value: "tcp://legacy:90" }], [{ key: "vip_port1", value: "udp://11.0.0.5:53" }], [{ key: "WAYFINDER_POLICY_ALLOW_FROM", value: "/web, 10.0.0.0/8" }]),
  ports: fc.constantFrom([], [{ begin: 31000, end: 31000 }], [{ begin: 31000, end: 31001 }], [{ begin: 0, end: 5 }]),
  discovery: fc.option(fc.record({ name: fc.constantFrom(undefined, "web", "big.dog", "Big_Dog!"), ports: fc.array(vipPort, { maxLength: 2 }) }), { nil: undefined, freq: 4 }),
  container: fc.option(
    fc.record({
      type: fc.constantFrom("DOCKER", "MESOS"),
      portMappings: fc.constantFrom([], [{ hostPort: 31000, containerPort: 80 }]),
      networkInfos: fc.constantFrom([], [{ name: "dcos" }], [{ name: "dcos6" }]),
    }),
    { nil: undefined },
  ),
  hasHealthCheck: fc.boolean(),
  statuses: fc.array(
    fc.record({
      state: fc.constantFrom("TASK_RUNNING", "TASK_RUNNING", "TASK_STAGING"),
      timestamp: fc.constantFrom(1, 2, 3),
      healthy: fc.constantFrom(undefined, undefined, true, false),
      networkInfos: fc.array(fc.record({ ipAddresses: fc.array(fc.constantFrom(...TASK_IPS), { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 1 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
});

/** A running task on a common agent with VIP labels: VIP names pile up and collide. */
const vipTask: fc.Arbitrary<TaskInput> = fc.record({
  id: fc.constantFrom(...TASK_IDS),
  name: fc.constantFrom(...TASK_NAMES),
  frameworkId: fc.constantFrom("F1", "F2"),
  agentId: fc.constantFrom("S1", "S2", "S3"),
  state: fc.constantFrom("TASK_RUNNING", "TASK_RUNNING", "TASK_KILLING"),
  discovery: fc.record({ ports: fc.array(vipPort, { minLength: 1, maxLength: 2 }) }),
  statuses: fc.constantFrom("9.0.0.2", "172.17.0.2", "fd01:b::2", "172.17.0.3").map((ip) => [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ ipAddresses: [ip] }] }]),
});

export const task: fc.Arbitrary<TaskInput> = fc.oneof({ weight: 3, arbitrary: anyTask }, { weight: 2, arbitrary: vipTask });

const appTask = fc.record({
  // Mesos task ids: the app's VIP labels are checked against those tasks.
  id: fc.constantFrom("a.1", "a.2", "web.1", "web.2", "vip.1", "vip.2"),
  host: fc.constantFrom(...HOSTS, "10.0.0.7", "unknown-host"),
  ports: fc.constantFrom<number[]>([31000], [31001, 31002]),
  state: fc.constantFrom("TASK_RUNNING", "TASK_RUNNING", "TASK_STAGING"),
  ipAddresses: fc.constantFrom<Array<{ ipAddress: string }>>([], [{ ipAddress: "9.0.0.2" }], [{ ipAddress: "9.0.0.6" }]),
  healthCheckResults: fc.constantFrom<Array<{ alive: boolean }> | undefined>(undefined, [{ alive: true }], [{ alive: false }]),
  startedAt: fc.constant("2026-01-01T00:00:00Z"),
});

// Labels that couple apps: blue/green groups, two names one backend, vhosts (wildcards in map
// mode), per-port templates that fail (the app-id route is skipped by a later port of one app).
const APP_LABELS: Array<Record<string, string>> = [
  { HAPROXY_GROUP: "external" },
  { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: "web.example.com" },
  { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: "*.example.com,web.example.com" },
  { HAPROXY_GROUP: "internal" },
  { HAPROXY_GROUP: "external,internal" },
  { HAPROXY_GROUP: "external", HAPROXY_0_MODE: "bogus" },
  { HAPROXY_GROUP: "external", HAPROXY_0_PORT: "80" },
  { HAPROXY_GROUP: "external", HAPROXY_0_BACKEND_HTTP_HEALTHCHECK_OPTIONS: "  option httpchk GET {healthCheck[nope]}\n" },
  { HAPROXY_GROUP: "external", HAPROXY_DEPLOYMENT_GROUP: "bg", HAPROXY_DEPLOYMENT_STARTED_AT: "2026-01-01T00:00:00Z" },
  { HAPROXY_GROUP: "external", HAPROXY_DEPLOYMENT_GROUP: "bg", HAPROXY_DEPLOYMENT_STARTED_AT: "2026-01-02T00:00:00Z" },
  { HAPROXY_GROUP: "external", HAPROXY_DEPLOYMENT_GROUP: "bg", HAPROXY_DEPLOYMENT_STARTED_AT: "not a time" },
  // App tiers (issue 15): sources by app, label, network, role, address block and anyone; a
  // label it cannot read; a label that lets no one in.
  { HAPROXY_GROUP: "internal", WAYFINDER_POLICY_ALLOW_FROM_5432: "/web, label:HAPROXY_GROUP=external" },
  { HAPROXY_GROUP: "external", WAYFINDER_POLICY_ALLOW_FROM: "network:dcos6, 9.0.0.0/30", WAYFINDER_POLICY_ALLOW_FROM_80_UDP: "*" },
  { WAYFINDER_POLICY_ALLOW_FROM_8080: "role:slave_*, /db" },
  { WAYFINDER_POLICY_ALLOW_FROM_99999: "/web" },
  { WAYFINDER_POLICY_ALLOW_FROM: "" },
];

const plainApp: fc.Arbitrary<AppInput> = fc.record({
  id: fc.constantFrom(...APP_IDS),
  labels: fc.constantFrom(...APP_LABELS),
  instances: fc.constantFrom(1, 3),
  portDefinitions: fc.constantFrom<Array<{ port: number; labels?: Record<string, string> }> | undefined>(
    [{ port: 10000 }],
    [{ port: 10001 }, { port: 10002 }],
    [{ port: 10000, labels: { VIP_0: "/app:80" } }],
    [{ port: 10000, labels: { VIP_0: "/db:80", VIP_1: "/other:80" } }],
    undefined,
  ),
  // Container networking without declared ports: service ports are assigned, in app id order.
  networks: fc.constantFrom<Array<{ mode: string; name?: string }> | undefined>(undefined, undefined, [{ mode: "container", name: "dcos" }]),
  ipAddress: fc.constantFrom<{ discovery: { ports: Array<{ number: number }> } } | undefined>(undefined, { discovery: { ports: [{ number: 8080 }] } }),
  healthChecks: fc.constantFrom<Array<{ protocol: string; portIndex: number }> | undefined>(undefined, [{ protocol: "HTTP", portIndex: 0 }]),
  tasks: fc.array(appTask, { maxLength: 4 }).map((tasks) => tasks.filter((t, i) => tasks.findIndex((u) => u.id === t.id) === i)),
});

/** An IP-per-task app without service ports: the assigner gives it one, from a range of two. */
const containerApp: fc.Arbitrary<AppInput> = fc.record({
  id: fc.constantFrom(...APP_IDS),
  labels: fc.constantFrom<Record<string, string>>(
    { HAPROXY_GROUP: "external" },
    { HAPROXY_GROUP: "internal" },
    { HAPROXY_GROUP: "external,internal" },
    { HAPROXY_GROUP: "external", WAYFINDER_POLICY_ALLOW_FROM_8080: "/db, network:dcos" },
  ),
  networks: fc.constant([{ mode: "container", name: "dcos" }]),
  ipAddress: fc.constantFrom<{ discovery: { ports: Array<{ number: number }> } } | undefined>(undefined, { discovery: { ports: [{ number: 8080 }] } }),
  container: fc.constant({ portMappings: [{ containerPort: 8080 }] }),
  tasks: fc.array(appTask, { minLength: 1, maxLength: 2 }).map((tasks) => tasks.filter((t, i) => tasks.findIndex((u) => u.id === t.id) === i)),
});

export const app: fc.Arbitrary<AppInput> = fc.oneof({ weight: 3, arbitrary: plainApp }, { weight: 2, arbitrary: containerApp });

/** A list of items with unique ids (the first of each id kept). */
function unique<T extends { id: string }>(items: fc.Arbitrary<T>, maxLength: number, minLength = 0): fc.Arbitrary<T[]> {
  return fc.array(items, { minLength, maxLength }).map((list) => list.filter((item, i) => list.findIndex((other) => other.id === item.id) === i));
}

/** A snapshot without `previous`. */
export const bareSnapshot: fc.Arbitrary<ClusterSnapshot> = fc
  .record({
    grace: fc.constantFrom(0, 600),
    allowed: fc.boolean(),
    vtep: fc.constantFrom("44.128.0.0/29", "44.128.0.0/30"),
    mapMode: fc.boolean(),
    policy: fc.constantFrom(0, 1, 1, 2),
    // Twice as often: both groups on every agent, where services alone decide whether they clash.
    placement: fc.constantFrom(0, 1, 2, 3, 4, 4),
    masters: fc.constantFrom([], ["10.0.0.9:5050"], ["10.0.0.1:5050", "10.0.0.8:5050"]),
    agents: unique(agent, 6, 2),
    frameworks: unique(framework, 3, 1),
    tasks: unique(task, 10),
    apps: unique(app, 4),
  })
  .map((s) =>
    ClusterSnapshot.parse({
      cluster: { name: "prop" },
      now: new Date(START).toISOString(),
      leader: s.masters.length > 0 ? `master@${s.masters[0]!}` : "",
      masters: s.masters,
      agents: s.agents,
      frameworks: s.frameworks,
      tasks: s.tasks,
      marathonApps: s.apps,
      config: config(s.grace, s.allowed, s.vtep, s.mapMode, s.policy, s.placement),
    }),
  );

/** One step of a change sequence. */
export type Op =
  | { kind: "upsert-task"; task: TaskInput }
  | { kind: "delete-task"; index: number }
  | { kind: "upsert-agent"; agent: AgentInput }
  | { kind: "delete-agent"; index: number }
  | { kind: "relabel-agent"; index: number; public: boolean; attributes: Record<string, string> }
  | { kind: "upsert-framework"; framework: FrameworkInput }
  | { kind: "delete-framework"; index: number }
  | { kind: "upsert-app"; app: AppInput }
  | { kind: "delete-app"; index: number };

export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: task.map((t) => ({ kind: "upsert-task" as const, task: t })) },
  { weight: 3, arbitrary: fc.nat(20).map((index) => ({ kind: "delete-task" as const, index })) },
  { weight: 3, arbitrary: agent.map((a) => ({ kind: "upsert-agent" as const, agent: a })) },
  { weight: 1, arbitrary: fc.nat(20).map((index) => ({ kind: "delete-agent" as const, index })) },
  {
    weight: 2,
    arbitrary: fc.record({ index: fc.nat(20), public: fc.boolean(), attributes: agent.chain((a) => fc.constant(a.attributes ?? {})) }).map((r) => ({ kind: "relabel-agent" as const, ...r })),
  },
  { weight: 2, arbitrary: framework.map((f) => ({ kind: "upsert-framework" as const, framework: f })) },
  { weight: 1, arbitrary: fc.nat(20).map((index) => ({ kind: "delete-framework" as const, index })) },
  { weight: 2, arbitrary: app.map((a) => ({ kind: "upsert-app" as const, app: a })) },
  { weight: 1, arbitrary: fc.nat(20).map((index) => ({ kind: "delete-app" as const, index })) },
);

/** A change: a few ops, and how far time moves (past the grace period now and then). */
export const changeSteps = fc.record({ ops: fc.array(op, { minLength: 0, maxLength: 3 }), seconds: fc.constantFrom(0, 0, 30, 700, 4000) });

/**
 * Turns ops into a valid change against `snapshot` (deletes pick existing ids; an id is touched
 * once per change).
 * @example changeOf(snapshot, { ops, seconds: 30 }, now)
 */
export function changeOf(snapshot: ClusterSnapshot, steps: { ops: Op[]; seconds: number }, now: number): SnapshotChange {
  const input = {
    now: new Date(now).toISOString(),
    upsert: { tasks: [] as TaskInput[], agents: [] as AgentInput[], frameworks: [] as FrameworkInput[], apps: [] as AppInput[] },
    delete: { tasks: [] as string[], agents: [] as string[], frameworks: [] as string[], apps: [] as string[] },
  } satisfies SnapshotChangeInput;
  const touched = new Set<string>();
  const once = (list: string, id: string) => {
    const key = `${list} ${id}`;
    if (touched.has(key)) return false;
    touched.add(key);
    return true;
  };
  const pick = (ids: string[], index: number) => (ids.length === 0 ? undefined : ids[index % ids.length]);
  for (const o of steps.ops) {
    switch (o.kind) {
      case "upsert-task":
        if (once("tasks", o.task.id)) input.upsert.tasks.push(o.task);
        break;
      case "delete-task": {
        const id = pick(snapshot.tasks.map((t) => t.id), o.index);
        if (id !== undefined && once("tasks", id)) input.delete.tasks.push(id);
        break;
      }
      case "upsert-agent":
        if (once("agents", o.agent.id)) input.upsert.agents.push(o.agent);
        break;
      case "delete-agent": {
        const id = pick(snapshot.agents.map((a) => a.id), o.index);
        if (id !== undefined && once("agents", id)) input.delete.agents.push(id);
        break;
      }
      case "relabel-agent": {
        const existing = snapshot.agents.length === 0 ? undefined : snapshot.agents[o.index % snapshot.agents.length]!;
        if (existing !== undefined && once("agents", existing.id)) input.upsert.agents.push({ ...existing, public: o.public, attributes: o.attributes });
        break;
      }
      case "upsert-framework":
        if (once("frameworks", o.framework.id)) input.upsert.frameworks.push(o.framework);
        break;
      case "delete-framework": {
        const id = pick(snapshot.frameworks.map((f) => f.id), o.index);
        if (id !== undefined && once("frameworks", id)) input.delete.frameworks.push(id);
        break;
      }
      case "upsert-app":
        if (once("apps", o.app.id)) input.upsert.apps.push(o.app);
        break;
      case "delete-app": {
        const id = pick(snapshot.marathonApps.map((a) => a.id), o.index);
        if (id !== undefined && once("apps", id)) input.delete.apps.push(id);
        break;
      }
    }
  }
  return SnapshotChange.parse(input);
}
