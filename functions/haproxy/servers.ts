/**
 * @module
 * The `server` lines of one backend, with the backend-level health-check options before them
 * (`specs/l7.md` §5.8–5.9). Two namings:
 * - `slots` (default): `slot1`..`slotN` with id = slot number; a free slot points at
 *   127.0.0.1:1 and is `disabled`, so it never takes traffic until the executor fills it
 *   through the Runtime API. Everything but a slot's address and `disabled` is the same
 *   whether the slot is used or not, which is what lets a scale event skip the reload.
 * - `marathon-lb`: upstream's `host_ip_port` names, sha256-derived ids and one line per task.
 */
import { addressForPort } from "../../lib/net/ip-literal.ts";
import type { TemplateValue } from "../../lib/render/haproxy/template-format.ts";
import type { Backend, HealthCheck, Service } from "./services.ts";
import { slotKey, type BackendSlots } from "./slots.ts";
import type { Templater } from "./templater.ts";
import { backendPort, healthFamily, healthValues, serverCheckPort } from "./health-check.ts";
import { cookieValue, serverId, serverName } from "./names.ts";

/** Where a free slot points: loopback port 1, and `disabled`, so nothing is ever sent there. */
export const FREE_SLOT = { ip: "127.0.0.1", port: 1 } as const;

/** The slot server name. */
export const slotName = (slot: number) => `slot${slot}`;


export interface ServersInput {
  readonly service: Service;
  readonly mode: "tcp" | "http";
  /** Every service of the same app, in (appId, servicePort) order. */
  readonly siblings: readonly Service[];
  readonly templater: Templater;
  readonly naming: "slots" | "marathon-lb";
  readonly slots: BackendSlots;
}

/**
 * Health-check options, then one `server` line per slot (or per task).
 * @example backendServers({ service, mode: "http", siblings: [service], templater, naming: "slots", slots })
 * // "  option  httpchk GET /\n  timeout check 10s\n  server slot1 1.1.1.1:1024 id 1 check inter 2s fall 11\n  server slot2 127.0.0.1:1 id 2 check inter 2s fall 11 disabled\n..."
 */
export function backendServers(input: ServersInput): string {
  const { service, mode, siblings, templater } = input;
  const check = service.healthCheck;
  const perPort = service.settings.templates;
  let out = "";
  if (check !== undefined) {
    const family = healthFamily(mode, check);
    const name = family === "tcp" ? "BACKEND_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_HTTP_HEALTHCHECK_OPTIONS";
    out += templater.render(name, healthValues(check, backendPort(siblings, service, 0)), perPort);
  }
  // The check suffix depends on the server only through BACKEND_HEALTHCHECK_PORT_INDEX.
  const sharedHealth = check === undefined ? "" : service.settings.healthcheckPortIndex === undefined ? serverHealth(input, check, -1) : undefined;
  const line = (name: string, id: number, backend: Backend | undefined, index: number) => {
    const health = sharedHealth ?? serverHealth(input, check!, index);
    const values: Record<string, TemplateValue> = {
      host: backend?.host ?? FREE_SLOT.ip,
      host_ipv4: addressForPort(backend?.ip ?? FREE_SLOT.ip),
      port: backend?.port ?? FREE_SLOT.port,
      serverName: name,
      serverId: id,
      cookieOptions: service.settings.sticky ? ` check cookie ${cookieValue(name)}` : "",
      healthCheckOptions: health,
      otherOptions: backend === undefined || backend.draining ? " disabled" : "",
    };
    return templater.render("BACKEND_SERVER_OPTIONS", values, perPort);
  };

  if (input.naming === "marathon-lb") {
    const taken = new Set<number>();
    service.backends.forEach((backend, index) => {
      const name = serverName(backend.host, backend.ip, backend.port);
      out += line(name, serverId(name, taken), backend, index);
    });
    return out;
  }
  const bySlot = new Map<number, [Backend, number]>();
  service.backends.forEach((backend, index) => bySlot.set(input.slots.servers[slotKey(backend)]!, [backend, index]));
  for (let slot = 1; slot <= input.slots.size; slot++) {
    const [backend, index] = bySlot.get(slot) ?? [undefined, -1];
    out += line(slotName(slot), slot, backend, index);
  }
  return out;
}

/** The server-level check suffix: stripped, then prefixed with one space (marathon-lb's rule). */
function serverHealth(input: ServersInput, check: HealthCheck, index: number): string {
  const family = healthFamily(input.mode, check);
  const name = family === "tcp" ? "BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS" : "BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS";
  const port = index < 0 ? check.port : serverCheckPort(input.siblings, input.service, check, index);
  const text = input.templater.render(name, healthValues(check, port), input.service.settings.templates).trim();
  return text === "" ? "" : ` ${text}`;
}
