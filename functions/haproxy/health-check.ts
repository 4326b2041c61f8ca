/**
 * @module
 * Marathon health checks → HAProxy checks (`specs/l7.md` §5.8): which template family applies,
 * and the `port` a server is checked on when `BACKEND_HEALTHCHECK_PORT_INDEX` points at another
 * service port (marathon-lb#198).
 */
import type { HealthModel, ProxyMode } from "../../lib/render/haproxy/model.ts";
import type { HealthCheck, Service } from "./services.ts";

/**
 * `tcp` when the service is tcp or the check is TCP/MESOS_TCP, else `http` for http services.
 * @example healthFamily("http", { protocol: "MESOS_TCP", ... }) // "tcp"
 */
export function healthFamily(mode: ProxyMode, check: HealthCheck): ProxyMode {
  return mode === "tcp" || check.protocol === "TCP" || check.protocol === "MESOS_TCP" ? "tcp" : "http";
}

/**
 * The check of a service as the health-check templates read it.
 * @example healthModel(service, "http", [service])?.family // "http"
 */
export function healthModel(service: Service, mode: ProxyMode, siblings: readonly Service[]): HealthModel | undefined {
  const check = service.healthCheck;
  if (check === undefined) return undefined;
  return {
    family: healthFamily(mode, check),
    protocol: check.protocol,
    ...(check.path === undefined ? {} : { path: check.path }),
    ...(check.portIndex === undefined ? {} : { portIndex: check.portIndex }),
    intervalSeconds: check.intervalSeconds,
    timeoutSeconds: check.timeoutSeconds,
    gracePeriodSeconds: check.gracePeriodSeconds,
    maxConsecutiveFailures: check.maxConsecutiveFailures,
    ...optionalPort(backendPort(siblings, service, 0)),
    raw: check.raw,
  };
}

const optionalPort = (port: number | undefined) => (port === undefined ? {} : { backendPort: port });

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
 * The port the server at `index` (−1: a free slot) is checked on: from the port-index label,
 * else the check's explicit `port`, else none (the server's own port).
 * @example serverCheckPort([service], service, check, 0) // check.port when no port index is set
 */
export function serverCheckPort(siblings: readonly Service[], service: Service, check: HealthCheck, index: number): number | undefined {
  if (service.settings.healthcheckPortIndex === undefined || index < 0) return check.port;
  return backendPort(siblings, service, index);
}
