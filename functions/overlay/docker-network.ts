/**
 * @module
 * The `docker network create` arguments for an overlay's Docker bridge (`d-<name>`, the upper
 * half of the agent's slice), as the DC/OS agent module ran them (spec §3.1). They are data,
 * an argument array for `execFile`, never a shell string. Unlike the module's format string,
 * absent options leave no empty placeholders behind.
 */
import type { Bridge, DockerNetwork } from "../../lib/desired/overlay-schema.ts";

/**
 * @example
 * dockerNetwork("dcos", { name: "d-dcos", subnet: "9.0.1.128/25" }, 1420).args
 * // ["network", "create", "--driver=bridge", "--opt=com.docker.network.bridge.name=d-dcos",
 * //  "--opt=com.docker.network.bridge.enable_ip_masquerade=false", "--opt=com.docker.network.driver.mtu=1420",
 * //  "--subnet=9.0.1.128/25", "dcos"]
 */
export function dockerNetwork(network: string, bridge: Bridge, mtu: number): DockerNetwork {
  const args = [
    "network",
    "create",
    "--driver=bridge",
    `--opt=com.docker.network.bridge.name=${bridge.name}`,
    // Same reason as the CNI bridge's ipMasq: false: overlay-to-overlay traffic keeps its source.
    "--opt=com.docker.network.bridge.enable_ip_masquerade=false",
    `--opt=com.docker.network.driver.mtu=${mtu}`,
  ];
  if (bridge.subnet !== undefined) args.push(`--subnet=${bridge.subnet}`);
  if (bridge.subnet6 !== undefined) args.push("--ipv6", `--subnet=${bridge.subnet6}`);
  args.push(network);
  return { name: network, args };
}
