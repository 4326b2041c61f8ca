/**
 * @module
 * The servers of one backend (`specs/l7.md` §5.9). Two namings:
 * - `slots` (default): `slot1`..`slotN` with id = slot number; a free slot points at
 *   127.0.0.1:1 and is `disabled`, so it never takes traffic until the executor fills it
 *   through the Runtime API. Everything but a slot's address and `disabled` is the same
 *   whether the slot is used or not, which is what lets a scale event skip the reload.
 * - `marathon-lb`: upstream's `host_ip_port` names, sha256-derived ids and one server per task.
 */
import type { ServerModel } from "../../lib/render/haproxy/model.ts";
import type { Backend, Service } from "./services.ts";
import { slotKey, type BackendSlots } from "./slots.ts";
import { serverCheckPort } from "./health-check.ts";
import { cookieValue, serverId, serverName } from "./names.ts";

/** Where a free slot points: loopback port 1, and `disabled`, so nothing is ever sent there. */
export const FREE_SLOT = { ip: "127.0.0.1", port: 1 } as const;

/** The slot server name. */
export const slotName = (slot: number) => `slot${slot}`;

export interface ServersInput {
  readonly service: Service;
  /** Every service of the same app, in (appId, servicePort) order. */
  readonly siblings: readonly Service[];
  readonly naming: "slots" | "marathon-lb";
  readonly slots: BackendSlots;
}

/**
 * One server per slot (or per task).
 * @example serverModels({ service, siblings: [service], naming: "slots", slots })
 * // [{ name: "slot1", id: 1, host: "agent1", ip: "1.1.1.1", port: 1024, disabled: false }, { name: "slot2", id: 2, ip: "127.0.0.1", port: 1, disabled: true, ... }, ...]
 */
export function serverModels(input: ServersInput): ServerModel[] {
  const { service, siblings } = input;
  const check = service.healthCheck;
  const server = (name: string, id: number, backend: Backend | undefined, index: number): ServerModel => {
    const checkPort = check === undefined ? undefined : serverCheckPort(siblings, service, check, index);
    return {
      name,
      id,
      host: backend?.host ?? FREE_SLOT.ip,
      ip: backend?.ip ?? FREE_SLOT.ip,
      port: backend?.port ?? FREE_SLOT.port,
      disabled: backend === undefined || backend.draining,
      ...(service.settings.sticky ? { cookie: cookieValue(name) } : {}),
      ...(checkPort === undefined ? {} : { checkPort }),
    };
  };

  if (input.naming === "marathon-lb") {
    const taken = new Set<number>();
    return service.backends.map((backend, index) => {
      const name = serverName(backend.host, backend.ip, backend.port);
      return server(name, serverId(name, taken), backend, index);
    });
  }
  const bySlot = new Map<number, [Backend, number]>();
  service.backends.forEach((backend, index) => bySlot.set(input.slots.servers[slotKey(backend)]!, [backend, index]));
  const servers: ServerModel[] = [];
  for (let slot = 1; slot <= input.slots.size; slot++) {
    const [backend, index] = bySlot.get(slot) ?? [undefined, -1];
    servers.push(server(slotName(slot), slot, backend, index));
  }
  return servers;
}
