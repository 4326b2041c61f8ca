/**
 * @module
 * UDP has no connection end, so a conntrack entry that DNATs a flow to a removed backend keeps
 * sending that flow's datagrams into the void until it times out, and a client that re-uses a
 * source port lands there too (kubernetes/kubernetes#71514; IPVS had the same trouble). After a
 * sync removes UDP backends (or whole UDP VIPs), their entries are deleted, as kube-proxy does.
 * TCP entries stay: a removed TCP backend's connections end on their own. Drained (weight 0)
 * backends keep their flows by design.
 */
import type { CommandRunner } from "../run-command.ts";

/** Flows to delete: to a VIP port, optionally only those answered by one backend. */
export interface StaleFlow {
  vip: string;
  port: number;
  backend?: { ip: string; port: number };
}

/** A service as the stale-flow check needs it. */
interface ServiceFacts {
  protocol: "tcp" | "udp";
  port: number;
  backends: ReadonlyArray<{ ip: string; port: number }>;
  rules: { address: string };
}

/**
 * The UDP flows that point at backends no longer desired, from one sync's service changes.
 * @example staleUdpFlows([{ before: dnsWithTwoBackends, after: dnsWithOne }]) // [{ vip: "11.0.0.1", port: 53, backend: { ip: "9.0.1.3", port: 5353 } }]
 */
export function staleUdpFlows(changes: ReadonlyArray<{ before?: ServiceFacts; after?: ServiceFacts }>): StaleFlow[] {
  const flows: StaleFlow[] = [];
  for (const { before, after } of changes) {
    if (before === undefined || before.protocol !== "udp") continue;
    const vip = before.rules.address;
    const port = before.port;
    if (after === undefined) {
      flows.push({ vip, port });
      continue;
    }
    const kept = new Set(after.backends.map((b) => `${b.ip} ${b.port}`));
    for (const b of before.backends) if (!kept.has(`${b.ip} ${b.port}`)) flows.push({ vip, port, backend: { ip: b.ip, port: b.port } });
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
      // Spawned directly: ENOENT; through nsenter: its own message.
      if (message.includes("ENOENT") || message.includes("failed to execute conntrack")) return false;
      throw error;
    }
  }
  return true;
}
