/**
 * @module
 * Admission and the network policy, one change at a time. Admission is per task (its networks'
 * attach ACLs, against its framework and the agents' addresses): a task it refuses is absent to
 * every other artifact, so the reconciler asks here before it derives a task, and hears which
 * tasks changed side (an agent address coming or going can rename the network of a task
 * address equal to it). The policy itself is keyed (settings, each set, each identity, each
 * node's part) but worked out whole after a change while it has a config: its sets and
 * identities couple every endpoint of the cluster.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import { attachDiagnostic, compileAttachAcls, firstRefusal, type CompiledEntry } from "../admission/index.ts";
import { policyState } from "../policy/index.ts";
import { isTerminal, networkContext, taskNetworks, type NetworkContext } from "../task-facts/task-networks.ts";
import { latestStatus } from "../task-facts/task-network.ts";
import { Part, setDiagnostics, setProducerDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";
import { policyPieces } from "../keyed/policy-pieces.ts";
import type { SnapshotInputs } from "./inputs.ts";

/**
 * @example
 * const policy = new PolicyState(objects, snapshot, inputs);
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
  #keys = new Set<string>();
  #subjects = new Set<string>();

  constructor(
    private readonly objects: KeyedObjects,
    private readonly snapshot: Pick<ClusterSnapshot, "config" | "agents" | "tasks">,
    private readonly inputs: SnapshotInputs,
  ) {
    this.#acls = compileAttachAcls(snapshot.config.policy);
    const context = networkContext({ ...(snapshot as ClusterSnapshot), agents: [] });
    this.#context = { overlays: context.overlays, agentIps: new Set() };
    for (const agent of snapshot.agents) this.setAgent(undefined, agent.ips);
    for (const task of snapshot.tasks) this.setTask(task.id, task);
    for (const [key] of objects.entries()) if (key.startsWith("policy/") || (key.startsWith("node/") && key.endsWith("/policy"))) this.#keys.add(key);
    for (const [key, stored] of objects.entries()) {
      if (key.startsWith(`control/diag/${Part.policy}/`)) for (const d of JSON.parse(stored.json) as Diagnostic[]) this.#subjects.add(d.subject);
    }
  }

  /** True when the task is kept off its networks now. */
  isQuarantined(id: string): boolean {
    return this.#quarantined.has(id);
  }

  /** An agent's addresses changed; returns the tasks whose addresses they name (their networks may change). */
  setAgent(before: readonly string[] | undefined, after: readonly string[] | undefined): Set<string> {
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

  /** A task as it is now; returns whether it changed side (admitted ⇄ quarantined). */
  setTask(id: string, task: Task | undefined): boolean {
    if (this.#acls.size === 0) return false;
    for (const ip of this.#addressesOf.get(id) ?? []) this.#byAddress.get(ip)?.delete(id);
    this.#addressesOf.delete(id);
    if (task !== undefined) {
      const ips = [...new Set((latestStatus(task)?.networkInfos ?? []).flatMap((n) => n.ipAddresses))];
      this.#addressesOf.set(id, ips);
      for (const ip of ips) {
        const set = this.#byAddress.get(ip) ?? new Set<string>();
        this.#byAddress.set(ip, set.add(id));
      }
    }
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

  /** Works the policy out again (while the config has one) and writes the pieces that changed. */
  flush(base: Omit<ClusterSnapshot, "tasks" | "agents" | "frameworks" | "marathonApps" | "previous">, entryOf: () => Record<string, OverlayNode>): void {
    if (base.config.policy === undefined) return;
    const lists = this.inputs.lists();
    const snapshot: ClusterSnapshot = {
      ...base,
      ...lists,
      tasks: lists.tasks.filter((t) => !this.#quarantined.has(t.id)),
      marathonApps: lists.marathonApps.map((app) => this.admittedApp(app)!),
      previous: {},
    };
    const result = policyState({ snapshot, quarantined: lists.tasks.filter((t) => this.#quarantined.has(t.id)), overlayNodes: entryOf() });
    const pieces = result.policy === undefined ? new Map<string, unknown>() : policyPieces(result.policy);
    for (const key of this.#keys) if (!pieces.has(key)) this.objects.delete(key);
    for (const [key, value] of pieces) this.objects.set(key, value);
    this.#keys = new Set(pieces.keys());
    setProducerDiagnostics(this.objects, Part.policy, this.#subjects, result.diagnostics);
    this.#subjects = new Set(result.diagnostics.map((d) => d.subject));
  }

  #refusal(task: Task) {
    return firstRefusal(this.#acls, task, this.inputs.frameworks.get(task.frameworkId), taskNetworks(task, this.#context));
  }
}
