/**
 * @module
 * Who takes part in the overlay: every master and every agent, each known by its underlay
 * IPv4 (DC/OS keyed the overlay state by the agent module's IP, so an agent that re-registers
 * with a new agent id keeps its allocation). New members take the lowest free slots in the
 * order returned here, masters first, then agents, each by IP: the order the DC/OS master saw
 * when masters registered first (spec §2.6 item 4), made independent of input order.
 */
import type { Agent, ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { splitHostPort } from "../../lib/net/host-port.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { formatIp, parseIpValue } from "../../lib/net/cidr.ts";
import { masterNodeKey } from "../../lib/desired/overlay-constants.ts";

const SAFE_ID = /^[A-Za-z0-9._:@-]+$/;

export interface Member {
  /** Canonical underlay IPv4. */
  ip: string;
  /** The same address as a number, for ordering. */
  value: bigint;
  /** Agents get container bridges; masters only a slice and the data plane. */
  role: "master" | "agent";
  /** The keys of its node entries: the agent ids at this IP, or `master@<ip>`. */
  keys: string[];
  /** What its diagnostics are about: `agent:<id>` or `master:<ip>`. */
  subject: string;
}

export interface Members {
  /** In allocation order. */
  members: Member[];
  /** Agents that take no part (unsafe id, no IPv4). */
  agentDiagnostics: Diagnostic[];
  /** Master entries that take no part. */
  masterDiagnostics: Diagnostic[];
  /** Agents sharing one underlay IP. */
  sharedDiagnostics: Diagnostic[];
}

/** Where an agent or master takes part: its underlay IPv4, or why it cannot. */
export type Underlay = { ip: string; value: bigint } | { diagnostic: Diagnostic };

/**
 * @example overlayMembers(snapshot).members.map((m) => m.ip) // ["10.0.0.1", "10.0.0.11", "10.0.0.12"]
 */
export function overlayMembers(snapshot: ClusterSnapshot): Members {
  const agentDiagnostics: Diagnostic[] = [];
  const masterDiagnostics: Diagnostic[] = [];
  const sharedDiagnostics: Diagnostic[] = [];
  const agents = new Map<string, { value: bigint; ids: string[] }>();
  for (const agent of snapshot.agents) {
    const underlay = agentUnderlay(agent);
    if ("diagnostic" in underlay) {
      agentDiagnostics.push(underlay.diagnostic);
      continue;
    }
    const entry = agents.get(underlay.ip) ?? { value: underlay.value, ids: [] };
    entry.ids.push(agent.id);
    agents.set(underlay.ip, entry);
  }
  const masters = new Map<string, bigint>();
  for (const entry of snapshot.masters) {
    const underlay = masterUnderlay(entry);
    if ("diagnostic" in underlay) masterDiagnostics.push(underlay.diagnostic);
    // A master that also runs an agent is one node; the agent's bridges make it an agent.
    else if (!agents.has(underlay.ip)) masters.set(underlay.ip, underlay.value);
  }
  const masterMembers = [...masters].map(([ip, value]) => masterMember(ip, value)).sort(compareMembers);
  const agentMembers = [...agents].map(([ip, { value, ids }]) => {
    const member = agentMember(ip, value, ids);
    const shared = sharedUnderlay(member);
    if (shared !== undefined) sharedDiagnostics.push(shared);
    return member;
  });
  return { members: [...masterMembers, ...agentMembers.sort(compareMembers)], agentDiagnostics, masterDiagnostics, sharedDiagnostics };
}

/**
 * An agent's underlay IPv4, or why it gets no overlay.
 * @example agentUnderlay({ id: "S1", ips: ["10.0.0.11"], ... }) // { ip: "10.0.0.11", value: 167772171n }
 */
export function agentUnderlay(agent: Agent): Underlay {
  // The id names the node's files (`overlay/<id>/...`); Mesos ids (`<uuid>-S3`) always pass.
  if (!SAFE_ID.test(agent.id) || agent.id === "." || agent.id === "..") {
    return { diagnostic: { level: "warning", code: "overlay.unsafe-agent-id", subject: `agent:${agent.id}`, message: "the agent id is not a safe file name (letters, digits, '.', '_', '-', ':', '@'); it gets no overlay" } };
  }
  const address = agent.ips.map(parseIpValue).find((ip) => ip?.family === 4);
  if (address === undefined) {
    return {
      diagnostic: {
        level: "warning",
        code: "overlay.no-underlay-ip",
        subject: `agent:${agent.id}`,
        message: `the agent has no IPv4 address (ips: ${JSON.stringify(agent.ips)}); overlay nodes are keyed by their IPv4 underlay address, so it gets no overlay`,
      },
    };
  }
  return { ip: formatIp(address), value: address.value };
}

/**
 * A master entry's underlay IPv4, or why it gets no overlay.
 * @example masterUnderlay("10.0.0.1:5050") // { ip: "10.0.0.1", value: 167772161n }
 */
export function masterUnderlay(entry: string): Underlay {
  const address = parseIpValue(splitHostPort(entry)?.host ?? entry);
  if (address?.family !== 4) {
    return {
      diagnostic: {
        level: "warning",
        code: "overlay.no-underlay-ip",
        subject: `master:${entry}`,
        message: `the master entry is not an IPv4 address and port; overlay nodes are keyed by their IPv4 underlay address, so it gets no overlay`,
      },
    };
  }
  return { ip: formatIp(address), value: address.value };
}

/**
 * The member of the agents at one IP (usually one).
 * @example agentMember("10.0.0.11", 167772171n, ["S1"]).subject // "agent:S1"
 */
export function agentMember(ip: string, value: bigint, ids: readonly string[]): Member {
  const keys = [...ids].sort(compareStrings);
  return { ip, value, role: "agent", keys, subject: `agent:${keys[0]}` };
}

/**
 * The member of a master without an agent at its IP.
 * @example masterMember("10.0.0.1", 167772161n).keys // ["master@10.0.0.1"]
 */
export function masterMember(ip: string, value: bigint): Member {
  return { ip, value, role: "master", keys: [masterNodeKey(ip)], subject: `master:${ip}` };
}

/**
 * The report of agents sharing one underlay IP, about the first of them.
 * @example sharedUnderlay(agentMember("10.0.0.11", v, ["S1", "S2"]))?.code // "overlay.shared-underlay-ip"
 */
export function sharedUnderlay(member: Member): Diagnostic | undefined {
  if (member.keys.length < 2) return undefined;
  return {
    level: "warning",
    code: "overlay.shared-underlay-ip",
    subject: member.subject,
    message: `agents ${member.keys.join(", ")} share the underlay IP ${member.ip}; they share one VTEP and one slice per overlay (a stale agent record?)`,
  };
}

/**
 * The allocation order: masters first, then agents, each by address.
 * @example members.sort(compareMembers)
 */
export function compareMembers(a: Member, b: Member): number {
  if (a.role !== b.role) return a.role === "master" ? -1 : 1;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
