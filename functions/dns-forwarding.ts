/**
 * @module
 * The forwarding half of a node's DNS server (specs/dns.md §3.4–3.5): where names outside the
 * local zones go, and who may have them forwarded. Computed from the snapshot like everything
 * else, so every node forwards the same way and a config change reaches the nodes as a new
 * desired state rather than as a file edited on each host.
 */
import type { Agent, ClusterSnapshot } from "../lib/snapshot/schema.ts";
import { compareStrings } from "../lib/net/compare.ts";
import type { Diagnostic, DnsForwarding, DnsUpstream } from "../lib/desired/schema.ts";
import { networkText } from "../lib/net/networks.ts";
import { parseUpstream } from "../lib/net/upstream-address.ts";
import { masterIps } from "./dns-zones/master-ips.ts";

/**
 * Always allowed by default: the node itself, and the bridges DC/OS agents create for
 * containers (Docker's `docker0` and the Mesos `mesos-bridge`). Bridge containers reach the
 * node's resolver with their bridge address as the source, since nothing is NATed on the way
 * to a local address.
 */
const DEFAULT_LOCAL_NETWORKS = ["127.0.0.0/8", "::1/128", "172.17.0.0/16", "172.31.254.0/24"];

export interface DnsForwardingResult {
  forwarding: DnsForwarding;
  diagnostics: Diagnostic[];
}

/**
 * @example
 * dnsForwarding(snapshot).forwarding
 * // { upstreams: [{ ip: "1.1.1.1", port: 53 }], zones: [], allowedNetworks: ["10.0.1.11/32", ...], timeoutMs: 2000 }
 */
export function dnsForwarding(snapshot: ClusterSnapshot): DnsForwardingResult {
  const base = forwardingBase(snapshot);
  if (!base.agentsAllowed) return base;
  const networks = new Set(base.forwarding.allowedNetworks);
  const diagnostics = [...base.diagnostics];
  for (const agent of snapshot.agents) {
    const own = agentForwardingNetworks(agent);
    for (const network of own.networks) networks.add(network);
    diagnostics.push(...own.diagnostics);
  }
  return { forwarding: { ...base.forwarding, allowedNetworks: [...networks].sort(compareStrings) }, diagnostics };
}

/**
 * Forwarding without the agents' networks: what the config, the masters and the overlay give.
 * `agentsAllowed` says whether the agents' own addresses join the allowed networks (they do
 * unless `dns.allowedNetworks` lists the networks itself).
 * @example forwardingBase(snapshot).forwarding.allowedNetworks // ["127.0.0.0/8", "::1/128", ...]
 */
export function forwardingBase(snapshot: ClusterSnapshot): DnsForwardingResult & { agentsAllowed: boolean } {
  const config = snapshot.config.dns;
  const diagnostics: Diagnostic[] = [];
  const zones = new Map<string, DnsUpstream[]>();
  for (const [zone, list] of Object.entries(config.forwardZones)) zones.set(zone, upstreamList(list, `zone:${zone}`, diagnostics));

  if (config.masterResolverPort !== undefined) {
    const masters = masterIps(snapshot).masters.map((ip) => ({ ip: ip.address, port: config.masterResolverPort! }));
    if (zones.has(config.domain)) {
      diagnostics.push(info("dns.forwarding.domain-zone-wins", `zone:${config.domain}`, `forwardZones names '${config.domain}' itself, so masterResolverPort is not used`));
    } else if (masters.length === 0) {
      diagnostics.push(info("dns.forwarding.no-masters", `zone:${config.domain}`, `no master IPs are known, so '${config.domain}' is answered from the local zone`));
    } else {
      zones.set(config.domain, masters);
    }
  }

  return {
    forwarding: {
      upstreams: upstreamList(config.upstreams, "dns:upstreams", diagnostics),
      zones: [...zones]
        .filter(([, upstreams]) => upstreams.length > 0)
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([zone, upstreams]) => ({ zone, upstreams })),
      allowedNetworks: allowedNetworks(snapshot, diagnostics),
      timeoutMs: config.forwardTimeoutMs,
    },
    diagnostics,
    agentsAllowed: config.allowedNetworks === undefined,
  };
}

/**
 * The networks an agent adds to the allowed forwarding clients: its own addresses.
 * @example agentForwardingNetworks({ id: "S1", ips: ["10.0.1.11"], ... }).networks // ["10.0.1.11/32"]
 */
export function agentForwardingNetworks(agent: Agent): { networks: string[]; diagnostics: Diagnostic[] } {
  const networks = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const ip of agent.ips) addNetwork(networks, ip, `agent:${agent.id}`, diagnostics);
  return { networks: [...networks].sort(compareStrings), diagnostics };
}

/** Parsed upstreams in the order given (order is a preference), duplicates dropped. */
function upstreamList(list: readonly string[], subject: string, diagnostics: Diagnostic[]): DnsUpstream[] {
  const out: DnsUpstream[] = [];
  for (const text of list) {
    const upstream = parseUpstream(text);
    if (upstream === undefined) {
      diagnostics.push({ level: "error", code: "dns.forwarding.bad-upstream", subject, message: `'${text}' is not 'ip', 'ip:port' or '[v6]:port'; it is skipped` });
    } else if (!out.some((u) => u.ip === upstream.ip && u.port === upstream.port)) {
      out.push(upstream);
    }
  }
  return out;
}

function allowedNetworks(snapshot: ClusterSnapshot, diagnostics: Diagnostic[]): string[] {
  const configured = snapshot.config.dns.allowedNetworks;
  const blocks = new Set<string>();
  if (configured !== undefined) {
    for (const text of configured) addNetwork(blocks, text, "dns:allowedNetworks", diagnostics);
    return [...blocks].sort(compareStrings);
  }
  for (const text of DEFAULT_LOCAL_NETWORKS) addNetwork(blocks, text, "dns:allowedNetworks", diagnostics);
  for (const master of masterIps(snapshot).masters) blocks.add(networkText(master.address)!);
  // Overlay and VTEP subnets are validated by the overlay reconciler, which reports bad ones;
  // here an unparsable one is simply not allowed.
  const overlay = snapshot.config.overlay;
  const overlaySubnets = [overlay.vtep_subnet, overlay.vtep_subnet6, ...overlay.overlays.filter((o) => o.enabled).flatMap((o) => [o.subnet, o.subnet6])];
  for (const subnet of overlaySubnets) {
    const network = subnet === undefined || subnet === null ? undefined : networkText(subnet);
    if (network !== undefined) blocks.add(network);
  }
  return [...blocks].sort(compareStrings);
}

function addNetwork(blocks: Set<string>, text: string, subject: string, diagnostics: Diagnostic[]): void {
  const network = networkText(text);
  if (network !== undefined) blocks.add(network);
  else diagnostics.push({ level: "warning", code: "dns.forwarding.bad-network", subject, message: `'${text}' is not an IP or CIDR block, so it is not allowed to forward` });
}

function info(code: string, subject: string, message: string): Diagnostic {
  return { level: "info", code, subject, message };
}
