/**
 * @module
 * Everything `explain` reads for one generation of a cluster: the snapshot, the desired state
 * reconciled from it, the provenance reported while reconciling and the policy's answers
 * (handed in, so this folder imports no other artifact's). The lookups it needs
 * (tasks by id, backends by task, name → owners, ...) are built on first use and kept for the
 * life of the context, so explaining one thing costs a map access, never a reconcile, and a
 * generation nobody explains builds nothing.
 */
import type { DesiredState, Diagnostic, DnsRecordType, DnsZone, L4Backend, L4Service, SrvData } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { Agent, ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import type { HaproxyServiceFact, OverlayAddressFact } from "../../lib/desired/provenance.ts";
import type { ProvenanceLedger } from "./ledger.ts";
import type { PolicyCell, PolicyPort } from "./schema.ts";

/**
 * The policy questions explain asks: `functions/policy/questions.ts` answers them (the caller
 * passes `policyQuestions(snapshot, desired)`); explain only groups the answers.
 */
export interface PolicyAnswers {
  readonly configured: boolean;
  /** Every app and node against `name` (inbound) and `name` against every app (outbound), on `ports` or the default ones. */
  around(name: string, ports?: readonly PolicyPort[]): { ports: PolicyPort[]; portsLeftOut: PolicyPort[]; inbound: PolicyCell[]; outbound: PolicyCell[] } | { unknown: string };
}

/** A record an owner put in, as the name index keeps it. */
export interface NamedRecord {
  owner: string;
  type: DnsRecordType;
  data: string | SrvData;
}

export interface HaproxyPlacement {
  group: string;
  service: HaproxyServiceFact;
}

/**
 * @example
 * const ledger = new ProvenanceLedger();
 * const desired = reconcile(snapshot, { provenance: ledger });
 * const context = new ExplainContext(snapshot, desired, ledger, policyQuestions(snapshot, desired));
 * explainTask(context, "web.1").kind // "task"
 */
export class ExplainContext {
  #tasks: Map<string, Task> | undefined;
  #agents: Map<string, Agent> | undefined;
  #frameworks: Map<string, Framework> | undefined;
  #apps: Map<string, MarathonApp> | undefined;
  #appOfTask: Map<string, string> | undefined;
  #diagnostics: Map<string, Diagnostic[]> | undefined;
  #names: Map<string, NamedRecord[]> | undefined;
  #backends: Map<string, Array<{ service: L4Service; backend: L4Backend }>> | undefined;
  #servers: Map<string, HaproxyPlacement[]> | undefined;
  #overlayTasks: Map<string, Array<{ taskId: string; agentId: string | undefined; fact: OverlayAddressFact }>> | undefined;

  constructor(
    readonly snapshot: ClusterSnapshot,
    readonly desired: DesiredState,
    readonly ledger: ProvenanceLedger,
    readonly policy: PolicyAnswers,
  ) {}

  get tasks(): ReadonlyMap<string, Task> {
    return (this.#tasks ??= new Map(this.snapshot.tasks.map((t) => [t.id, t])));
  }

  get agents(): ReadonlyMap<string, Agent> {
    return (this.#agents ??= new Map(this.snapshot.agents.map((a) => [a.id, a])));
  }

  get frameworks(): ReadonlyMap<string, Framework> {
    return (this.#frameworks ??= new Map(this.snapshot.frameworks.map((f) => [f.id, f])));
  }

  get apps(): ReadonlyMap<string, MarathonApp> {
    return (this.#apps ??= new Map(this.snapshot.marathonApps.map((a) => [a.id, a])));
  }

  /** Marathon task id (the Mesos task id too) → its app id. */
  get appOfTask(): ReadonlyMap<string, string> {
    if (this.#appOfTask === undefined) {
      this.#appOfTask = new Map();
      for (const app of this.snapshot.marathonApps) for (const task of app.tasks ?? []) this.#appOfTask.set(task.id, app.id);
    }
    return this.#appOfTask;
  }

  /** The diagnostics about `subject` (`task:<id>`, `app:<id>`, ...). */
  diagnosticsOf(subject: string): readonly Diagnostic[] {
    if (this.#diagnostics === undefined) {
      this.#diagnostics = new Map();
      for (const d of this.desired.diagnostics) {
        const list = this.#diagnostics.get(d.subject);
        if (list === undefined) this.#diagnostics.set(d.subject, [d]);
        else list.push(d);
      }
    }
    return this.#diagnostics.get(subject) ?? [];
  }

  /** Who put which record on `name` (lowercase, no trailing dot). */
  recordsAt(name: string): readonly NamedRecord[] {
    if (this.#names === undefined) {
      const names = new Map<string, NamedRecord[]>();
      this.ledger.forEachRecord((owner, at, type, data) => {
        const list = names.get(at);
        if (list === undefined) names.set(at, [{ owner, type, data }]);
        else list.push({ owner, type, data });
      });
      this.#names = names;
    }
    return this.#names.get(name) ?? [];
  }

  /** The zone holding `name`: the longest origin it ends with. */
  zoneOf(name: string): DnsZone | undefined {
    let best: DnsZone | undefined;
    for (const zone of this.desired.dns.zones) {
      if ((name === zone.origin || name.endsWith(`.${zone.origin}`)) && (best === undefined || zone.origin.length > best.origin.length)) best = zone;
    }
    return best;
  }

  /** The VIP backends a task serves. */
  backendsOf(taskId: string): ReadonlyArray<{ service: L4Service; backend: L4Backend }> {
    if (this.#backends === undefined) {
      this.#backends = new Map();
      for (const service of this.desired.l4lb.services) {
        for (const backend of service.backends) {
          const list = this.#backends.get(backend.taskId);
          if (list === undefined) this.#backends.set(backend.taskId, [{ service, backend }]);
          else list.push({ service, backend });
        }
      }
    }
    return this.#backends.get(taskId) ?? [];
  }

  /** The HAProxy servers a task fills, with their group and service. */
  serversOf(taskId: string): ReadonlyArray<HaproxyPlacement & { server: HaproxyServiceFact["servers"][number] }> {
    if (this.#servers === undefined) {
      this.#servers = new Map();
      for (const placement of this.ledger.haproxyServices()) {
        for (const server of placement.service.servers) {
          const list = this.#servers.get(server.taskId);
          if (list === undefined) this.#servers.set(server.taskId, [placement]);
          else if (!list.includes(placement)) list.push(placement);
        }
      }
    }
    return (this.#servers.get(taskId) ?? []).flatMap((p) => p.service.servers.filter((s) => s.taskId === taskId).map((server) => ({ ...p, server })));
  }

  /** The task addresses in `overlay`, with each task's agent, in task id order. */
  overlayTasks(overlay: string): ReadonlyArray<{ taskId: string; agentId: string | undefined; fact: OverlayAddressFact }> {
    if (this.#overlayTasks === undefined) {
      const byOverlay = new Map<string, Array<{ taskId: string; agentId: string | undefined; fact: OverlayAddressFact }>>();
      this.ledger.forEachOverlayAddress((taskId, fact) => {
        const list = byOverlay.get(fact.overlay) ?? [];
        list.push({ taskId, agentId: this.tasks.get(taskId)?.agentId, fact });
        byOverlay.set(fact.overlay, list);
      });
      for (const list of byOverlay.values()) list.sort((a, b) => compareStrings(a.taskId, b.taskId) || compareStrings(a.fact.address, b.fact.address));
      this.#overlayTasks = byOverlay;
    }
    return this.#overlayTasks.get(overlay) ?? [];
  }

  /** Every task id known to Mesos or Marathon, sorted (candidates for "did you mean"). */
  taskIds(): string[] {
    return [...new Set([...this.tasks.keys(), ...this.appOfTask.keys()])].sort(compareStrings);
  }
}
