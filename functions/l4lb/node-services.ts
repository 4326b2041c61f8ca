/**
 * @module
 * The VIP table as one node programs it (specs/overlay_l4lb.md §4.6 step 1): a backend behind
 * a UCR host-port mapping on this very node is reached at its container address instead,
 * because the node's own DNAT to its host port would never pass the port-mapping rules
 * (dcos/dcos#2459). Every other node keeps `agentIP:hostPort`.
 */
import type { L4Backend, L4Service } from "../../lib/desired/schema.ts";

/**
 * @example
 * nodeServices(services, "S0")[0].backends[0] // { ip: "172.31.254.10", port: 10080, ... } on S0 only
 */
export function nodeServices(services: readonly L4Service[], agentId: string): L4Service[] {
  return services.map((service) =>
    service.backends.some((b) => b.local !== undefined && b.agentId === agentId)
      ? { ...service, backends: service.backends.map((b) => localBackend(b, agentId)) }
      : service,
  );
}

function localBackend(backend: L4Backend, agentId: string): L4Backend {
  if (backend.local === undefined || backend.agentId !== agentId) return backend;
  const { local, ...rest } = backend;
  return { ...rest, ip: local.ip, port: local.port };
}
