/**
 * @module
 * `host:port` texts as Mesos and operators write them: master entries and resolver addresses
 * (`10.0.0.1:5050`, `[2001:db8::1]:53`) and libprocess PIDs (`slave(1)@10.0.0.1:5051`,
 * `scheduler(1)@[2001:db8::1]:25501`). The host comes back as written; `ip-literal.ts` says
 * whether it is an IP.
 */

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
