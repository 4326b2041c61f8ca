/**
 * @module
 * Admission and the network policy, one change at a time. Admission is per task (its networks'
 * attach ACLs, against its framework and the agents' addresses): a task it refuses is absent to
 * every other artifact, so the reconciler asks here before it derives a task, and hears which
 * tasks changed side (an agent address coming or going can rename the network of a task
 * address equal to it). The policy model (`functions/policy/model.ts`) takes the tasks and
 * nodes a change touched (a task, the tasks of an app whose labels changed, an agent and its
 * tasks, an overlay entry) and writes only the pieces they change: a task change costs its
 * membership, its node's part and whatever identity or app tier it is the first or last of.
 */
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import { attachDiagnostic, compileAttachAcls, firstRefusal, type CompiledEntry } from "../admission/index.ts";
import { nodeSlices, type PolicyModel } from "../policy/index.ts";
import { nodeEndpoint, taskEndpoints } from "../policy/endpoints.ts";
import { isTerminal, networkContext, taskNetworks, type NetworkContext } from "../task-facts/task-networks.ts";
import { latestStatus } from "../task-facts/task-network.ts";
import { Part, setDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import { policySink } from "../keyed/policy-pieces.ts";
import type { SnapshotInputs } from "./inputs.ts";

/**
 * @example
 * const policy = new PolicyState(objects, snapshot, inputs, derivation.policy);
 * policy.setTask(task.id, task); policy.isQuarantined(task.id) // true for a task its network refuses
 */
export class PolicyState {
  readonly #acls: Map<string, CompiledEntry[]>;
  readonly #context: NetworkContext & { agentIps: Set<string> };
  readonly #agentIps = new Map<string, number>();
  /** Status address → the tasks reporting it (their network may be `host` by an agent's address). */
  readonly #byAddress = new Map<string, Set<string>>();
  readonly #addressesOf = new Map<string, string[]>();
  readonly #quarantined = new Set<string>();
  /** Marathon app id → the tasks that name it: their labels are the app's. */
  readonly #tasksOfApp = new Map<string, Set<string>>();
  readonly #appOf = new Map<string, string>();
  #dirtyTasks = new Set<string>();
  #dirtyNodes = new Set<string>();

  constructor(
    private readonly objects: KeyedObjects,
    snapshot: Pick<ClusterSnapshot, "config" | "agents" | "tasks">,
    private readonly inputs: SnapshotInputs,
    private readonly model: PolicyModel | undefined,
  ) {
    this.#acls = compileAttachAcls(snapshot.config.policy);
    const context = networkContext({ ...(snapshot as ClusterSnapshot), agents: [] });
    this.#context = { overlays: context.overlays, agentIps: new Set() };
    for (const agent of snapshot.agents) this.#bumpAgentIps(undefined, agent.ips);
    for (const task of snapshot.tasks) this.setTask(task.id, task);
    // The model was derived with everything as it is.
    this.#dirtyTasks = new Set();
  }

  /** True when the task is kept off its networks now. */
  isQuarantined(id: string): boolean {
    return this.#quarantined.has(id);
  }

  /** An agent changed; returns the tasks whose addresses its addresses name (their networks may change). */
  setAgent(id: string, before: readonly string[] | undefined, after: readonly string[] | undefined): Set<string> {
    this.#dirtyNodes.add(id);
    return this.#bumpAgentIps(before, after);
  }

  /** An overlay node's entry changed (its VTEP, bridges and slices are the policy's too). */
  setNode(key: string): void {
    this.#dirtyNodes.add(key);
  }

  /** A Marathon app changed: its tasks' labels may have. */
  setApp(id: string): void {
    for (const task of this.#tasksOfApp.get(id) ?? []) this.#dirtyTasks.add(task);
  }

  /** A task as it is now; returns whether it changed side (admitted ⇄ quarantined). */
  setTask(id: string, task: Task | undefined): boolean {
    if (this.model === undefined) return false;
    this.#dirtyTasks.add(id);
    this.#index(id, task);
    if (this.#acls.size === 0) return false;
    const refused = task === undefined || isTerminal(task) ? undefined : this.#refusal(task);
    const framework = task === undefined ? undefined : this.inputs.frameworks.get(task.frameworkId);
    setDiagnostics(this.objects, Part.admission, `task:${id}`, refused === undefined ? [] : [attachDiagnostic(task!, framework, refused)]);
    const was = this.#quarantined.has(id);
    if (refused === undefined) this.#quarantined.delete(id);
    else this.#quarantined.add(id);
    return was !== (refused !== undefined);
  }

  /** A Marathon app as every artifact sees it: without its quarantined tasks. */
  admittedApp(app: MarathonApp | undefined): MarathonApp | undefined {
    if (app === undefined || this.#quarantined.size === 0 || !app.tasks?.some((t) => this.#quarantined.has(t.id))) return app;
    return { ...app, tasks: app.tasks.filter((t) => !this.#quarantined.has(t.id)) };
  }

  /** Hands the touched tasks and nodes to the policy model and writes the pieces that changed. */
  flush(entryOf: (key: string) => OverlayNode | undefined): void {
    const model = this.model;
    if (model === undefined) return;
    const labels = new Map<string, Readonly<Record<string, string>> | undefined>();
    const labelsOf = (app: string) => {
      if (!labels.has(app)) labels.set(app, this.inputs.app(app)?.labels);
      return labels.get(app);
    };
    for (const id of this.#dirtyTasks) {
      const task = this.inputs.task(id);
      const endpoints = task === undefined ? [] : taskEndpoints(task, this.inputs.agents.get(task.agentId), task.appId === undefined ? undefined : labelsOf(task.appId), this.#context);
      model.setTask(id, endpoints, this.#quarantined.has(id));
    }
    for (const key of this.#dirtyNodes) {
      const entry = entryOf(key);
      model.setNode(key, nodeEndpoint(key, this.inputs.agents.get(key), entry), nodeSlices(entry));
    }
    this.#dirtyTasks = new Set();
    this.#dirtyNodes = new Set();
    model.flush(policySink(this.objects));
  }

  /** The task's status addresses and app, for the changes that reach it through them. */
  #index(id: string, task: Task | undefined): void {
    for (const ip of this.#addressesOf.get(id) ?? []) this.#byAddress.get(ip)?.delete(id);
    this.#addressesOf.delete(id);
    const app = this.#appOf.get(id);
    if (app !== undefined) this.#tasksOfApp.get(app)?.delete(id);
    this.#appOf.delete(id);
    if (task === undefined) return;
    const ips = [...new Set((latestStatus(task)?.networkInfos ?? []).flatMap((n) => n.ipAddresses))];
    this.#addressesOf.set(id, ips);
    for (const ip of ips) {
      const set = this.#byAddress.get(ip) ?? new Set<string>();
      this.#byAddress.set(ip, set.add(id));
    }
    if (task.appId !== undefined) {
      this.#appOf.set(id, task.appId);
      const set = this.#tasksOfApp.get(task.appId) ?? new Set<string>();
      this.#tasksOfApp.set(task.appId, set.add(id));
    }
  }

  #bumpAgentIps(before: readonly string[] | undefined, after: readonly string[] | undefined): Set<string> {
    const tasks = new Set<string>();
    const bump = (ip: string, delta: 1 | -1) => {
      const n = (this.#agentIps.get(ip) ?? 0) + delta;
      if (n === 0) this.#agentIps.delete(ip);
      else this.#agentIps.set(ip, n);
      const had = this.#context.agentIps.has(ip);
      if (n > 0) this.#context.agentIps.add(ip);
      else this.#context.agentIps.delete(ip);
      if (had !== n > 0) for (const id of this.#byAddress.get(ip) ?? []) tasks.add(id);
    };
    for (const ip of before ?? []) bump(ip, -1);
    for (const ip of after ?? []) bump(ip, 1);
    return tasks;
  }

  #refusal(task: Task) {
    return firstRefusal(this.#acls, task, this.inputs.frameworks.get(task.frameworkId), taskNetworks(task, this.#context));
  }
}
