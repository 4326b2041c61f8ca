/**
 * @module
 * Who takes part in the overlay: every master and every agent, each known by its underlay
 * IPv4 (DC/OS keyed the overlay state by the agent module's IP, so an agent that re-registers
 * with a new agent id keeps its allocation). New members take the lowest free slots in the
 * order returned here, masters first, then agents, each by IP: the order the DC/OS master saw
 * when masters registered first (spec §2.6 item 4), made independent of input order.
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { splitHostPort } from "../../lib/net/host-port.ts";
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
  diagnostics: Diagnostic[];
}

/**
 * @example overlayMembers(snapshot).members.map((m) => m.ip) // ["10.0.0.1", "10.0.0.11", "10.0.0.12"]
 */
export function overlayMembers(snapshot: ClusterSnapshot): Members {
  const diagnostics: Diagnostic[] = [];
  const agents = new Map<string, { value: bigint; ids: string[] }>();
  for (const agent of snapshot.agents) {
    // The id names the node's files (`overlay/<id>/...`); Mesos ids (`<uuid>-S3`) always pass.
    if (!SAFE_ID.test(agent.id) || agent.id === "." || agent.id === "..") {
      diagnostics.push({ level: "warning", code: "overlay.unsafe-agent-id", subject: `agent:${agent.id}`, message: "the agent id is not a safe file name (letters, digits, '.', '_', '-', ':', '@'); it gets no overlay" });
      continue;
    }
    const address = agent.ips.map(parseIpValue).find((ip) => ip?.family === 4);
    if (address === undefined) {
      diagnostics.push({
        level: "warning",
        code: "overlay.no-underlay-ip",
        subject: `agent:${agent.id}`,
        message: `the agent has no IPv4 address (ips: ${JSON.stringify(agent.ips)}); overlay nodes are keyed by their IPv4 underlay address, so it gets no overlay`,
      });
      continue;
    }
    const ip = formatIp(address);
    const entry = agents.get(ip) ?? { value: address.value, ids: [] };
    entry.ids.push(agent.id);
    agents.set(ip, entry);
  }
  const masters = new Map<string, bigint>();
  for (const entry of snapshot.masters) {
    const address = parseIpValue(splitHostPort(entry)?.host ?? entry);
    if (address?.family !== 4) {
      diagnostics.push({
        level: "warning",
        code: "overlay.no-underlay-ip",
        subject: `master:${entry}`,
        message: `the master entry is not an IPv4 address and port; overlay nodes are keyed by their IPv4 underlay address, so it gets no overlay`,
      });
      continue;
    }
    // A master that also runs an agent is one node; the agent's bridges make it an agent.
    if (!agents.has(formatIp(address))) masters.set(formatIp(address), address.value);
  }
  const byValue = <T extends { value: bigint }>(a: T, b: T) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  const masterMembers = [...masters]
    .map(([ip, value]): Member => ({ ip, value, role: "master", keys: [masterNodeKey(ip)], subject: `master:${ip}` }))
    .sort(byValue);
  const agentMembers = [...agents].map(([ip, { value, ids }]): Member => {
    const keys = ids.sort();
    if (keys.length > 1) {
      diagnostics.push({
        level: "warning",
        code: "overlay.shared-underlay-ip",
        subject: `agent:${keys[0]}`,
        message: `agents ${keys.join(", ")} share the underlay IP ${ip}; they share one VTEP and one slice per overlay (a stale agent record?)`,
      });
    }
    return { ip, value, role: "agent", keys, subject: `agent:${keys[0]}` };
  });
  return { members: [...masterMembers, ...agentMembers.sort(byValue)], diagnostics };
}
