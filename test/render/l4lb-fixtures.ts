/**
 * @module
 * Small L4 services for renderer and applier tests.
 */
import type { L4Service } from "../../lib/desired/schema.ts";

/** A TCP service on `ip:port` with backends given as `[ip, port, weight]`. */
export function service(ip: string, port: number, backends: Array<[string, number, number]>, protocol: "tcp" | "udp" = "tcp"): L4Service {
  return {
    vip: { ip, port, protocol },
    scheduler: "wlc",
    backends: backends.map(([bip, bport, weight], i) => ({ ip: bip, port: bport, weight, taskId: `task-${i}` })),
  };
}
