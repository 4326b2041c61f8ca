/**
 * @module
 * Where a server of this project listens: `host:port` or `[ipv6]:port`, for the control-plane
 * API (`serve --listen`), the agent's metrics (`agent --metrics`) and the DNS server's UDP, TCP
 * and HTTP listeners (`dns --listen`, `--http`). One type for all of them, named as Node's
 * `net.Server#listen({ host, port })` names it.
 */
import type { HostPort } from "./host-port.ts";
import { formatHostPort } from "./upstream-address.ts";

/** A host (an IP literal, or a name for the HTTP servers) and a port; 0 picks a free one. */
export type ListenAddress = HostPort;

/**
 * Parses `host:port` or `[ipv6]:port`; port 0 picks a free port. Throws, quoting the text, on
 * anything else.
 * @example parseListenAddress("[::1]:8080") // { host: "::1", port: 8080 }
 */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port > 65535) {
    throw new Error(`listen address must be HOST:PORT or [IPV6]:PORT with a port of 0-65535 (got '${text}')`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

/**
 * @example formatListenAddress({ host: "::1", port: 53 }) // "[::1]:53"
 */
export function formatListenAddress(address: ListenAddress): string {
  return formatHostPort(address.host, address.port);
}
