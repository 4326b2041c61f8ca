/**
 * @module
 * The end of a backend section (`specs/l7.md` §5.8–5.9): the backend-level health-check
 * options, then one `server` line per server, each with its check suffix (stripped and
 * prefixed with one space, marathon-lb's rule).
 */
import { addressForPort } from "../../net/ip-literal.ts";
import type { TemplateValue } from "./template-format.ts";
import type { Templater } from "./templater.ts";
import type { HealthModel, ServiceModel } from "./model.ts";

/**
 * @example serverLines(service, templater)
 * // "  option  httpchk GET /\n  timeout check 10s\n  server slot1 1.1.1.1:1024 id 1 check inter 2s fall 11\n..."
 */
export function serverLines(service: ServiceModel, templater: Templater): string {
  const { health, templates } = service;
  let out = "";
  if (health !== undefined) {
    const name = health.family === "tcp" ? "BACKEND_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_HTTP_HEALTHCHECK_OPTIONS";
    out += templater.render(name, healthValues(health, health.backendPort), templates);
  }
  // The suffix depends on the server only through its check port: render each port once.
  const suffixes = new Map<number | undefined, string>();
  const checkSuffix = (port: number | undefined): string => {
    if (health === undefined) return "";
    let suffix = suffixes.get(port);
    if (suffix === undefined) {
      const name = health.family === "tcp" ? "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS";
      const text = templater.render(name, healthValues(health, port), templates).trim();
      suffixes.set(port, (suffix = text === "" ? "" : ` ${text}`));
    }
    return suffix;
  };
  for (const server of service.servers) {
    const values: Record<string, TemplateValue> = {
      host: server.host,
      host_ipv4: addressForPort(server.ip),
      port: server.port,
      serverName: server.name,
      serverId: server.id,
      cookieOptions: server.cookie === undefined ? "" : ` check cookie ${server.cookie}`,
      healthCheckOptions: checkSuffix(server.checkPort),
      otherOptions: server.disabled ? " disabled" : "",
    };
    out += templater.render("BACKEND_SERVER_OPTIONS", values, templates);
  }
  return out;
}

/**
 * The placeholders of the four health-check templates, with the check port (or none).
 * e.g. port 1025 gives `healthCheckPortOptions: " port 1025"`.
 */
function healthValues(health: HealthModel, port: number | undefined): Record<string, TemplateValue> {
  return {
    healthCheck: health.raw,
    healthCheckPortIndex: health.portIndex,
    healthCheckPort: port,
    healthCheckProtocol: health.protocol,
    healthCheckPath: health.path ?? "/",
    healthCheckTimeoutSeconds: health.timeoutSeconds,
    healthCheckIntervalSeconds: health.intervalSeconds,
    healthCheckGracePeriodSeconds: health.gracePeriodSeconds,
    healthCheckMaxConsecutiveFailures: health.maxConsecutiveFailures,
    healthCheckFalls: health.maxConsecutiveFailures + 1,
    healthCheckPortOptions: port ? ` port ${port}` : "",
  };
}
