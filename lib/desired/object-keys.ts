/**
 * @module
 * The keys of the keyed desired state (docs/delta-path.md §1): `/`-separated segments, the first
 * naming the artifact. The scope is part of the key: `node/<id>/...` is for one node,
 * `control/...` for the control plane only, everything else for every node. An id inside a
 * key has `%` and `/` percent-encoded (and nothing else), so every key splits back into its
 * segments and reads as the ids it holds.
 */

/**
 * An id as one key segment.
 * @example keySegment("/prod/web") // "%2Fprod%2Fweb"
 */
export function keySegment(id: string): string {
  return id.includes("%") || id.includes("/") ? id.replaceAll("%", "%25").replaceAll("/", "%2F") : id;
}

/**
 * The id a key segment holds.
 * @example idOfSegment("%2Fprod%2Fweb") // "/prod/web"
 */
export function idOfSegment(segment: string): string {
  return segment.includes("%") ? segment.replaceAll("%2F", "/").replaceAll("%25", "%") : segment;
}

/** Who a key is for. */
export type KeyScope = { scope: "cluster" } | { scope: "node"; node: string } | { scope: "control" };

const CLUSTER: KeyScope = { scope: "cluster" };
const CONTROL: KeyScope = { scope: "control" };

/**
 * @example keyScope("node/S1/overlay") // { scope: "node", node: "S1" }
 * @example keyScope("dns/zone/mesos") // { scope: "cluster" }
 */
export function keyScope(key: string): KeyScope {
  if (key.startsWith("control/")) return CONTROL;
  if (!key.startsWith("node/")) return CLUSTER;
  const end = key.indexOf("/", 5);
  return { scope: "node", node: idOfSegment(key.slice(5, end < 0 ? key.length : end)) };
}

/** The owners of DNS records: each owner's records of every zone are one object. */
export type DnsOwner =
  | { kind: "task" | "agent" | "framework" | "vip"; id: string }
  | { kind: "masters" };

/**
 * Every key kind, built in one place so producers and consumers agree.
 * @example ObjectKeys.dnsRecords({ kind: "task", id: "web.1" }) // "dns/records/task/web.1"
 */
export const ObjectKeys = {
  /** A zone's header: origin, TTL, SOA and the records the zone itself owns (apex NS, fixed names). */
  dnsZone: (origin: string) => `dns/zone/${keySegment(origin)}`,
  /** One owner's records, `{ <origin>: [record tuple, ...] }`; merged with others' only when a zone is assembled. */
  dnsRecords: (owner: DnsOwner) => (owner.kind === "masters" ? "dns/records/masters" : `dns/records/${owner.kind}/${keySegment(owner.id)}`),
  /** Forwarding settings (upstreams, zones, timeout, the allowed networks no agent owns). */
  dnsForwarding: "dns/forwarding",
  /** The networks one agent adds to the allowed forwarding clients. */
  dnsForwardingAgent: (agentId: string) => `dns/forwarding/agent/${keySegment(agentId)}`,
  dnsAliases: "dns/aliases",
  /** A named VIP's service of one family on one protocol and port. */
  l4NamedService: (name: string, protocol: string, port: number, family: 4 | 6) => `l4lb/named/${keySegment(name)}/${protocol}/${port}/ipv${family}`,
  /** An IP VIP's service. */
  l4IpService: (ip: string, protocol: string, port: number) => `l4lb/ip/${keySegment(ip)}/${protocol}/${port}`,
  /** One LB group's HAProxy settings (its head and shared frontends). */
  haproxyGroup: (group: string) => `haproxy/group/${keySegment(group)}`,
  /** One HAProxy service (app × service port): its sections and ACLs, and the groups it is in. */
  haproxyService: (backend: string) => `haproxy/service/${keySegment(backend)}`,
  /** One server slot of a backend (1-based; with marathon-lb naming, one server in order). */
  haproxyServer: (backend: string, slot: number) => `haproxy/server/${keySegment(backend)}/${slot}`,
  /** The overlay address spaces (what dataplane rules route from). */
  overlaySpaces: "overlay/spaces",
  /** What every node needs to route to one overlay node. */
  overlayPeer: (nodeKey: string) => `overlay/peer/${keySegment(nodeKey)}`,
  /** One node's own overlay entry with its CNI configs. */
  nodeOverlay: (nodeKey: string) => `node/${keySegment(nodeKey)}/overlay`,
  /** The LB groups one agent runs. */
  nodeHaproxy: (agentId: string) => `node/${keySegment(agentId)}/haproxy`,
  /** A named VIP's addresses (both families), with the grace `lastSeen` of a kept one. */
  namedVipAllocation: (name: string) => `control/l4lb/named/${keySegment(name)}`,
  /** One overlay node's allocation, present or not, by underlay IP. */
  overlayAllocation: (ip: string) => `control/overlay/allocation/${keySegment(ip)}`,
  /** One HAProxy backend's server slots. */
  haproxySlots: (backend: string) => `control/haproxy/slots/${keySegment(backend)}`,
  /** The diagnostics one part of the reconcile made about one owner (`task/<id>`, `cluster`, ...). */
  diagnostics: (part: string, ...owner: string[]) => `control/diag/${part}/${owner.map(keySegment).join("/")}`,
} as const;

/** Key prefixes, for consumers that pick objects by kind. */
export const KeyPrefix = {
  dnsZone: "dns/zone/",
  dnsRecords: "dns/records/",
  dnsForwardingAgent: "dns/forwarding/agent/",
  l4Service: "l4lb/",
  haproxyGroup: "haproxy/group/",
  haproxyService: "haproxy/service/",
  haproxyServer: "haproxy/server/",
  overlayPeer: "overlay/peer/",
  namedVipAllocation: "control/l4lb/named/",
  overlayAllocation: "control/overlay/allocation/",
  haproxySlots: "control/haproxy/slots/",
  diagnostics: "control/diag/",
} as const;
