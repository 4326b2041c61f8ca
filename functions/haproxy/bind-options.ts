/**
 * @module
 * `HAPROXY_{n}_BIND_OPTIONS` checked the way HAProxy 2.6 reads a `bind` line (configuration
 * manual §5.1), so an option HAProxy refuses leaves only its app out, with a diagnostic,
 * instead of making `haproxy -c` reject the whole group's config on every node. It catches
 * what the text alone shows: unknown keywords, missing or malformed values, and TLS settings
 * HAProxy refuses together (`verify` without a CA file, `ssl` without a certificate,
 * `generate-certificates` without a signing CA). Files the options name are the node's
 * business; the applier's `haproxy -c` still checks those. Pure.
 */
import { parseWords, type Parsed } from "./label-values.ts";

/** Keywords HAProxy 2.6 takes on a TCP `bind` line, and whether a value follows. */
const KEYWORDS: Readonly<Record<string, "flag" | "value">> = {
  "accept-netscaler-cip": "value",
  "accept-proxy": "flag",
  "allow-0rtt": "flag",
  alpn: "value",
  backlog: "value",
  "ca-file": "value",
  "ca-ignore-err": "value",
  "ca-sign-file": "value",
  "ca-sign-pass": "value",
  "ca-verify-file": "value",
  ciphers: "value",
  ciphersuites: "value",
  "crl-file": "value",
  crt: "value",
  "crt-ignore-err": "value",
  "crt-list": "value",
  curves: "value",
  "defer-accept": "flag",
  ecdhe: "value",
  "expose-fd": "value",
  "force-sslv3": "flag",
  "force-tlsv10": "flag",
  "force-tlsv11": "flag",
  "force-tlsv12": "flag",
  "force-tlsv13": "flag",
  "generate-certificates": "flag",
  gid: "value",
  group: "value",
  id: "value",
  interface: "value",
  level: "value",
  maxconn: "value",
  mode: "value",
  mss: "value",
  name: "value",
  namespace: "value",
  nice: "value",
  "no-ca-names": "flag",
  "no-sslv3": "flag",
  "no-tls-tickets": "flag",
  "no-tlsv10": "flag",
  "no-tlsv11": "flag",
  "no-tlsv12": "flag",
  "no-tlsv13": "flag",
  npn: "value",
  "prefer-client-ciphers": "flag",
  process: "value",
  proto: "value",
  "severity-output": "value",
  shards: "value",
  ssl: "flag",
  "ssl-max-ver": "value",
  "ssl-min-ver": "value",
  "strict-sni": "flag",
  "tcp-ut": "value",
  tfo: "flag",
  thread: "value",
  "tls-ticket-keys": "value",
  transparent: "flag",
  uid: "value",
  user: "value",
  v4v6: "flag",
  v6only: "flag",
  verify: "value",
};

const TLS_VERSIONS = ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/** Values HAProxy checks when it parses the line; anything else is refused there. */
const VALUES: Readonly<Record<string, { readonly test: (value: string) => boolean; readonly expected: string }>> = {
  verify: oneOf(["none", "optional", "required"]),
  "ssl-min-ver": oneOf(TLS_VERSIONS),
  "ssl-max-ver": oneOf(TLS_VERSIONS),
  "expose-fd": oneOf(["listeners"]),
  id: { test: (v) => /^[1-9]\d*$/.test(v), expected: "a positive integer" },
  mss: { test: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) >= 1 && Math.abs(Number(v)) <= 65535, expected: "an integer between 1 and 65535 (or its negative)" },
  shards: { test: (v) => v === "by-thread" || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 64), expected: "1 to 64 or 'by-thread'" },
  "accept-netscaler-cip": { test: (v) => /^\d+$/.test(v), expected: "a magic number (a non-negative integer)" },
  "tcp-ut": { test: (v) => /^\d+(us|ms|s|m|h|d)?$/.test(v), expected: "a delay like 30s or 500ms" },
};

function oneOf(values: readonly string[]) {
  return { test: (v: string) => values.includes(v), expected: `one of ${values.join(", ")}` };
}

/** What the bind the options go on has besides them. */
export interface BindContext {
  /** The service's `SSL_CERT` is set (its frontend binds with `ssl crt <file>`). */
  readonly sslCert: boolean;
  /** The options also go on a TLS bind of their own (the vhost's grouped HTTPS frontend). */
  readonly groupedTls: boolean;
}

/**
 * The options as one normalised string, or why HAProxy would refuse them.
 * @example parseBindOptions("alpn  h2", { sslCert: true, groupedTls: false }).value // "alpn h2"
 * @example parseBindOptions("verify optional", { sslCert: true, groupedTls: false }).error
 * // "'verify optional' needs 'ca-file <file>' on a TLS bind (HAProxy: verify is enabled but no CA file specified)"
 */
export function parseBindOptions(raw: string, context: BindContext): Parsed<string> {
  const parsed = parseWords(raw);
  if (parsed.error !== undefined) return parsed;
  const words = parsed.value.split(" ");
  const options = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const keyword = words[i]!;
    const kind = KEYWORDS[keyword];
    if (kind === undefined) return { error: `'${keyword}' is not a bind option HAProxy 2.6 knows` };
    if (kind === "flag") {
      options.set(keyword, "");
      continue;
    }
    const value = words[++i];
    if (value === undefined) return { error: `'${keyword}' needs a value` };
    const rule = VALUES[keyword];
    if (rule !== undefined && !rule.test(value)) return { error: `'${keyword} ${value}': the value must be ${rule.expected}` };
    options.set(keyword, value);
  }
  const problem = tlsProblem(options, context);
  return problem === undefined ? parsed : { error: problem };
}

/** TLS options HAProxy refuses together, on a bind that terminates TLS. */
function tlsProblem(options: ReadonlyMap<string, string>, context: BindContext): string | undefined {
  const certificate = context.sslCert || options.has("crt") || options.has("crt-list");
  if (options.has("ssl") && !certificate) return "'ssl' needs a certificate: set SSL_CERT or add 'crt <file>' (HAProxy: no SSL certificate specified)";
  const tls = context.sslCert || options.has("ssl") || context.groupedTls;
  if (!tls) return undefined;
  // A crt-list may give each certificate its own CA file; only the node's haproxy -c can tell.
  const caFile = options.has("ca-file") || options.has("ca-verify-file") || options.has("crt-list");
  const verify = options.get("verify");
  if ((verify === "optional" || verify === "required") && !caFile) {
    return `'verify ${verify}' needs 'ca-file <file>' on a TLS bind (HAProxy: verify is enabled but no CA file specified)`;
  }
  if (options.has("generate-certificates") && !options.has("ca-sign-file")) {
    return "'generate-certificates' needs 'ca-sign-file <file>' (HAProxy: no CA certificate file configured)";
  }
  return undefined;
}
