/**
 * @module
 * Parsers for `HAPROXY_*` label values. marathon-lb pasted most values into the config as
 * they came, so a newline in a label added a directive and a stray `#` commented out the rest
 * of a line. Here every value is data: each parser accepts exactly the shapes HAProxy reads
 * as that one thing (a host name, a path, an address...) and returns a reason otherwise.
 * Pure; a result is `{ value }` or `{ error }`, never an exception.
 */
import { isValidIp, isValidIpOrCidr } from "../../lib/net/ip-literal.ts";

export type Parsed<T> = { value: T; error?: undefined } | { value?: undefined; error: string };

const ok = <T>(value: T): Parsed<T> => ({ value });
const fail = <T>(error: string): Parsed<T> => ({ error });

const CONTROL = /[\u0000-\u001f\u007f]/;
/** One HAProxy word: no whitespace, quotes, backslash (escape) or `#` (comment). */
const WORD = /^[^\s"'\\#]+$/;
/** A host label: letters, digits, `-`, `_` (not RFC 952, but widespread), not starting or ending with `-`. */
const HOST = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/;
const URL_PATH = /^\/[A-Za-z0-9._~!$&()*+,;=:@%/-]*$/;

/** Why `raw` may not go into a config at all (control characters), or undefined. */
export function controlCharacterProblem(raw: string): string | undefined {
  return CONTROL.test(raw) ? `contains a control character (${JSON.stringify(raw)}); label values are data, never configuration` : undefined;
}

/**
 * marathon-lb's `string_to_bool`: true for `true`, `t`, `yes`, `y` in any case, false otherwise.
 * @example parseBool("Yes") // true
 */
export function parseBool(raw: string): boolean {
  return ["true", "t", "yes", "y"].includes(raw.toLowerCase());
}

/**
 * Python's `int()` on a label: optional sign and surrounding blanks, decimal digits.
 * @example parseInteger("-1").value // -1
 */
export function parseInteger(raw: string): Parsed<number> {
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) return fail(`${JSON.stringify(raw)} is not an integer`);
  const value = Number(raw.trim());
  return Number.isSafeInteger(value) ? ok(value) : fail(`${JSON.stringify(raw)} is out of range`);
}

/**
 * @example parsePort("10500").value // 10500
 */
export function parsePort(raw: string): Parsed<number> {
  const n = parseInteger(raw);
  if (n.error !== undefined) return n;
  return n.value >= 1 && n.value <= 65535 ? n : fail(`${n.value} is not a TCP port (1-65535)`);
}

/**
 * A `VHOST` value: comma-separated host names, lower-cased (marathon-lb `set_hostname`).
 * Blanks around names are trimmed; a name may start with `*.` (one label of any name,
 * marathon-lb#188). Empty names, ports and anything outside host-name characters are refused.
 * @example parseVhosts("Web.Example.test, *.apps.test").value // ["web.example.test", "*.apps.test"]
 */
export function parseVhosts(raw: string): Parsed<string[]> {
  const hosts = raw.toLowerCase().split(",").map((h) => h.trim());
  for (const host of hosts) {
    if (host === "") return fail(`${JSON.stringify(raw)} has an empty host name`);
    if (!HOST.test(host) || host.length > 253) {
      return fail(`${JSON.stringify(host)} is not a host name (letters, digits, '-', '_' and dots; '*.' only as the first label)`);
    }
  }
  return ok(hosts);
}

/**
 * A `PATH` value, pasted after `path_beg`: URL paths and the `-i` flag, separated by blanks.
 * @example parsePathPatterns("-i /a /b").value // "-i /a /b"
 */
export function parsePathPatterns(raw: string): Parsed<string> {
  const tokens = raw.trim().split(/ +/);
  if (tokens.length === 0 || tokens[0] === "") return fail("is empty");
  for (const token of tokens) {
    if (token !== "-i" && !URL_PATH.test(token)) return fail(`${JSON.stringify(token)} is neither a URL path starting with '/' nor the flag -i`);
  }
  if (!tokens.some((t) => t.startsWith("/"))) return fail(`${JSON.stringify(raw)} has no path`);
  return ok(tokens.join(" "));
}

/**
 * One URL path (`HTTP_BACKEND_PROXYPASS_PATH`, `..._REVPROXY_PATH`, `..._REDIR`).
 * @example parseUrlPath("/api").value // "/api"
 */
export function parseUrlPath(raw: string): Parsed<string> {
  return URL_PATH.test(raw) ? ok(raw) : fail(`${JSON.stringify(raw)} is not a URL path starting with '/'`);
}

/**
 * `tcp` or `http`, any case (marathon-lb lower-cases it; anything else made HAProxy fail).
 * @example parseMode("HTTP").value // "http"
 */
export function parseMode(raw: string): Parsed<"tcp" | "http"> {
  const mode = raw.toLowerCase();
  return mode === "tcp" || mode === "http" ? ok(mode) : fail(`${JSON.stringify(raw)} is not a mode (tcp or http)`);
}

/**
 * `*` or an IP address; IPv6 is bracketed later, where a port follows it.
 * @example parseBindAddress("127.0.0.2").value // "127.0.0.2"
 */
export function parseBindAddress(raw: string): Parsed<string> {
  return raw === "*" || isValidIp(raw) ? ok(raw) : fail(`${JSON.stringify(raw)} is neither '*' nor an IP address`);
}

/**
 * HAProxy words separated by blanks (`BIND_OPTIONS`: `alpn h2`, `verify required`).
 * @example parseWords("alpn h2").value // "alpn h2"
 */
export function parseWords(raw: string): Parsed<string> {
  const words = raw.trim().split(/ +/);
  if (words[0] === "") return fail("is empty");
  const bad = words.find((w) => !WORD.test(w));
  return bad === undefined ? ok(words.join(" ")) : fail(`${JSON.stringify(bad)} has a quote, backslash or '#'`);
}

/**
 * One file path (`SSL_CERT`).
 * @example parseFilePath("/etc/ssl/web.pem").value // "/etc/ssl/web.pem"
 */
export function parseFilePath(raw: string): Parsed<string> {
  return WORD.test(raw) ? ok(raw) : fail(`${JSON.stringify(raw)} is not one path (no blanks, quotes, backslashes or '#')`);
}

/**
 * A `balance` algorithm with its arguments (`roundrobin`, `hdr(host)`, `url_param id`).
 * @example parseBalance("leastconn").value // "leastconn"
 */
export function parseBalance(raw: string): Parsed<string> {
  const words = raw.trim().split(/ +/);
  if (!/^[a-z][a-z0-9_-]*(\([A-Za-z0-9_.-]*\))?$/.test(words[0] ?? "")) return fail(`${JSON.stringify(raw)} is not a balance algorithm`);
  return words.slice(1).every((w) => WORD.test(w)) ? ok(words.join(" ")) : fail(`${JSON.stringify(raw)} has a quote, backslash or '#'`);
}

/** The three parts of `AUTH`. */
export interface BasicAuth {
  realm: string;
  user: string;
  passwd: string;
}

/**
 * `realm:user:encrypted-password`, exactly three parts as marathon-lb requires. The realm is
 * quoted in the config, so it may hold blanks but no quote or backslash.
 * @example parseAuth("My Realm:alice:$6$salt$hash").value // { realm: "My Realm", user: "alice", passwd: "$6$salt$hash" }
 */
export function parseAuth(raw: string): Parsed<BasicAuth> {
  const parts = raw.split(":");
  if (parts.length !== 3) return fail(`must be realm:user:password (3 parts separated by ':'), got ${parts.length}`);
  const [realm, user, passwd] = parts as [string, string, string];
  if (realm === "" || /["\\]/.test(realm)) return fail("the realm must be non-empty, without quotes or backslashes");
  if (!/^[A-Za-z0-9._@-]+$/.test(user)) return fail(`user ${JSON.stringify(user)} must be letters, digits, '.', '_', '@', '-'`);
  if (!WORD.test(passwd)) return fail("the password must be one word (an encrypted password as crypt(3) writes it)");
  return ok({ realm, user, passwd });
}

/**
 * Whitespace-separated addresses and networks (`BACKEND_NETWORK_ALLOWED_ACL`).
 * @example parseNetworks("127.0.0.0/8 ::1").value // ["127.0.0.0/8", "::1"]
 */
export function parseNetworks(raw: string): Parsed<string[]> {
  const entries = raw.trim().split(/\s+/);
  if (entries[0] === "") return fail("is empty");
  const bad = entries.find((e) => !isValidIpOrCidr(e));
  return bad === undefined ? ok(entries) : fail(`${JSON.stringify(bad)} is not an IP address or network`);
}

/**
 * Group lists are split on `,` with no trimming, as marathon-lb does (so `"a, b"` holds `" b"`).
 * @example parseGroups("external,internal") // ["external", "internal"]
 */
export function parseGroups(raw: string): string[] {
  return raw.split(",");
}
