/**
 * @module
 * The snapshot an incremental reconciler holds, by id, in one compact copy: tasks and Marathon
 * apps as their JSON text (parsed again only when a change touches them), agents and frameworks
 * (a few thousand) as objects, and the indexes a change needs to find what it touches: the
 * tasks of an agent and of a framework (by the ids the tasks name, known or not), and which
 * Marathon apps list a Mesos task.
 */
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";

/**
 * @example
 * const inputs = SnapshotInputs.of(snapshot);
 * inputs.tasksOfAgent("S1") // Set {"web.1"}
 */
export class SnapshotInputs {
  readonly #tasks = new Map<string, string>();
  readonly #apps = new Map<string, string>();
  readonly agents = new Map<string, Agent>();
  readonly frameworks = new Map<string, Framework>();
  readonly #byAgent = new Map<string, Set<string>>();
  readonly #byFramework = new Map<string, Set<string>>();
  /** Mesos task id → the Marathon apps that list it. */
  readonly #appsOfTask = new Map<string, Set<string>>();

  /** Every id of each list must be unique (a keyed snapshot): `duplicateIds` says which are not. */
  static of(snapshot: ClusterSnapshot): SnapshotInputs {
    const inputs = new SnapshotInputs();
    for (const agent of snapshot.agents) inputs.agents.set(agent.id, agent);
    for (const framework of snapshot.frameworks) inputs.frameworks.set(framework.id, framework);
    for (const task of snapshot.tasks) inputs.setTask(task.id, task);
    for (const app of snapshot.marathonApps) inputs.setApp(app.id, app);
    return inputs;
  }

  task(id: string): Task | undefined {
    const json = this.#tasks.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as Task);
  }

  /** Sets or deletes a task; returns the one it replaced. */
  setTask(id: string, task: Task | undefined): Task | undefined {
    const old = this.task(id);
    if (old !== undefined) {
      unindex(this.#byAgent, old.agentId, id);
      unindex(this.#byFramework, old.frameworkId, id);
      this.#tasks.delete(id);
    }
    if (task !== undefined) {
      this.#tasks.set(id, JSON.stringify(task));
      index(this.#byAgent, task.agentId, id);
      index(this.#byFramework, task.frameworkId, id);
    }
    return old;
  }

  app(id: string): MarathonApp | undefined {
    const json = this.#apps.get(id);
    return json === undefined ? undefined : (JSON.parse(json) as MarathonApp);
  }

  /** Sets or deletes a Marathon app; returns the one it replaced. */
  setApp(id: string, app: MarathonApp | undefined): MarathonApp | undefined {
    const old = this.app(id);
    if (old !== undefined) {
      for (const task of old.tasks ?? []) unindex(this.#appsOfTask, task.id, id);
      this.#apps.delete(id);
    }
    if (app !== undefined) {
      this.#apps.set(id, JSON.stringify(app));
      for (const task of app.tasks ?? []) index(this.#appsOfTask, task.id, id);
    }
    return old;
  }

  /** The tasks that name this agent (whether it exists or not). */
  tasksOfAgent(id: string): ReadonlySet<string> {
    return this.#byAgent.get(id) ?? EMPTY;
  }

  /** The tasks that name this framework (whether it exists or not). */
  tasksOfFramework(id: string): ReadonlySet<string> {
    return this.#byFramework.get(id) ?? EMPTY;
  }

  /** The Marathon apps that list this Mesos task id among their tasks. */
  appsOfTask(id: string): ReadonlySet<string> {
    return this.#appsOfTask.get(id) ?? EMPTY;
  }

  /** Every Marathon app, parsed (for whoever needs them all). */
  apps(): MarathonApp[] {
    return [...this.#apps.values()].map((json) => JSON.parse(json) as MarathonApp);
  }

  /** The snapshot's lists, rebuilt. */
  lists(): Pick<ClusterSnapshot, "tasks" | "agents" | "frameworks" | "marathonApps"> {
    return {
      tasks: [...this.#tasks.values()].map((json) => JSON.parse(json) as Task),
      agents: [...this.agents.values()],
      frameworks: [...this.frameworks.values()],
      marathonApps: this.apps(),
    };
  }
}

/**
 * The ids a snapshot lists more than once, per list: a keyed snapshot (and an incremental
 * reconciler) holds each id once.
 * @example duplicateIds(snapshot) // [{ list: "tasks", id: "web.1" }]
 */
export function duplicateIds(snapshot: ClusterSnapshot): Array<{ list: "tasks" | "agents" | "frameworks" | "marathonApps"; id: string }> {
  const out: Array<{ list: "tasks" | "agents" | "frameworks" | "marathonApps"; id: string }> = [];
  for (const list of ["tasks", "agents", "frameworks", "marathonApps"] as const) {
    const seen = new Set<string>();
    for (const { id } of snapshot[list]) {
      if (seen.has(id)) out.push({ list, id });
      seen.add(id);
    }
  }
  return out;
}

const EMPTY: ReadonlySet<string> = new Set();

function index(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([id]));
  else set.add(id);
}

function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
