/**
 * @module
 * `wayfinder plan [SNAPSHOT] [--json] [--node ID]`: what the snapshot (default: the embedded
 * demo cluster) asks every node to run. The summary counts per zone and artifact and lists the
 * diagnostics by code (the first few of each, or all with `--diagnostics all`); `--json` prints
 * the DesiredState itself. `--fail-on` turns diagnostics into exit code 1.
 */
import type { DesiredState } from "../../desired/schema.ts";
import { canonicalJsonPretty } from "../../net/canonical-json.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { explainPlacement } from "../../../functions/haproxy/placement.ts";
import { DIAGNOSTICS_SHOWN_PER_CODE, diagnosticLines, failOnMessage } from "../diagnostics-flags.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { loadSnapshot } from "../snapshot-input.ts";
import type { ClusterSnapshot } from "../../snapshot/schema.ts";
import { ITEMS_SHOWN, parsePlanOptions, type PlanOptions } from "./plan-options.ts";

/** @example await run(["--json", "snap.json"], io) // 0 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const options = parsePlanOptions(args);
  const { snapshot, desired: cluster, source } = await loadSnapshot(options.snapshot, io);
  const desired = options.node === undefined ? cluster : viewFor(snapshot, cluster, options.node);
  // A node view holds no diagnostics (they are the control plane's): the summary and
  // --fail-on read the cluster's.
  io.stdout(options.json ? canonicalJsonPretty(desired) : summary(snapshot, desired, source, cluster.diagnostics, options));
  const failure = failOnMessage("plan", cluster.diagnostics, options.failOn);
  if (failure === undefined) return 0;
  io.stderr(`${failure}\n`);
  return 1;
}

/**
 * The node view, or a usage error naming the agents that do exist. Masters have no agent id;
 * their overlay node entry (`master@<ip>`) names them.
 */
export function viewFor(snapshot: ClusterSnapshot, desired: DesiredState, agentId: string): DesiredState {
  if (!snapshot.agents.some((a) => a.id === agentId) && desired.overlay.nodes[agentId] === undefined) {
    const known = snapshot.agents.map((a) => a.id).join(", ");
    throw new CliUsageError(`unknown node '${agentId}'; agents in the snapshot: ${known || "none"}`);
  }
  return nodeView(desired, agentId);
}

function summary(snapshot: ClusterSnapshot, desired: DesiredState, source: string, diagnostics: DesiredState["diagnostics"], options: PlanOptions): string {
  const out: string[] = [];
  const running = snapshot.tasks.filter((t) => t.state === "TASK_RUNNING").length;
  out.push(`cluster ${snapshot.cluster.name} (${source}) at ${snapshot.now}`);
  out.push(
    `  ${snapshot.agents.length} agents, ${snapshot.frameworks.length} frameworks, ${snapshot.tasks.length} tasks (${running} running), ${snapshot.marathonApps.length} Marathon apps`,
  );
  if (desired.node !== undefined) out.push(`  node view for ${desired.node}`);
  out.push(`desired state ${desired.hash.slice(0, 16)}`);
  out.push("", "DNS zones");
  for (const zone of desired.dns.zones) {
    const byType = new Map<string, number>();
    for (const r of zone.records) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const types = [...byType].map(([t, n]) => `${t} ${n}`).join(", ");
    out.push(`  ${zone.origin.padEnd(28)} ${String(zone.records.length).padStart(7)} records${types ? `  (${types})` : ""}`);
  }
  for (const alias of desired.dns.aliases ?? []) out.push(`  ${alias.name.padEnd(28)} alias of ${alias.target}`);
  const services = desired.l4lb.services;
  const backends = services.reduce((n, s) => n + s.backends.length, 0);
  out.push("", `L4 virtual IPs      ${services.length} services, ${backends} backends`);
  out.push(
    ...listLines(services, options, (s) => {
      const live = s.backends.filter((b) => b.weight > 0).length;
      const vip = s.vip.ip.includes(":") ? `[${s.vip.ip}]:${s.vip.port}` : `${s.vip.ip}:${s.vip.port}`;
      return `  ${s.vip.protocol} ${vip}${s.dnsName ? ` ${s.dnsName}` : ""}  ${live}/${s.backends.length} backends serving`;
    }),
  );
  out.push(...haproxyLines(snapshot, desired));
  out.push("", `Overlay nodes       ${Object.keys(desired.overlay.nodes).length}`);
  out.push(
    ...listLines(Object.entries(desired.overlay.nodes), options, ([key, node]) => {
      const slices = node.overlays.map((o) => [o.name, o.subnet, o.subnet6].filter((x) => x !== undefined).join(" ")).join(", ");
      return `  ${key}  ${node.ip}  vtep ${node.vtep.ip}  ${slices}`;
    }),
  );
  out.push("", `Diagnostics         ${diagnostics.length}`);
  out.push(...diagnosticLines(diagnostics, options.diagnostics === "all" ? Infinity : DIAGNOSTICS_SHOWN_PER_CODE));
  return `${out.join("\n")}\n`;
}

/**
 * The groups and where they run: on the whole state, how many agents run each; on a node
 * view, whether this node runs each group and the rule that decided it (`explainPlacement`).
 */
function haproxyLines(snapshot: ClusterSnapshot, desired: DesiredState): string[] {
  const groups = Object.entries(desired.haproxy.groups);
  const nodes = Object.values(desired.haproxy.nodes ?? {});
  const out = ["", `HAProxy groups      ${groups.length}`];
  const agent = snapshot.agents.find((a) => a.id === desired.node);
  if (desired.node === undefined) {
    for (const [name, group] of groups) {
      const agents = nodes.filter((n) => n.groups.includes(name)).length;
      out.push(`  ${name.padEnd(18)} ${group.config.split("\n").length} config lines, runs on ${agents} agent${agents === 1 ? "" : "s"}`);
    }
    return out;
  }
  if (agent === undefined) return [...out, `  none runs on ${desired.node}: it is not an agent`];
  for (const reason of explainPlacement(agent, snapshot.config.haproxy)) {
    const lines = desired.haproxy.groups[reason.group]?.config.split("\n").length ?? 0;
    out.push(`  ${reason.group.padEnd(18)} ${reason.placed ? `runs here, ${lines} config lines` : "not here"}: ${reason.why}`);
  }
  return out;
}

/** One line per item: all with `--list all`, else the first few and a line counting the rest. */
function listLines<T>(items: readonly T[], options: PlanOptions, line: (item: T) => string): string[] {
  const limit = options.list === "all" ? items.length : Math.min(ITEMS_SHOWN, items.length);
  const lines = items.slice(0, limit).map(line);
  if (limit < items.length) lines.push(`  ... and ${items.length - limit} more (--list all lists them)`);
  return lines;
}
