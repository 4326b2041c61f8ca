/**
 * @module
 * `slave.D` and `_slave._tcp.D` of one agent, and the per-agent facts task records reuse
 * (addresses, ID tail) so they are worked out once per agent, not per task.
 */
import type { Agent } from "../../lib/snapshot/schema.ts";
import { parsePid } from "../../lib/net/host-port.ts";
import { agentTail } from "../../lib/net/task-hash.ts";
import { MesosDnsCode, parseAddresses } from "./mesos-context.ts";
import type { Addresses, MesosZoneContext } from "./mesos-context.ts";

/** An agent as task records need it. */
export interface AgentInfo {
  /** The last `-` field of the agent ID, lowercased: the `tail` of canonical task names. */
  readonly tail: string;
  readonly addresses: Addresses;
}

/**
 * The facts of an agent that its tasks' records use (its invalid IPs are reported by
 * `addAgentRecords`, once).
 * @example mesosAgentInfo({ id: "20140803-125133-3041283216-5050-2410-0", ips: ["10.0.0.1"], ... }) // { tail: "0", addresses: { a: ["10.0.0.1"], aaaa: [] } }
 */
export function mesosAgentInfo(agent: Agent): AgentInfo {
  return { tail: agentTail(agent.id), addresses: parseAddresses(agent.ips) };
}

/**
 * Adds one agent's records. An agent without a usable IP gets no address record (mesos-dns
 * stored its hostname as an A value, issue #509) and a diagnostic.
 * @example addAgentRecords(ctx, agent).tail // "0"
 */
export function addAgentRecords(ctx: MesosZoneContext, agent: Agent): AgentInfo {
  const slave = `slave.${ctx.domain}`;
  const subject = `agent:${agent.id}`;
  const addresses = ctx.addressesOf(agent.ips, subject, "agent IP");
  const resolved = addresses.a.length + addresses.aaaa.length > 0;
  if (resolved) {
    ctx.addAddresses(slave, addresses);
  } else {
    ctx.report("warning", MesosDnsCode.unresolved, subject, `agent ${agent.hostname} has no IP address; no slave address records for it or its tasks`);
  }
  if (agent.pid !== undefined) {
    const pid = parsePid(agent.pid);
    if (pid === undefined) {
      ctx.report("warning", MesosDnsCode.invalidPid, subject, `agent PID ${JSON.stringify(agent.pid)} does not parse`);
    } else if (pid.port === 0) {
      ctx.report("warning", MesosDnsCode.invalidPort, subject, `agent PID ${agent.pid} has port 0; no _slave._tcp record`);
    } else if (resolved) {
      // The target must resolve, so only agents that contributed an address add their port.
      ctx.records.addSrv(`_slave._tcp.${ctx.domain}`, ctx.srv(slave, pid.port));
    }
  }
  return { tail: agentTail(agent.id), addresses };
}
