/**
 * @module
 * Addresses as Mesos writes them: libprocess PIDs (`slave(1)@10.0.0.1:5051`,
 * `scheduler(1)@[2001:db8::1]:25501`), `host:port` master entries and bare IP literals. Both the
 * `/master/state` adapter and the Mesos-DNS zone read these, so the rules live in one place.
 * IP text is normalised the way Go's `net.IP.String()` prints it (mesos-dns stored that form):
 * lowercase RFC 5952 IPv6, and IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4.
 */
import ipaddr from "ipaddr.js";

/** An IP literal in its normalised text form, with its family (A or AAAA records). */
export interface IpLiteral {
  address: string;
  family: 4 | 6;
}

/**
 * Parses an IP literal; anything else (hostnames, `""`, zone ids, `127.1`) gives `undefined`.
 * @example parseIp("FD01:B:0:0:0:1:8000:2") // { address: "fd01:b::1:8000:2", family: 6 }
 * @example parseIp("::ffff:1.2.3.4") // { address: "1.2.3.4", family: 4 }
 */
export function parseIp(text: string): IpLiteral | undefined {
  // Dotted quads are by far the common case; checking them by hand keeps the zone builder
  // from allocating a parsed address object per task.
  if (isDottedQuad(text)) return { address: text, family: 4 };
  // Go's net.ParseIP rejects zone ids; ipaddr.js would accept `fe80::1%eth0`.
  if (text.indexOf(":") < 0 || text.indexOf("%") >= 0 || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return { address: v6.toIPv4Address().toString(), family: 4 };
  return { address: v6.toRFC5952String(), family: 6 };
}

/**
 * Strict decimal dotted quad: four parts 0–255, no leading zeros (Go ≥ 1.17 rejects them,
 * and they are octal to some other parsers, so they are ambiguous).
 * @example isDottedQuad("10.0.0.1") // true
 * @example isDottedQuad("010.0.0.1") // false
 */
export function isDottedQuad(text: string): boolean {
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      value = 0;
      continue;
    }
    if (c < 48 || c > 57) return false;
    if (digits > 0 && value === 0) return false;
    value = value * 10 + (c - 48);
    if (value > 255) return false;
    digits++;
  }
  return dots === 3 && digits > 0;
}

/** `host` and `port` of a `host:port` text; the host has its IPv6 brackets removed. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Splits `host:port` or `[v6]:port` (Go's `net.SplitHostPort` rules). The port must be
 * decimal digits in 0–65535; an unbracketed host must not contain `:`.
 * @example splitHostPort("[2001:db8::1]:5051") // { host: "2001:db8::1", port: 5051 }
 * @example splitHostPort("10.0.0.1") // undefined
 */
export function splitHostPort(text: string): HostPort | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let host = text.slice(0, colon);
  if (host.startsWith("[")) {
    if (!host.endsWith("]")) return undefined;
    host = host.slice(1, -1);
  } else if (host.indexOf(":") >= 0 || host.indexOf("]") >= 0) {
    return undefined;
  }
  const port = parsePort(text.slice(colon + 1));
  return port === undefined ? undefined : { host, port };
}

function parsePort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    port = port * 10 + (c - 48);
  }
  return port <= 65535 ? port : undefined;
}

/** A libprocess PID: `id@host:port`. */
export interface Pid extends HostPort {
  id: string;
}

/**
 * Parses a libprocess PID. Exactly one `@` with a non-empty id before it, then `host:port`.
 * The host is returned as written (an IP literal or a hostname); callers decide how to resolve it.
 * @example parsePid("scheduler(1)@[2001:db8::1]:25501") // { id: "scheduler(1)", host: "2001:db8::1", port: 25501 }
 * @example parsePid("3@4") // undefined
 */
export function parsePid(pid: string): Pid | undefined {
  const at = pid.indexOf("@");
  if (at <= 0 || pid.indexOf("@", at + 1) >= 0) return undefined;
  const hostPort = splitHostPort(pid.slice(at + 1));
  if (hostPort === undefined || hostPort.host === "") return undefined;
  return { id: pid.slice(0, at), host: hostPort.host, port: hostPort.port };
}
