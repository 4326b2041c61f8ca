/**
 * @module
 * What one rendered service is, as data (for `explain` and the dashboard): its backend, mode,
 * vhosts and the server each task fills, named exactly as the config names them.
 */
import type { HaproxyServiceFact } from "../../lib/desired/provenance.ts";
import { serverName } from "./names.ts";
import { slotName } from "./servers.ts";
import { serviceMode } from "./service-sections.ts";
import type { Service } from "./services.ts";
import { slotKey, type BackendSlots } from "./slots.ts";

/**
 * @example serviceFact(service, slots, "slots").servers[0] // { name: "slot1", ip: "10.0.1.11", port: 31000, draining: false, taskId: "web.1" }
 */
export function serviceFact(service: Service, backend: string, slots: BackendSlots, naming: "slots" | "marathon-lb"): HaproxyServiceFact {
  const servers = service.backends.map((b) => ({
    name: naming === "slots" ? slotName(slots.servers[slotKey(b)]!) : serverName(b.host, b.ip, b.port),
    ip: b.ip,
    port: b.port,
    draining: b.draining,
    taskId: b.taskId,
  }));
  return {
    appId: service.appId,
    servicePort: service.servicePort,
    backend,
    mode: serviceMode(service),
    vhosts: service.settings.vhosts ?? [],
    bindAddr: service.settings.bindAddr,
    size: naming === "slots" ? slots.size : servers.length,
    servers,
  };
}
