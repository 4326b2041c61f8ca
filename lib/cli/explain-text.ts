/**
 * @module
 * `wayfinder explain` for a terminal: one block per subject, what was produced first and, for
 * each artifact that produced nothing, the reasons beneath it; for tasks and apps, the network
 * policy's decisions per port. `--json` prints the explanation itself instead.
 */
import type { AppExplanation, Explanation, NameExplanation, NotFound, PolicyDecisionGroup, Reason, SubjectPolicy, TaskExplanation, VipExplanation } from "../../functions/explain/schema.ts";
import { recordDataText } from "../../functions/explain/record-text.ts";
import type { Diagnostic } from "../desired/schema.ts";
import { addressForPort } from "../net/ip-literal.ts";

/**
 * @example explanationText(explainTask(context, "web.1")) // "task web.1 (web) TASK_RUNNING, healthy\n  agent S1 ..."
 */
export function explanationText(explanation: Explanation): string {
  switch (explanation.kind) {
    case "name":
      return nameText(explanation);
    case "vip":
      return vipText(explanation);
    case "task":
      return taskText(explanation);
    case "app":
      return appText(explanation);
    case "not-found":
      return notFoundText(explanation);
  }
}

function nameText(e: NameExplanation): string {
  const lines = [`${e.name}  (zone ${e.zone})`];
  for (const record of e.records) {
    const data = recordDataText(record.data);
    const owners = record.owners.map((o) => `${o.kind} ${o.id}`).join(", ");
    lines.push(`  ${record.type.padEnd(5)} ${data.padEnd(40)} ttl ${String(record.ttl).padEnd(5)} from ${owners}`);
  }
  return withDiagnostics(lines, e.diagnostics);
}

function vipText(e: VipExplanation): string {
  const lines: string[] = [];
  for (const s of e.services) {
    lines.push(`VIP ${addressForPort(s.vip.ip)}:${s.vip.port}/${s.vip.protocol}${s.name === undefined ? "" : `  ${s.name}`}  (scheduler ${s.scheduler})`);
    lines.push(`  names: ${s.dnsNames.length === 0 ? "none (an IP VIP)" : s.dnsNames.join(", ")}`);
    const local = s.nodes.localOn.length === 0 ? "" : `; on ${s.nodes.localOn.join(", ")} its own backend is reached at the container address`;
    lines.push(`  programmed by every agent (${s.nodes.agents})${local}`);
    lines.push(`  backends (${s.backends.length}):`);
    for (const b of s.backends) {
      const state = b.draining ? "draining" : b.health;
      lines.push(`    ${`${addressForPort(b.ip)}:${b.port}`.padEnd(24)} weight ${b.weight}  ${state.padEnd(9)} task ${b.taskId}${b.taskState === undefined ? "" : ` (${b.taskState})`}${b.agentId === undefined ? "" : ` on ${b.agentId}`}`);
    }
  }
  return withDiagnostics(lines, e.diagnostics);
}

function taskText(e: TaskExplanation): string {
  const t = e.task;
  const health = t.healthy === undefined ? "" : t.healthy ? ", healthy" : ", unhealthy";
  const lines = [`task ${t.id}${t.name === undefined ? "" : ` (${t.name})`} ${t.state ?? "(not in the Mesos state)"}${health}`];
  if (t.inMesos) {
    lines.push(`  agent ${t.agentId}${t.agentHostname === undefined ? "" : ` (${t.agentHostname})`}, framework ${t.frameworkName ?? t.frameworkId}${t.appId === undefined ? "" : `, app ${t.appId}`}`);
    lines.push(`  addresses: ${t.addresses.join(", ") || "none"}`);
  } else if (t.appId !== undefined) {
    lines.push(`  only Marathon lists it (app ${t.appId})`);
  }
  const names = new Set(e.dns.records.map((r) => r.name));
  section(lines, `DNS: ${e.dns.records.length} records on ${names.size} names`, e.dns.records.map((r) => `${r.name} ${r.type} ${recordDataText(r.data)}`), e.dns.reasons);
  section(lines, `VIPs: ${e.vips.memberships.length}`, e.vips.memberships.map((m) => `${addressForPort(m.vip.ip)}:${m.vip.port}/${m.vip.protocol}${m.name === undefined ? "" : ` ${m.name}`}  backend ${addressForPort(m.backend.ip)}:${m.backend.port} weight ${m.backend.weight}`), e.vips.reasons);
  section(lines, `HAProxy servers: ${e.haproxy.servers.length}`, e.haproxy.servers.map((s) => `${s.group}: backend ${s.backend} server ${s.server} ${addressForPort(s.ip)}:${s.port}${s.draining ? " (draining)" : ""}`), e.haproxy.reasons);
  section(lines, `Overlay addresses: ${e.overlay.addresses.length}`, e.overlay.addresses.map((a) => `${a.address} in ${a.overlay} (${a.space})${a.routed ? `, routed by its agent's slice ${a.slice}` : `, NOT routed: its agent holds ${a.slice ?? "no slice"}`}`), e.overlay.reasons);
  policyText(lines, e.policy);
  return withDiagnostics(lines, e.diagnostics);
}

function appText(e: AppExplanation): string {
  const a = e.app;
  const lines = [`app ${a.id}  ${a.tasks} tasks${a.instances === undefined ? "" : ` (${a.instances} instances asked)`}`];
  const labels = Object.entries(a.labels);
  if (labels.length > 0) lines.push(`  labels: ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  section(
    lines,
    `HAProxy services: ${e.haproxy.services.length}`,
    e.haproxy.services.map((s) => `${s.group}: ${s.backend} :${s.servicePort} ${s.mode}${s.vhosts.length === 0 ? "" : ` vhosts ${s.vhosts.join(",")}`}  ${s.servers} of ${s.size} servers`),
    e.haproxy.reasons,
  );
  policyText(lines, e.policy);
  lines.push(`Tasks${e.tasks.length < a.tasks ? ` (first ${e.tasks.length} of ${a.tasks})` : ""}:`);
  for (const t of e.tasks) {
    lines.push(`  ${t.id}  ${t.state ?? "(not in Mesos)"}  ${t.dnsNames} names, ${t.vips} VIPs, ${t.haproxyServers} servers, ${t.overlayAddresses} overlay addresses`);
    for (const r of t.reasons) lines.push(`    - ${reasonText(r)}`);
  }
  return withDiagnostics(lines, e.diagnostics);
}

function notFoundText(e: NotFound): string {
  const lines = [`not found: ${e.message}`];
  if (e.closest.length > 0) lines.push("did you mean:", ...e.closest.map((c) => `  ${c}`));
  return `${lines.join("\n")}\n`;
}

/** Who may reach the subject and what it may reach, one line per port and decision. */
function policyText(lines: string[], policy: SubjectPolicy): void {
  if (!policy.configured) {
    lines.push("Policy: none configured, every connection is open");
    return;
  }
  const asked = policy.ports.map((p) => `${p.protocol}/${p.port}`).join(", ") || "none";
  const more = policy.portsLeftOut.length === 0 ? "" : `; not asked: ${policy.portsLeftOut.map((p) => `${p.protocol}/${p.port}`).join(", ")} (--port)`;
  lines.push(`Policy (ports ${asked}${more}):`);
  for (const reason of policy.reasons) lines.push(`  ${reasonText(reason)}`);
  const group = (g: PolicyDecisionGroup, word: string) => {
    const more = g.total > g.peers.length ? ` (+${g.total - g.peers.length} more)` : "";
    return `    ${`${g.protocol}/${g.port}`.padEnd(10)} ${`${g.verdict} by ${g.by} (${g.tier})`.padEnd(36)} ${word} ${g.peers.join(", ")}${more}`;
  };
  lines.push(`  may reach it:${policy.inbound.length === 0 ? " nothing on these ports" : ""}`, ...policy.inbound.map((g) => group(g, "from")));
  lines.push(`  it may reach:${policy.outbound.length === 0 ? " nothing on these ports" : ""}`, ...policy.outbound.map((g) => group(g, "to")));
}

/** A heading, its items, and when there are none, why. */
function section(lines: string[], heading: string, items: string[], reasons: Reason[]): void {
  lines.push(heading);
  for (const item of items) lines.push(`  ${item}`);
  for (const reason of reasons) lines.push(`  ${items.length === 0 ? "none: " : "note: "}${reasonText(reason)}`);
}

function reasonText(reason: Reason): string {
  return reason.code === undefined ? reason.message : `${reason.code}: ${reason.message}`;
}

function withDiagnostics(lines: string[], diagnostics: readonly Diagnostic[]): string {
  if (diagnostics.length > 0) {
    lines.push(`Diagnostics: ${diagnostics.length}`);
    for (const d of diagnostics) lines.push(`  ${d.level.padEnd(8)} ${d.code}: ${d.message}`);
  }
  return `${lines.join("\n")}\n`;
}
