/**
 * @module
 * What `explain` answers, as zod schemas: the types of the pure core, the shape of
 * `GET /v1/explain/...` in the OpenAPI document and of `wayfinder explain --json`. Every
 * answer is either an explanation of one subject or `not-found` with the closest matches.
 */
import { z } from "zod";
import { Diagnostic, SoaData, SrvData } from "../../lib/desired/schema.ts";
import { Protocol } from "../../lib/desired/policy-ports.ts";

/** The subjects `explain` knows. */
export const ExplainSubject = z.enum(["name", "vip", "task", "app"]);
export type ExplainSubject = z.infer<typeof ExplainSubject>;

/** Who put something in: the diagnostics' subject form, split. */
export const Owner = z.object({
  /** `task:web.1`, `agent:S1`, `vip:web.marathon`, `master:10.0.0.1`, `zone:mesos`, ... */
  subject: z.string(),
  kind: z.enum(["task", "agent", "framework", "vip", "master", "zone", "other"]),
  id: z.string(),
});
export type Owner = z.infer<typeof Owner>;

/** A reason something was not produced: a reconciler's own fact, or a diagnostic. */
export const Reason = z.object({
  /** The diagnostic's code, absent for a reconciler fact. */
  code: z.string().optional(),
  level: z.enum(["error", "warning", "info"]).optional(),
  message: z.string(),
});
export type Reason = z.infer<typeof Reason>;

const RecordType = z.enum(["A", "AAAA", "CNAME", "NS", "SRV", "SOA"]);

export const ExplainedRecord = z.object({
  type: RecordType,
  ttl: z.number().int(),
  data: z.union([z.string(), SrvData, SoaData]),
  /** Who put the record in (the zone itself for its SOA and apex NS). */
  owners: z.array(Owner),
});
export type ExplainedRecord = z.infer<typeof ExplainedRecord>;

export const NameExplanation = z.object({
  kind: z.literal("name"),
  name: z.string(),
  /** The local zone that holds the name. */
  zone: z.string(),
  records: z.array(ExplainedRecord),
  /** Diagnostics about the owners of its records. */
  diagnostics: z.array(Diagnostic),
});
export type NameExplanation = z.infer<typeof NameExplanation>;

const Address = z.object({ ip: z.string(), port: z.number().int() });

export const ExplainedBackend = z.object({
  ip: z.string(),
  port: z.number().int(),
  weight: z.number().int(),
  /** weight 0: TASK_KILLING or a health check not passed; it keeps its connections. */
  draining: z.boolean(),
  /** The latest status's health flag: unknown when the task has no health check. */
  health: z.enum(["healthy", "unhealthy", "unknown"]),
  taskId: z.string(),
  taskState: z.string().optional(),
  agentId: z.string().optional(),
  /** The container address its own agent uses instead (UCR host-port mapping). */
  local: Address.optional(),
});
export type ExplainedBackend = z.infer<typeof ExplainedBackend>;

export const ExplainedVip = z.object({
  vip: z.object({ ip: z.string(), port: z.number().int(), protocol: z.enum(["tcp", "udp"]) }),
  name: z.string().optional(),
  dnsName: z.string().optional(),
  /** Every name whose record the VIP put in. */
  dnsNames: z.array(z.string()),
  scheduler: z.string(),
  backends: z.array(ExplainedBackend),
  /** Which nodes program it: every agent's view carries every VIP. */
  nodes: z.object({
    agents: z.number().int(),
    /** Agents that reach one of their own backends at its container address instead. */
    localOn: z.array(z.string()),
  }),
});
export type ExplainedVip = z.infer<typeof ExplainedVip>;

export const VipExplanation = z.object({
  kind: z.literal("vip"),
  query: z.string(),
  services: z.array(ExplainedVip),
  diagnostics: z.array(Diagnostic),
});
export type VipExplanation = z.infer<typeof VipExplanation>;

export const TaskFacts = z.object({
  id: z.string(),
  name: z.string().optional(),
  state: z.string().optional(),
  agentId: z.string().optional(),
  agentHostname: z.string().optional(),
  frameworkId: z.string().optional(),
  frameworkName: z.string().optional(),
  /** The Marathon app the task belongs to, if any. */
  appId: z.string().optional(),
  healthy: z.boolean().optional(),
  /** The IPs of its latest status. */
  addresses: z.array(z.string()),
  /** False for a task only Marathon lists (not in the Mesos state). */
  inMesos: z.boolean(),
});
export type TaskFacts = z.infer<typeof TaskFacts>;

export const TaskVipMembership = z.object({
  vip: z.object({ ip: z.string(), port: z.number().int(), protocol: z.enum(["tcp", "udp"]) }),
  name: z.string().optional(),
  dnsName: z.string().optional(),
  backend: Address.extend({ weight: z.number().int() }),
});

export const TaskHaproxyServer = z.object({
  group: z.string(),
  appId: z.string(),
  servicePort: z.number().int(),
  backend: z.string(),
  server: z.string(),
  ip: z.string(),
  port: z.number().int(),
  draining: z.boolean(),
});

export const TaskOverlayAddress = z.object({
  overlay: z.string(),
  address: z.string(),
  space: z.string(),
  slice: z.string().optional(),
  routed: z.boolean(),
});

/**
 * One party against another on one port, as the policy questions answer it
 * (`functions/policy/questions.ts`' CellSummary): what explain reads, never computes.
 */
export const PolicyCell = z.object({
  from: z.string(),
  to: z.string(),
  protocol: Protocol,
  port: z.number().int(),
  verdict: z.enum(["allow", "deny"]),
  /** A rule's name, `network:<name>`, `app:<id>`, `default`, `quarantine`, ... */
  by: z.string(),
  tier: z.string(),
  /** The address pairs disagreed; `verdict`, `by` and `tier` are the first denied pair's. */
  mixed: z.boolean(),
  pairs: z.number().int(),
});
export type PolicyCell = z.infer<typeof PolicyCell>;

/** A protocol and port a policy question is asked on. */
export const PolicyPort = z.object({ protocol: Protocol, port: z.number().int() });
export type PolicyPort = z.infer<typeof PolicyPort>;

/** How much an explanation says: an app's tasks listed (`limit`), the ports its policy decisions are asked on (`ports`, else a default few). */
export interface ExplainOptions {
  limit?: number;
  ports?: readonly PolicyPort[];
}

/** Peers one decision covers, on one port. */
export const PolicyDecisionGroup = z.object({
  protocol: Protocol,
  port: z.number().int(),
  verdict: z.enum(["allow", "deny", "mixed"]),
  tier: z.string(),
  by: z.string(),
  /** The first peers (app ids, `node:<id>`), in the matrix's order; `total` counts them all. */
  peers: z.array(z.string()),
  total: z.number().int(),
});
export type PolicyDecisionGroup = z.infer<typeof PolicyDecisionGroup>;

/** The network policy around a task or an app. */
export const SubjectPolicy = z.object({
  /** False: no policy section, every connection is open. */
  configured: z.boolean(),
  /** Why it has fewer decisions than it would: its network's attach ACL quarantined it (or some of its tasks), it is not on any network. */
  reasons: z.array(Reason),
  /** The ports asked (both ways): those given, or the host ports it holds, then those the policy names, a few. */
  ports: z.array(PolicyPort),
  /** The default ports not asked; ask for them by name. */
  portsLeftOut: z.array(PolicyPort),
  /** Who may reach it. */
  inbound: z.array(PolicyDecisionGroup),
  /** What it may reach. */
  outbound: z.array(PolicyDecisionGroup),
});
export type SubjectPolicy = z.infer<typeof SubjectPolicy>;

export const TaskExplanation = z.object({
  kind: z.literal("task"),
  task: TaskFacts,
  dns: z.object({ records: z.array(z.object({ name: z.string(), type: RecordType, data: z.union([z.string(), SrvData]) })), reasons: z.array(Reason) }),
  vips: z.object({ memberships: z.array(TaskVipMembership), reasons: z.array(Reason) }),
  haproxy: z.object({ servers: z.array(TaskHaproxyServer), reasons: z.array(Reason) }),
  overlay: z.object({ addresses: z.array(TaskOverlayAddress), reasons: z.array(Reason) }),
  policy: SubjectPolicy,
  /** Every diagnostic about the task. */
  diagnostics: z.array(Diagnostic),
});
export type TaskExplanation = z.infer<typeof TaskExplanation>;

/** One line per task of an app: what it produced, in counts, and the first reason it fell short. */
export const TaskSummary = z.object({
  id: z.string(),
  state: z.string().optional(),
  agentId: z.string().optional(),
  dnsNames: z.number().int(),
  vips: z.number().int(),
  haproxyServers: z.number().int(),
  overlayAddresses: z.number().int(),
  reasons: z.array(Reason),
});
export type TaskSummary = z.infer<typeof TaskSummary>;

export const AppHaproxyService = z.object({
  group: z.string(),
  backend: z.string(),
  servicePort: z.number().int(),
  mode: z.enum(["tcp", "http"]),
  vhosts: z.array(z.string()),
  servers: z.number().int(),
  size: z.number().int(),
});

export const AppExplanation = z.object({
  kind: z.literal("app"),
  app: z.object({
    id: z.string(),
    instances: z.number().int().optional(),
    /** Its labels that steer wayfinder (HAPROXY_*, VIP*). */
    labels: z.record(z.string(), z.string()),
    tasks: z.number().int(),
  }),
  haproxy: z.object({ services: z.array(AppHaproxyService), reasons: z.array(Reason) }),
  policy: SubjectPolicy,
  /** The first `limit` tasks by id; `tasks.length < app.tasks` means more were left out. */
  tasks: z.array(TaskSummary),
  diagnostics: z.array(Diagnostic),
});
export type AppExplanation = z.infer<typeof AppExplanation>;

export const NotFound = z.object({
  kind: z.literal("not-found"),
  subject: ExplainSubject,
  query: z.string(),
  message: z.string(),
  /** The closest known subjects by edit distance, nearest first. */
  closest: z.array(z.string()),
});
export type NotFound = z.infer<typeof NotFound>;

export const Explanation = z.discriminatedUnion("kind", [NameExplanation, VipExplanation, TaskExplanation, AppExplanation, NotFound]);
export type Explanation = z.infer<typeof Explanation>;
