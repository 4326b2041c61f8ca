/**
 * @module
 * The Mesos operator API → the Mesos part of a ClusterSnapshot. Takes either one `GET_STATE`
 * response or a `SUBSCRIBE` stream (an array of events, see `splitJsonValues`) and folds the
 * events in order, as dcos-net's listener did: `SUBSCRIBED` sets the whole state, then tasks,
 * frameworks and agents are added, updated and removed. Terminal tasks stay, with their state;
 * the reconcilers decide what counts. Pure: hostnames are resolved by an injected function.
 */
import type { z } from "zod";
import type { Agent, ClusterSnapshot, Framework, Task } from "../schema.ts";
import { InputError, jsonPath, type InputIssue } from "../issues.ts";
import {
  RAW_EVENTS,
  RawEventHeader,
  RawGetStateResponse,
  TASK_LISTS,
  type RawFrameworkInfo,
  type RawGetState,
} from "./operator-schema.ts";
import {
  agentRecord,
  frameworkRecord,
  recoveredAgentRecord,
  statusRecord,
  taskRecord,
  type ResolveHost,
} from "./operator-records.ts";
import { compareStrings } from "../../net/compare.ts";

export type { ResolveHost } from "./operator-records.ts";

export interface OperatorStateOptions {
  /** Names the payload in error messages (a file name or URL). */
  source: string;
  /** Hostname → IPs, for agents and frameworks whose hostname is not an IP literal. Default: none. */
  resolveHost?: ResolveHost;
  /** The elected master's PID (`master@ip:port`); the operator API does not say. Default `""`. */
  leader?: string;
  /** The masters as `host:port`, leader first; the operator API does not say. Default `[]`. */
  masters?: readonly string[];
}

/** The part of a ClusterSnapshot that Mesos describes (the same shape the `/master/state` adapter returns). */
export type MesosPart = Pick<ClusterSnapshot, "leader" | "masters" | "agents" | "frameworks" | "tasks">;

/**
 * Builds the Mesos part of a snapshot from an operator-API payload. A payload that does not
 * match the API throws an `InputError` whose paths point into it (`events[3].task_added.task.task_id`
 * for streams, `get_state.get_tasks.tasks[0].state` for a single response). Records come out
 * sorted by id, so two captures of the same state give the same snapshot.
 * @example
 * const events = splitJsonValues(text, "operator.json");
 * fromOperatorState(events, { source: "operator.json", masters: ["10.0.0.1:5050"] }).tasks.length // 12
 */
export function fromOperatorState(payload: unknown, options: OperatorStateOptions): MesosPart {
  const resolveHost = options.resolveHost ?? (() => []);
  const fold = new StateFold(resolveHost);
  if (Array.isArray(payload)) foldEvents(fold, payload, options.source);
  else if (isEvent(payload, "SUBSCRIBED")) foldEvents(fold, [payload], options.source);
  else fold.reset(parse(RawGetStateResponse, payload, [], options.source).get_state);
  return {
    leader: options.leader ?? "",
    masters: [...(options.masters ?? [])],
    agents: byId(fold.agents),
    frameworks: byId(fold.frameworks),
    tasks: byId(fold.tasks).map((task) => withFrameworkIdentity(task, fold.frameworks.get(task.frameworkId))),
  };
}

/**
 * A task launched by a framework carries that framework's principal, and its role when its
 * resources name none (frameworks older than multi-role): who may attach where is decided
 * per task, and tasks outlive events about their framework.
 */
function withFrameworkIdentity(task: Task, framework: Framework | undefined): Task {
  if (framework === undefined) return task;
  const role = task.role ?? framework.role;
  return {
    ...task,
    ...(framework.principal === undefined ? {} : { principal: framework.principal }),
    ...(role === undefined ? {} : { role }),
  };
}

type EventType = keyof typeof RAW_EVENTS;
type RawEvent = { [K in EventType]: { type: K } & z.infer<(typeof RAW_EVENTS)[K]> }[EventType];

function foldEvents(fold: StateFold, events: readonly unknown[], source: string): void {
  const issues: InputIssue[] = [];
  const parsed: RawEvent[] = [];
  for (const [index, event] of events.entries()) {
    const header = RawEventHeader.safeParse(event);
    if (!header.success) {
      issues.push(...zodIssues(header.error, ["events", index]));
      continue;
    }
    const type = header.data.type;
    if (index === 0 && type !== "SUBSCRIBED") {
      // Without the SUBSCRIBED state the events describe changes to an unknown base.
      issues.push({ path: "events[0].type", message: `a SUBSCRIBE stream starts with SUBSCRIBED, not ${type}` });
      continue;
    }
    // HEARTBEAT and event types wayfinder does not read are skipped.
    if (!Object.hasOwn(RAW_EVENTS, type)) continue;
    const result = RAW_EVENTS[type as EventType].safeParse(event);
    if (result.success) parsed.push({ ...result.data, type } as RawEvent);
    else issues.push(...zodIssues(result.error, ["events", index]));
  }
  if (events.length === 0) issues.push({ path: "events", message: "a SUBSCRIBE stream holds at least the SUBSCRIBED event" });
  if (issues.length > 0) throw new InputError(source, issues);
  for (const event of parsed) fold.apply(event);
}

/** The state being folded: one map per record kind, keyed by id. */
class StateFold {
  readonly agents = new Map<string, Agent>();
  readonly frameworks = new Map<string, Framework>();
  readonly tasks = new Map<string, Task>();

  constructor(private readonly resolveHost: ResolveHost) {}

  reset(state: RawGetState): void {
    this.agents.clear();
    this.frameworks.clear();
    this.tasks.clear();
    for (const info of state.get_agents?.recovered_agents ?? []) this.#putAgent(recoveredAgentRecord(info, this.resolveHost));
    for (const agent of state.get_agents?.agents ?? []) this.#putAgent(agentRecord(agent, this.resolveHost));
    for (const fw of state.get_frameworks?.frameworks ?? []) {
      const record = frameworkRecord(fw.framework_info, this.resolveHost);
      this.frameworks.set(record.id, record);
    }
    // Lists run from finished to active, so a re-used task id ends up with its live record.
    for (const list of TASK_LISTS) {
      for (const raw of state.get_tasks?.[list] ?? []) this.tasks.set(raw.task_id.value, taskRecord(raw));
    }
  }

  apply(event: RawEvent): void {
    switch (event.type) {
      case "SUBSCRIBED":
        return this.reset(event.subscribed.get_state);
      case "TASK_ADDED":
        this.tasks.set(event.task_added.task.task_id.value, taskRecord(event.task_added.task));
        return;
      case "TASK_UPDATED": {
        const { state, status } = event.task_updated;
        const task = this.tasks.get(status.task_id.value);
        // Mesos sends TASK_ADDED first; an update for a task never added has nothing to attach to.
        if (task === undefined) return;
        this.tasks.set(task.id, { ...task, state, statuses: [...task.statuses, statusRecord(status)] });
        return;
      }
      case "FRAMEWORK_ADDED":
        return this.#putFramework(event.framework_added.framework.framework_info);
      case "FRAMEWORK_UPDATED":
        return this.#putFramework(event.framework_updated.framework.framework_info);
      case "FRAMEWORK_REMOVED":
        this.frameworks.delete(event.framework_removed.framework_info.id.value);
        return;
      case "AGENT_ADDED":
        return this.#putAgent(agentRecord(event.agent_added.agent, this.resolveHost));
      case "AGENT_REMOVED":
        this.agents.delete(event.agent_removed.agent_id.value);
        return;
    }
  }

  #putAgent(agent: Agent): void {
    this.agents.set(agent.id, agent);
  }

  #putFramework(info: RawFrameworkInfo): void {
    const record = frameworkRecord(info, this.resolveHost);
    this.frameworks.set(record.id, record);
  }
}

function isEvent(value: unknown, type: string): boolean {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === type;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, prefix: PropertyKey[], source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InputError(source, zodIssues(result.error, prefix));
  return result.data;
}

function zodIssues(error: z.ZodError, prefix: PropertyKey[]): InputIssue[] {
  return error.issues.map((issue) => ({ path: jsonPath([...prefix, ...issue.path]), message: issue.message }));
}

function byId<T extends { id: string }>(records: Map<string, T>): T[] {
  return [...records.values()].sort((a, b) => compareStrings(a.id, b.id));
}
