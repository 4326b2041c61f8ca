/**
 * @module
 * The app tier: what an app's owner allows to reach it, in Marathon app labels.
 *
 *   WAYFINDER_POLICY_ALLOW_FROM            = /shop/web, network:dcos    every port
 *   WAYFINDER_POLICY_ALLOW_FROM_8080       = /shop/frontend             TCP 8080
 *   WAYFINDER_POLICY_ALLOW_FROM_53_UDP     = 10.0.0.0/8                 UDP 53 (_TCP, _UDP, _SCTP)
 *   WAYFINDER_POLICY_ALLOW_FROM_8000-8100  = *                          TCP 8000 to 8100
 *
 * A value lists sources, comma-separated: an app id or glob (`/shop/*`), `network:NAME`,
 * `role:NAME`, `label:KEY=VALUE`, an address or CIDR block, or `*` (anyone); empty: no one.
 * An app with any such label is isolated by it, as a Kubernetes NetworkPolicy isolates the
 * pods it selects: a connection to it passes this tier only on a port a label covers, from a
 * source that label lists; anything else is refused here. The tier comes after the admin rules
 * and network isolation, so it narrows but never reopens what those closed. A label it cannot
 * read is an error diagnostic and grants nothing (fail closed), never a label ignored.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { PortSpec } from "../../lib/desired/policy-ports.ts";
import { parseCidr, parseIpValue } from "../../lib/net/cidr.ts";
import type { Selector } from "../../lib/snapshot/policy-config.ts";

const PREFIX = "WAYFINDER_POLICY_";
const ALLOW_FROM = /^WAYFINDER_POLICY_ALLOW_FROM(?:_(\d{1,5})(?:-(\d{1,5}))?(?:_(TCP|UDP|SCTP))?)?$/i;

/** One label: the ports it covers (absent: every port) and who it lets in (absent: anyone). */
export interface AppTierEntry {
  label: string;
  ports?: PortSpec[];
  /** OR'ed; `undefined` is `*`. */
  sources?: Selector[];
}

export interface AppTierSpec {
  /** Undefined when the app has no policy label: the tier does not apply to it. */
  entries?: AppTierEntry[];
  diagnostics: Diagnostic[];
}

/**
 * Reads an app's policy labels (label keys in sorted order, so entries are deterministic).
 * `networks` are the names a `network:` source may use.
 * @example appTier("/api", { WAYFINDER_POLICY_ALLOW_FROM_8080: "/frontend" }, known).entries
 * // [{ label: "WAYFINDER_POLICY_ALLOW_FROM_8080", ports: [{ protocol: "tcp", port: 8080 }], sources: [{ apps: ["/frontend"] }] }]
 */
export function appTier(appId: string, labels: Readonly<Record<string, string>>, networks: ReadonlySet<string>): AppTierSpec {
  const keys = Object.keys(labels)
    .filter((k) => k.toUpperCase().startsWith(PREFIX))
    .sort();
  if (keys.length === 0) return { diagnostics: [] };
  const entries: AppTierEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  const problem = (label: string, why: string) =>
    diagnostics.push({ level: "error", code: "policy.invalid-app-label", subject: `app:${appId}`, message: `label ${label}: ${why}; it lets nothing in` });
  for (const label of keys) {
    const match = ALLOW_FROM.exec(label);
    const ports = match && portsOf(match);
    if (match === null || ports === null) {
      problem(label, match === null ? "not a policy label (WAYFINDER_POLICY_ALLOW_FROM[_<port>[-<end>]][_TCP|_UDP|_SCTP])" : "not a port or port range 1-65535");
      entries.push({ label, sources: [] });
      continue;
    }
    const sources: Selector[] = [];
    let anyone = false;
    for (const token of labels[label]!.split(",").map((t) => t.trim()).filter((t) => t !== "")) {
      if (token === "*") anyone = true;
      const selector = token === "*" ? undefined : sourceSelector(token, networks);
      if (typeof selector === "string") problem(label, selector);
      else if (selector !== undefined) sources.push(selector);
    }
    entries.push({ label, ...(ports === undefined ? {} : { ports }), ...(anyone ? {} : { sources }) });
  }
  return { entries, diagnostics };
}

/** The ports a label key names: undefined for every port, null when they are not ports. */
function portsOf(match: RegExpExecArray): PortSpec[] | undefined | null {
  if (match[1] === undefined) return undefined;
  const port = Number(match[1]);
  const endPort = match[2] === undefined ? undefined : Number(match[2]);
  if (port < 1 || port > 65535 || (endPort !== undefined && (endPort > 65535 || endPort < port))) return null;
  const protocol = (match[3]?.toLowerCase() ?? "tcp") as PortSpec["protocol"];
  return [{ protocol, port, ...(endPort === undefined ? {} : { endPort }) }];
}

/** One source token as a selector, or why it cannot be one. */
function sourceSelector(token: string, networks: ReadonlySet<string>): Selector | string {
  if (token.startsWith("/")) {
    return /^\/[A-Za-z0-9_.*?/-]*$/.test(token) ? { apps: [token] } : `'${token}' is not an app id or glob`;
  }
  const colon = token.indexOf(":");
  const kind = colon < 0 ? "" : token.slice(0, colon).toLowerCase();
  const value = token.slice(colon + 1);
  if (kind === "network") return networks.has(value) ? { networks: [value] } : `unknown network '${value}'`;
  if (kind === "role") return /^[A-Za-z0-9_.*?/-]+$/.test(value) ? { roles: [value] } : `'${value}' is not a role`;
  if (kind === "label") {
    const eq = value.indexOf("=");
    return eq > 0 ? { labels: { [value.slice(0, eq)]: value.slice(eq + 1) } } : `'${token}' is not label:KEY=VALUE`;
  }
  const cidr = parseCidr(token) ?? (parseIpValue(token) && parseCidr(`${token}/${token.includes(":") ? 128 : 32}`));
  if (cidr !== undefined && cidr.address === cidr.base) return { ipBlocks: [{ cidr: token.includes("/") ? token : `${token}/${cidr.family === 4 ? 32 : 128}`, except: [] }] };
  return `'${token}' is not a source (an app id, network:NAME, role:NAME, label:KEY=VALUE, an address or CIDR block, or *)`;
}
