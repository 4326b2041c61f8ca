/**
 * @module
 * Marathon health checks → HAProxy checks (`specs/l7.md` §5.8): which template family applies,
 * the placeholders the four health-check templates receive, and the `port` a server is checked
 * on when `BACKEND_HEALTHCHECK_PORT_INDEX` points at another service port (marathon-lb#198).
 */
import type { TemplateValue } from "../../lib/render/haproxy/template-format.ts";
import type { HealthCheck, Service } from "./services.ts";

/**
 * `tcp` when the service is tcp or the check is TCP/MESOS_TCP, else `http` for http services.
 * @example healthFamily("http", { protocol: "MESOS_TCP", ... }) // "tcp"
 */
export function healthFamily(mode: "tcp" | "http", check: HealthCheck): "tcp" | "http" {
  return mode === "tcp" || check.protocol === "TCP" || check.protocol === "MESOS_TCP" ? "tcp" : "http";
}

/**
 * The placeholders of the health-check templates, with the server's check port (or none).
 * @example healthValues(check, 1025).healthCheckPortOptions // " port 1025"
 */
export function healthValues(check: HealthCheck, port: number | undefined): Record<string, TemplateValue> {
  return {
    healthCheck: check.raw,
    healthCheckPortIndex: check.portIndex,
    healthCheckPort: port,
    healthCheckProtocol: check.protocol,
    healthCheckPath: check.path ?? "/",
    healthCheckTimeoutSeconds: check.timeoutSeconds,
    healthCheckIntervalSeconds: check.intervalSeconds,
    healthCheckGracePeriodSeconds: check.gracePeriodSeconds,
    healthCheckMaxConsecutiveFailures: check.maxConsecutiveFailures,
    healthCheckFalls: check.maxConsecutiveFailures + 1,
    healthCheckPortOptions: port ? ` port ${port}` : "",
  };
}

/**
 * marathon-lb's `get_backend_port`: the port of the `index`-th server of the app's service at
 * `healthcheckPortIndex` (the app's services in (appId, servicePort) order, negative indexes
 * counting from the end as Python's do); the service's own `index`-th server port when the
 * index is unset or out of range. `siblings` are all services of the same app.
 * @example backendPort([web10000, web10001], web10000, 0) // port of web10001's first server
 */
export function backendPort(siblings: readonly Service[], service: Service, index: number): number | undefined {
  const own = service.backends[index]?.port;
  const portIndex = service.settings.healthcheckPortIndex;
  if (portIndex === undefined || Math.abs(portIndex) > siblings.length) return own;
  const target = siblings[portIndex < 0 ? siblings.length + portIndex : portIndex];
  // Upstream raised IndexError here (and stopped regenerating); the own port is the sane fallback.
  return target?.backends[index]?.port ?? own;
}

/**
 * The port the server at `index` is checked on: from the port-index label, else the check's
 * explicit `port`, else none (the server's own port).
 */
export function serverCheckPort(siblings: readonly Service[], service: Service, check: HealthCheck, index: number): number | undefined {
  return service.settings.healthcheckPortIndex !== undefined ? backendPort(siblings, service, index) : check.port;
}
