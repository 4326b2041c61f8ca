/**
 * @module
 * Multi-tenancy at reconcile: which tasks are admitted to the networks they are on. Mesos never
 * had a network ACL (a task picks a network by `NetworkInfo.name`), so the check happens here,
 * once, before every artifact: a task its network's `attach` ACL refuses is quarantined, and
 * every reconciler (DNS, VIPs, HAProxy, overlay, policy) reads the admitted snapshot, so a
 * quarantined task gets no name, no VIP backend and no HAProxy server without any of them
 * knowing about tenancy. The network policy adds what only the data plane can do: no traffic
 * in or out of the quarantined task on any node.
 *
 * ACLs work like Mesos's: entries in order, the first whose conditions all match decides;
 * no match allows. A task on several networks must be admitted to each.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { globsMatcher } from "../../lib/net/glob.ts";
import type { AttachEntry, PolicyConfig } from "../../lib/snapshot/policy-config.ts";
import type { ClusterSnapshot, Framework, Task } from "../../lib/snapshot/schema.ts";
import { isTerminal, networkContext, taskNetworks } from "../task-facts/task-networks.ts";

/** A task kept out, and the ACL entry that refused it. */
export interface QuarantinedTask {
  taskId: string;
  network: string;
  /** Index into `policy.networks.<network>.attach`. */
  entry: number;
}

export interface Admission {
  /** The snapshot every artifact reconciles: quarantined tasks removed, Marathon's task lists included. */
  snapshot: ClusterSnapshot;
  /** Sorted by task id. */
  quarantined: QuarantinedTask[];
  diagnostics: Diagnostic[];
}

/**
 * Splits the snapshot's tasks into admitted and quarantined ones. Without a `policy` (or with
 * no attach ACL in it) the snapshot is returned as it is.
 * @example
 * admitTasks(snapshot).quarantined // [{ taskId: "bank_db.6ab9...", network: "dcos", entry: 1 }]
 */
export function admitTasks(snapshot: ClusterSnapshot): Admission {
  const acls = compileAttachAcls(snapshot.config.policy);
  if (acls.size === 0) return { snapshot, quarantined: [], diagnostics: [] };
  const context = networkContext(snapshot);
  const frameworks = new Map(snapshot.frameworks.map((f) => [f.id, f]));
  const quarantined: QuarantinedTask[] = [];
  const diagnostics: Diagnostic[] = [];
  // Every instance of an app asks the same question; it is answered once.
  const verdicts = new Map<string, { network: string; entry: number } | undefined>();
  for (const task of snapshot.tasks) {
    if (isTerminal(task)) continue;
    const framework = frameworks.get(task.frameworkId);
    const networks = taskNetworks(task, context);
    const key = JSON.stringify([task.appId, task.role, task.principal, task.frameworkId, framework?.name, networks]);
    let refused = verdicts.get(key);
    if (!verdicts.has(key)) verdicts.set(key, (refused = firstRefusal(acls, task, framework, networks)));
    if (refused === undefined) continue;
    quarantined.push({ taskId: task.id, ...refused });
    diagnostics.push(attachDiagnostic(task, framework, refused));
  }
  if (quarantined.length === 0) return { snapshot, quarantined, diagnostics };
  const out = new Set(quarantined.map((q) => q.taskId));
  return {
    snapshot: {
      ...snapshot,
      tasks: snapshot.tasks.filter((t) => !out.has(t.id)),
      marathonApps: snapshot.marathonApps.map((app) =>
        app.tasks?.some((t) => out.has(t.id)) ? { ...app, tasks: app.tasks.filter((t) => !out.has(t.id)) } : app,
      ),
    },
    quarantined: quarantined.sort((a, b) => compareStrings(a.taskId, b.taskId)),
    diagnostics,
  };
}

/** A compiled ACL entry: its matchers, built once per snapshot. */
export interface CompiledEntry {
  action: AttachEntry["action"];
  matches: (facts: { appId?: string; role?: string; principal?: string; framework?: Framework }) => boolean;
}

/**
 * Every network's attach ACL, compiled; empty when no network has one.
 * @example compileAttachAcls(snapshot.config.policy).get("dcos")?.length // 2
 */
export function compileAttachAcls(policy: PolicyConfig | undefined): Map<string, CompiledEntry[]> {
  const acls = new Map<string, CompiledEntry[]>();
  for (const [network, spec] of Object.entries(policy?.networks ?? {})) {
    if (spec.attach.length > 0) acls.set(network, spec.attach.map(compileEntry));
  }
  return acls;
}

function compileEntry(entry: AttachEntry): CompiledEntry {
  const apps = entry.apps && globsMatcher(entry.apps);
  const roles = entry.roles && globsMatcher(entry.roles);
  const principals = entry.principals && globsMatcher(entry.principals);
  const frameworks = entry.frameworks && globsMatcher(entry.frameworks);
  // A condition on a fact the task lacks (no app, no principal) does not match: an ACL that
  // names apps says nothing about tasks of no app.
  const has = (matcher: ((id: string) => boolean) | undefined, value: string | undefined) => matcher === undefined || (value !== undefined && matcher(value));
  return {
    action: entry.action,
    matches: (facts) =>
      has(apps, facts.appId) &&
      has(roles, facts.role) &&
      has(principals, facts.principal) &&
      (frameworks === undefined || (facts.framework !== undefined && (frameworks(facts.framework.name) || frameworks(facts.framework.id)))),
  };
}

/**
 * The first network of the task whose ACL refuses it, and the refusing entry; `undefined`: admitted.
 * @example firstRefusal(acls, task, framework, ["dcos"]) // { network: "dcos", entry: 1 }
 */
export function firstRefusal(acls: ReadonlyMap<string, CompiledEntry[]>, task: Task, framework: Framework | undefined, networks: readonly string[]): { network: string; entry: number } | undefined {
  const facts = { appId: task.appId, role: task.role, principal: task.principal ?? framework?.principal, framework };
  for (const network of networks) {
    const entries = acls.get(network);
    const entry = entries?.findIndex((e) => e.matches(facts)) ?? -1;
    if (entry >= 0 && entries![entry]!.action === "deny") return { network, entry };
  }
  return undefined;
}

/**
 * The report of a quarantined task.
 * @example attachDiagnostic(task, framework, { network: "dcos", entry: 1 }).code // "policy.attach-denied"
 */
export function attachDiagnostic(task: Task, framework: Framework | undefined, refused: { network: string; entry: number }): Diagnostic {
  const who = [
    task.appId === undefined ? "no Marathon app" : `app ${task.appId}`,
    `role ${task.role ?? "(none)"}`,
    `principal ${task.principal ?? framework?.principal ?? "(none)"}`,
    `framework ${framework?.name ?? task.frameworkId}`,
  ].join(", ");
  return {
    level: "error",
    code: "policy.attach-denied",
    subject: `task:${task.id}`,
    message:
      `may not attach to network '${refused.network}': policy.networks.${refused.network}.attach[${refused.entry}] denies ${who}; ` +
      "the task is quarantined (no DNS names, VIP backends or HAProxy servers, no traffic in or out)",
  };
}
