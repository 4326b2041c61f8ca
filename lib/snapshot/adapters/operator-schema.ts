/**
 * @module
 * The Mesos operator API (v1 JSON) as wayfinder reads it: the `GET_STATE` response and the
 * events of a `SUBSCRIBE` stream. Objects are loose, because the messages are large and grow
 * with each Mesos release; the fields read are checked strictly so a bad one fails at its own
 * JSON path. Field names stay in protobuf's snake case; the adapter renames them.
 */
import { z } from "zod";
import { RawContainer, RawDiscovery, RawLabels, RawNetworkInfo } from "./mesos-messages-schema.ts";

export type { RawNetworkInfo, RawPortMapping } from "./mesos-messages-schema.ts";

/** `{ "value": "..." }`: every Mesos id (TaskID, AgentID, FrameworkID) is wrapped like this. */
const RawId = z.looseObject({ value: z.string().min(1) });

const RawRange = z.looseObject({ begin: z.number().int(), end: z.number().int() });

const RawResource = z.looseObject({
  name: z.string(),
  /** Pre-refinement reservation format (`"*"` or the role). */
  role: z.string().optional(),
  reservations: z.array(z.looseObject({ role: z.string().optional() })).default([]),
  /** The role the resource is allocated to (multi-role frameworks, Mesos ≥ 1.2). */
  allocation_info: z.looseObject({ role: z.string().optional() }).optional(),
  ranges: z.looseObject({ range: z.array(RawRange).default([]) }).optional(),
});
export type RawResource = z.infer<typeof RawResource>;

export const RawStatus = z.looseObject({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  labels: RawLabels.optional(),
  container_status: z.looseObject({ network_infos: z.array(RawNetworkInfo).default([]) }).optional(),
});
export type RawStatus = z.infer<typeof RawStatus>;

export const RawTask = z.looseObject({
  name: z.string(),
  task_id: RawId,
  framework_id: RawId,
  agent_id: RawId,
  state: z.string(),
  resources: z.array(RawResource).default([]),
  statuses: z.array(RawStatus).default([]),
  labels: RawLabels.optional(),
  discovery: RawDiscovery.optional(),
  container: RawContainer.optional(),
  health_check: z.unknown().optional(),
});
export type RawTask = z.infer<typeof RawTask>;

/** An agent attribute; only its value matters (text, scalar, ranges or set). */
const RawAttribute = z.looseObject({
  name: z.string(),
  text: z.looseObject({ value: z.string() }).optional(),
  scalar: z.looseObject({ value: z.number() }).optional(),
  ranges: z.looseObject({ range: z.array(RawRange).default([]) }).optional(),
  set: z.looseObject({ item: z.array(z.string()).default([]) }).optional(),
});
export type RawAttribute = z.infer<typeof RawAttribute>;

/** `AgentInfo`: what an agent says about itself (also the whole record of a recovered agent). */
export const RawAgentInfo = z.looseObject({
  id: RawId,
  hostname: z.string(),
  resources: z.array(RawResource).default([]),
  attributes: z.array(RawAttribute).default([]),
});
export type RawAgentInfo = z.infer<typeof RawAgentInfo>;

/** The master's view of a registered agent. */
export const RawAgent = z.looseObject({
  agent_info: RawAgentInfo,
  pid: z.string().optional(),
  total_resources: z.array(RawResource).default([]),
});
export type RawAgent = z.infer<typeof RawAgent>;

export const RawFrameworkInfo = z.looseObject({
  id: RawId,
  name: z.string(),
  hostname: z.string().optional(),
  principal: z.string().optional(),
  /** The single role of Mesos < 1.3; multi-role frameworks list `roles`. */
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
});
export type RawFrameworkInfo = z.infer<typeof RawFrameworkInfo>;

const RawFramework = z.looseObject({ framework_info: RawFrameworkInfo });

/**
 * `GetTasks` lists of the master (`tasks`, `pending_tasks`, `unreachable_tasks`,
 * `completed_tasks`, `orphan_tasks`) and of an agent (`launched_tasks`, `queued_tasks`,
 * `terminated_tasks`): dcos-net's fixtures use both.
 */
export const TASK_LISTS = [
  "completed_tasks",
  "terminated_tasks",
  "orphan_tasks",
  "unreachable_tasks",
  "pending_tasks",
  "queued_tasks",
  "launched_tasks",
  "tasks",
] as const;

const RawTaskList = z.array(RawTask).default([]);

export const RawGetState = z.looseObject({
  get_tasks: z.looseObject(Object.fromEntries(TASK_LISTS.map((k) => [k, RawTaskList])) as Record<
    (typeof TASK_LISTS)[number],
    typeof RawTaskList
  >).optional(),
  get_frameworks: z.looseObject({ frameworks: z.array(RawFramework).default([]) }).optional(),
  get_agents: z
    .looseObject({
      agents: z.array(RawAgent).default([]),
      /** Agents known from the registry that have not re-registered since a master failover. */
      recovered_agents: z.array(RawAgentInfo).default([]),
    })
    .optional(),
});
export type RawGetState = z.infer<typeof RawGetState>;

/** A `GET_STATE` response. */
export const RawGetStateResponse = z.looseObject({ type: z.literal("GET_STATE"), get_state: RawGetState });

/** The events of a `SUBSCRIBE` stream wayfinder folds; other event types are skipped. */
export const RAW_EVENTS = {
  SUBSCRIBED: z.looseObject({ subscribed: z.looseObject({ get_state: RawGetState }) }),
  TASK_ADDED: z.looseObject({ task_added: z.looseObject({ task: RawTask }) }),
  TASK_UPDATED: z.looseObject({
    task_updated: z.looseObject({
      /** The task's latest state, which can differ from the state of the status it carries. */
      state: z.string(),
      status: RawStatus.extend({ task_id: RawId }),
    }),
  }),
  FRAMEWORK_ADDED: z.looseObject({ framework_added: z.looseObject({ framework: RawFramework }) }),
  FRAMEWORK_UPDATED: z.looseObject({ framework_updated: z.looseObject({ framework: RawFramework }) }),
  FRAMEWORK_REMOVED: z.looseObject({ framework_removed: z.looseObject({ framework_info: RawFrameworkInfo }) }),
  AGENT_ADDED: z.looseObject({ agent_added: z.looseObject({ agent: RawAgent }) }),
  AGENT_REMOVED: z.looseObject({ agent_removed: z.looseObject({ agent_id: RawId }) }),
} as const;

/** Every event names its type; the rest of its shape depends on it. */
export const RawEventHeader = z.looseObject({ type: z.string() });
