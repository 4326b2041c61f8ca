/**
 * @module
 * Resolver addresses as operators write them in `wayfinder.yaml`, `dcos-dns.json` and on the
 * command line: `ip`, `ip:port` or `[v6]:port`, port 53 when absent (dcos-net's
 * `parse_ipv4_address_with_port`, extended to IPv6). Only IP literals: a resolver named by a
 * hostname would need a resolver to find it.
 */
import { parseIp } from "./ip-literal.ts";
import { splitHostPort } from "./host-port.ts";

/** A resolver's address: a normalised IP literal and a port. */
export interface UpstreamAddress {
  ip: string;
  port: number;
}

/** The DNS port, used when an upstream names none. */
export const DNS_PORT = 53;

/**
 * Parses one resolver address; `undefined` for anything that is not an IP literal with an
 * optional port in 1–65535.
 * @example parseUpstream("127.0.0.1:9000") // { ip: "127.0.0.1", port: 9000 }
 * @example parseUpstream("1.1.1.1") // { ip: "1.1.1.1", port: 53 }
 * @example parseUpstream("[2001:db8::1]:5353") // { ip: "2001:db8::1", port: 5353 }
 * @example parseUpstream("resolver.example") // undefined
 */
export function parseUpstream(text: string, defaultPort = DNS_PORT): UpstreamAddress | undefined {
  const bare = parseIp(text);
  if (bare !== undefined) return { ip: bare.address, port: defaultPort };
  const hostPort = splitHostPort(text);
  if (hostPort === undefined || hostPort.port === 0) return undefined;
  const ip = parseIp(hostPort.host);
  return ip === undefined ? undefined : { ip: ip.address, port: hostPort.port };
}

/**
 * The `ip:port` text of an upstream (`[v6]:port` for IPv6), as metrics labels and logs show it.
 * @example formatUpstream({ ip: "2001:db8::1", port: 53 }) // "[2001:db8::1]:53"
 */
export function formatUpstream(upstream: UpstreamAddress): string {
  return formatHostPort(upstream.ip, upstream.port);
}

/**
 * `ip:port`, with brackets around an IPv6 address.
 * @example formatHostPort("::1", 5353) // "[::1]:5353"
 */
export function formatHostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}
