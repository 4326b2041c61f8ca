/**
 * @module
 * `explain task ID`: everything one task produced (DNS records, VIP backends, HAProxy servers,
 * overlay addresses), the network policy's decisions about it (who may reach it, what it may
 * reach, its quarantine) and, per artifact, why it produced nothing or less: the reconcilers'
 * own facts and the diagnostics about the task (and, for HAProxy, about its app).
 */
import { compareStrings } from "../../lib/net/compare.ts";
import { latestStatus, taskHealthy, taskIps } from "../task-facts/task-network.ts";
import { closestMatches } from "./closest.ts";
import type { ExplainContext } from "./context.ts";
import { subjectPolicy } from "./explain-policy.ts";
import { reasonsFor } from "./reasons.ts";
import type { ExplainOptions, NotFound, Reason, TaskExplanation, TaskFacts, TaskSummary } from "./schema.ts";

/**
 * @example explainTask(context, "web.1").vips.memberships[0].vip // { ip: "11.225.36.193", port: 80, protocol: "tcp" }
 */
export function explainTask(context: ExplainContext, query: string, options: ExplainOptions = {}): TaskExplanation | NotFound {
  const id = query.trim();
  const task = context.tasks.get(id);
  const appId = context.appOfTask.get(id);
  if (task === undefined && appId === undefined) {
    return {
      kind: "not-found",
      subject: "task",
      query,
      message: `no task '${id}' in the Mesos state or among the Marathon apps' tasks`,
      closest: closestMatches(id, context.taskIds()),
    };
  }
  const subject = `task:${id}`;
  const overlayReasons = reasonsFor(context, subject, "overlay");
  if (Object.keys(context.desired.overlay.allocations.overlays).length === 0) overlayReasons.push({ message: "no overlay network is configured" });
  return {
    kind: "task",
    task: taskFacts(context, id),
    dns: {
      records: context.ledger.recordsOf(subject),
      reasons: reasonsFor(context, subject, "dns"),
    },
    vips: {
      memberships: context.backendsOf(id).map(({ service, backend }) => ({
        vip: service.vip,
        ...(service.name === undefined ? {} : { name: service.name }),
        ...(service.dnsName === undefined ? {} : { dnsName: service.dnsName }),
        backend: { ip: backend.ip, port: backend.port, weight: backend.weight },
      })),
      reasons: reasonsFor(context, subject, "l4lb"),
    },
    haproxy: {
      servers: context.serversOf(id).map(({ group, service, server }) => ({
        group,
        appId: service.appId,
        servicePort: service.servicePort,
        backend: service.backend,
        server: server.name,
        ip: server.ip,
        port: server.port,
        draining: server.draining,
      })),
      reasons: haproxyReasons(context, id, appId),
    },
    overlay: { addresses: [...context.ledger.overlayAddressesOf(id)], reasons: overlayReasons },
    policy: subjectPolicy(context, id, reasonsFor(context, subject, "admission"), options.ports),
    diagnostics: [...context.diagnosticsOf(subject)],
  };
}

/**
 * One task in counts, for an app's listing: how many names, VIPs, servers and overlay
 * addresses it has, and every reason it fell short.
 * @example taskSummary(context, "web.1") // { id: "web.1", state: "TASK_RUNNING", dnsNames: 8, vips: 1, ... }
 */
export function taskSummary(context: ExplainContext, id: string): TaskSummary {
  const subject = `task:${id}`;
  const task = context.tasks.get(id);
  // A quarantine is every artifact's reason; it is said once.
  const reasons = uniqueReasons([
    ...reasonsFor(context, subject, "dns"),
    ...reasonsFor(context, subject, "l4lb"),
    ...haproxyReasons(context, id, undefined),
    ...reasonsFor(context, subject, "overlay"),
  ]);
  return {
    id,
    ...(task === undefined ? {} : { state: task.state, agentId: task.agentId }),
    dnsNames: new Set(context.ledger.recordsOf(subject).map((r) => r.name)).size,
    vips: context.backendsOf(id).length,
    haproxyServers: context.serversOf(id).length,
    overlayAddresses: context.ledger.overlayAddressesOf(id).length,
    reasons,
  };
}

function taskFacts(context: ExplainContext, id: string): TaskFacts {
  const task = context.tasks.get(id);
  const appId = context.appOfTask.get(id);
  if (task === undefined) return { id, ...(appId === undefined ? {} : { appId }), addresses: [], inMesos: false };
  const latest = latestStatus(task);
  const healthy = taskHealthy(task, latest);
  const agent = context.agents.get(task.agentId);
  const framework = context.frameworks.get(task.frameworkId);
  return {
    id,
    name: task.name,
    state: task.state,
    agentId: task.agentId,
    ...(agent === undefined ? {} : { agentHostname: agent.hostname }),
    frameworkId: task.frameworkId,
    ...(framework === undefined ? {} : { frameworkName: framework.name }),
    ...(appId === undefined ? {} : { appId }),
    ...(healthy === undefined ? {} : { healthy }),
    addresses: taskIps(task, latest).ips.map((ip) => ip.address).sort(compareStrings),
    inMesos: true,
  };
}

function uniqueReasons(reasons: readonly Reason[]): Reason[] {
  return [...new Map(reasons.map((r) => [r.message, r])).values()];
}

/** The task's own HAProxy reasons, then its app's (a refused label leaves every task out). */
function haproxyReasons(context: ExplainContext, id: string, knownApp: string | undefined): Reason[] {
  const appId = knownApp ?? context.appOfTask.get(id);
  if (appId === undefined) return [...reasonsFor(context, `task:${id}`, "admission"), { message: "no Marathon app lists it: HAProxy serves Marathon apps' tasks only" }];
  return [...reasonsFor(context, `task:${id}`, "haproxy"), ...reasonsFor(context, `app:${appId}`, "haproxy")];
}
