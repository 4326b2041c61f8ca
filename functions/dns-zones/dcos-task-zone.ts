/**
 * @module
 * The records of `dcos.thisdcos.directory` (specs/dns.md §3.3): for every running task,
 * `<name>.<framework>.{agentip,containerip,autoip}`, plus `leader` and `master`. There are no
 * SRV records here and unhealthy tasks are not filtered, exactly as in dcos-dns.
 */
import type { ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";
import { dnsLabel } from "../../lib/net/dns-labels.ts";
import type { ZoneBuilder, ZoneName } from "./zone-builder.ts";
import type { MasterIps } from "./master-ips.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";
import { hasHostPort, latestStatus, taskIps } from "../task-facts/task-network.ts";

/** dcos-dns counts a task only in this state (not staging, not killing). */
const RUNNING = "TASK_RUNNING";
const SKIPPED = ", so it gets no dcos-dns records";

/**
 * Adds the task, leader and master records to `zone` (origin `dcos.thisdcos.directory`).
 * @example
 * addDcosTaskRecords(zone, snapshot, masterIps(snapshot));
 * zone.values("ucr-on-bridge.marathon.autoip.dcos.thisdcos.directory", "A") // Set {"172.17.0.3"}
 */
export function addDcosTaskRecords(zone: ZoneBuilder, snapshot: ClusterSnapshot, masters: MasterIps, provenance?: Provenance): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const agents = new Map(snapshot.agents.map((a) => [a.id, a]));
  const frameworks = new Map(snapshot.frameworks.map((f) => [f.id, f]));
  const agentIps = new Map<string, IpLiteral | undefined>();
  const add = (name: string, ip: IpLiteral) => {
    const type = ip.family === 4 ? "A" : "AAAA";
    zone.add(`${name}.${zone.origin}`, type, ip.address);
    provenance?.dnsRecord(`master:${ip.address}`, `${name}.${zone.origin}`, type, ip.address);
  };
  // Tasks of one app share their names: label and look each one up once per app, not per task.
  const labels = new Map<string, string>();
  const label = (raw: string) => {
    let out = labels.get(raw);
    if (out === undefined) labels.set(raw, (out = dnsLabel(raw, "rfc1123")));
    return out;
  };
  const names = new Map<string, TaskNames>();

  for (const task of snapshot.tasks) {
    if (task.state !== RUNNING) {
      provenance?.skipped(`task:${task.id}`, "dns", `${task.state}: only TASK_RUNNING tasks get dcos-dns records`);
      continue;
    }
    const framework = frameworks.get(task.frameworkId);
    const agent = agents.get(task.agentId);
    if (framework === undefined) {
      diagnostics.push(taskDiagnostic(task, "dns.dcos.unknown-framework", `framework '${task.frameworkId}' is not in the snapshot${SKIPPED}`));
      continue;
    }
    if (agent === undefined) {
      diagnostics.push(taskDiagnostic(task, "dns.dcos.unknown-agent", `agent '${task.agentId}' is not in the snapshot${SKIPPED}`));
      continue;
    }
    const rawName = task.discovery?.name ?? task.name;
    const name = label(rawName);
    const fw = label(framework.name);
    if (name === "" || fw === "") {
      const which = name === "" ? `task name '${rawName}'` : `framework name '${framework.name}'`;
      diagnostics.push(taskDiagnostic(task, "dns.dcos.empty-label", `the ${which} has no DNS characters left after sanitising${SKIPPED}`));
      continue;
    }

    if (!agentIps.has(agent.id)) {
      const ip = preferredIp(agent.ips);
      agentIps.set(agent.id, ip);
      if (ip === undefined) {
        diagnostics.push({
          level: "warning",
          code: "dns.dcos.agent-without-ip",
          subject: `agent:${agent.id}`,
          message: `agent '${agent.hostname}' has no IP in the snapshot, so its tasks get no agentip records`,
        });
      }
    }
    const agentIp = agentIps.get(agent.id);
    const latest = latestStatus(task);
    const { ips, invalid } = taskIps(task, latest);
    for (const text of invalid) {
      diagnostics.push(taskDiagnostic(task, "dns.dcos.invalid-ip", `task address '${text}' is not an IP literal; it is left out`));
    }

    const base = `${name}.${fw}`;
    let own = names.get(base);
    if (own === undefined) {
      const suffix = `${base}.`;
      own = { agentip: zone.name(`${suffix}agentip.${zone.origin}`), containerip: zone.name(`${suffix}containerip.${zone.origin}`), autoip: zone.name(`${suffix}autoip.${zone.origin}`) };
      names.set(base, own);
    }
    const owner = `task:${task.id}`;
    if (agentIp !== undefined) addAddress(own.agentip, agentIp, owner, provenance);
    for (const ip of ips) addAddress(own.containerip, ip, owner, provenance);
    // A published port is only reachable on the agent; otherwise the task's own IPs, if any.
    const auto = hasHostPort(task, latest) || ips.length === 0 ? (agentIp === undefined ? [] : [agentIp]) : ips;
    for (const ip of auto) addAddress(own.autoip, ip, owner, provenance);
  }

  if (masters.leader !== undefined) add("leader", masters.leader);
  for (const ip of masters.masters) add("master", ip);
  return diagnostics;
}

interface TaskNames {
  agentip: ZoneName;
  containerip: ZoneName;
  autoip: ZoneName;
}

function addAddress(name: ZoneName, ip: IpLiteral, owner: string, provenance: Provenance | undefined): void {
  const type = ip.family === 4 ? "A" : "AAAA";
  name.add(type, ip.address);
  provenance?.dnsRecord(owner, name.name, type, ip.address);
}

/** The agent IP dcos-dns used: its hostname resolved to IPv4; IPv6 only when there is no IPv4. */
function preferredIp(texts: readonly string[]): IpLiteral | undefined {
  const ips = texts.map(parseIp).filter((ip): ip is IpLiteral => ip !== undefined);
  return ips.find((ip) => ip.family === 4) ?? ips[0];
}

function taskDiagnostic(task: Task, code: string, message: string): Diagnostic {
  return { level: "warning", code, subject: `task:${task.id}`, message: `task '${task.name}': ${message}` };
}
