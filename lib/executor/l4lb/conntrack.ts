/**
 * @module
 * UDP has no connection end, so a conntrack entry that DNATs a flow to a removed backend keeps
 * sending that flow's datagrams into the void until it times out, and a client that re-uses a
 * source port lands there too (kubernetes/kubernetes#71514; IPVS had the same trouble). After a
 * sync removes UDP backends (or whole UDP VIPs), their entries are deleted, as kube-proxy does.
 * TCP entries stay: a removed TCP backend's connections end on their own. Drained (weight 0)
 * backends keep their flows by design.
 */
import type { L4Service } from "../../desired/schema.ts";
import type { CommandRunner } from "./run-command.ts";

/** UDP service key → its backends as `ip port`. */
export type UdpBackends = Map<string, { vip: string; port: number; backends: string[] }>;

/** Flows to delete: to a VIP port, optionally only those answered by one backend. */
export interface StaleFlow {
  vip: string;
  port: number;
  backend?: { ip: string; port: number };
}

/**
 * @example udpBackends(services).get("11.0.0.1 53") // { vip: "11.0.0.1", port: 53, backends: ["9.0.1.2 5353"] }
 */
export function udpBackends(services: readonly L4Service[]): UdpBackends {
  const out: UdpBackends = new Map();
  for (const s of services) {
    if (s.vip.protocol !== "udp") continue;
    out.set(`${s.vip.ip} ${s.vip.port}`, { vip: s.vip.ip, port: s.vip.port, backends: s.backends.map((b) => `${b.ip} ${b.port}`) });
  }
  return out;
}

/**
 * The UDP flows that point at backends no longer desired.
 * @example staleUdpFlows(udpBackends(before), udpBackends(after)) // [{ vip: "11.0.0.1", port: 53, backend: { ip: "9.0.1.3", port: 5353 } }]
 */
export function staleUdpFlows(before: UdpBackends, after: UdpBackends): StaleFlow[] {
  const flows: StaleFlow[] = [];
  for (const [key, old] of before) {
    const now = after.get(key);
    if (now === undefined) {
      flows.push({ vip: old.vip, port: old.port });
      continue;
    }
    const kept = new Set(now.backends);
    for (const b of old.backends) {
      if (kept.has(b)) continue;
      const [ip, port] = b.split(" ");
      flows.push({ vip: old.vip, port: old.port, backend: { ip: ip!, port: Number(port) } });
    }
  }
  return flows;
}

/**
 * Deletes the flows with `conntrack -D`. "0 flow entries" is success; a node without the
 * conntrack tool skips the step (returns false) rather than failing the sync.
 * @example await deleteStaleFlows(run, flows) // true
 */
export async function deleteStaleFlows(run: CommandRunner, flows: readonly StaleFlow[]): Promise<boolean> {
  for (const flow of flows) {
    const argv = ["conntrack", "-D", "-f", flow.vip.includes(":") ? "ipv6" : "ipv4", "-p", "udp", "--orig-dst", flow.vip, "--orig-port-dst", String(flow.port)];
    if (flow.backend !== undefined) argv.push("--reply-src", flow.backend.ip, "--reply-port-src", String(flow.backend.port));
    try {
      await run(argv);
    } catch (error) {
      const message = (error as Error).message;
      if (message.includes("0 flow entries")) continue;
      // Spawned directly: ENOENT; through `ip netns exec`: ip's own message.
      if (message.includes("ENOENT") || message.includes('exec of "conntrack" failed')) return false;
      throw error;
    }
  }
  return true;
}
