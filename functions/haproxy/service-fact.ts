/**
 * @module
 * What one rendered service is, as `explain` and the dashboard read it: its model's names,
 * mode and servers, each server with the task that fills it (the model knows addresses, the
 * normalised service knows tasks); free slots are left out and counted in `size`.
 */
import type { HaproxyServiceFact } from "../../lib/desired/provenance.ts";
import type { ServiceModel } from "../../lib/render/haproxy/model.ts";
import type { Service } from "./services.ts";
import { slotKey } from "./slots.ts";

/**
 * @example serviceFact(model, service).servers[0] // { name: "slot1", ip: "10.0.1.11", port: 31000, draining: false, taskId: "web.1" }
 */
export function serviceFact(model: ServiceModel, service: Service): HaproxyServiceFact {
  const tasks = new Map(service.backends.map((b) => [slotKey(b), b]));
  const servers = model.servers.flatMap((server) => {
    const backend = tasks.get(slotKey(server));
    return backend === undefined ? [] : [{ name: server.name, ip: server.ip, port: server.port, draining: backend.draining, taskId: backend.taskId }];
  });
  return {
    appId: model.appId,
    servicePort: model.servicePort,
    backend: model.backend,
    mode: model.mode,
    vhosts: [...(service.settings.vhosts ?? [])],
    bindAddr: model.bindAddr,
    size: model.servers.length,
    servers,
  };
}
