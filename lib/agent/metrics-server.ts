/**
 * @module
 * The agent's own HTTP endpoint (`--metrics IP:PORT`): `GET /metrics` in the Prometheus text
 * format and `GET /healthz`, which answers 200 while the node runs its newest desired state and
 * 503 (with the reason) while it does not, for systemd watchdogs and node health checks.
 */
import { createServer, type Server } from "node:http";
import type { AgentMetrics } from "./agent-metrics.ts";
import type { SyncStatus } from "./syncer.ts";
import { listenServer, type NodeServer } from "../http/node-server.ts";
import type { ListenAddress } from "../net/listen-address.ts";

export type MetricsServer = NodeServer;

/**
 * @example const server = await serveMetrics({ host: "127.0.0.1", port: 9101 }, metrics, () => syncer.status);
 */
export function serveMetrics(address: ListenAddress, metrics: AgentMetrics, status: () => SyncStatus): Promise<MetricsServer> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
    } else if (path === "/metrics") {
      await metrics.registry.collect();
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }).end(metrics.registry.render());
    } else if (path === "/healthz") {
      const s = status();
      const healthy = s.consecutiveFailures === 0 && s.appliedHash !== undefined && s.appliedHash === s.desiredHash;
      const reason = healthy ? "the node runs its desired state" : s.appliedHash === undefined ? "no desired state applied yet" : s.consecutiveFailures > 0 ? "the last sync failed" : "a newer desired state is being applied";
      const body = { healthy, reason, desiredHash: s.desiredHash ?? null, appliedHash: s.appliedHash ?? null, consecutiveFailures: s.consecutiveFailures, lastSuccessAt: s.lastSuccessAt === undefined ? null : new Date(s.lastSuccessAt).toISOString() };
      res.writeHead(healthy ? 200 : 503, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("try /metrics or /healthz\n");
    }
  });
  return listenServer(server, address);
}
