/**
 * @module
 * The appliers write VIP addresses, ports, weights and the scheduler into `nft` and
 * `ipvsadm-restore` input. A desired state fetched from elsewhere is schema-checked at the
 * edge, but the appliers do not rely on it: a value that would not be a single token of its
 * kind (an "address" with a brace or a newline in it) is refused before any command runs.
 */
import type { L4Service } from "../../desired/schema.ts";
import { parseIp } from "../../net/ip-literal.ts";

/**
 * Why `service` cannot be installed, or undefined when it can.
 * @example installProblem({ vip: { ip: "11.0.0.1 }", port: 80, protocol: "tcp" }, ... }) // "VIP address '11.0.0.1 }' is not an IP literal"
 */
export function installProblem(service: L4Service): string | undefined {
  const { ip, port, protocol } = service.vip;
  if (parseIp(ip)?.address !== ip) return `VIP address ${JSON.stringify(ip)} is not an IP literal in canonical form`;
  if (!isPort(port)) return `VIP port ${port} is not in 1-65535`;
  if (protocol !== "tcp" && protocol !== "udp") return `protocol ${JSON.stringify(protocol)} is not tcp or udp`;
  if (!/^[a-z]{2,8}$/.test(service.scheduler)) return `scheduler ${JSON.stringify(service.scheduler)} is not an IPVS scheduler name`;
  const family = ip.includes(":");
  for (const b of service.backends) {
    if (parseIp(b.ip)?.address !== b.ip || b.ip.includes(":") !== family) return `backend address ${JSON.stringify(b.ip)} is not an IP literal of the VIP's family`;
    if (!isPort(b.port)) return `backend port ${b.port} is not in 1-65535`;
    if (!Number.isInteger(b.weight) || b.weight < 0) return `backend weight ${b.weight} is not a whole number ≥ 0`;
  }
  return undefined;
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
