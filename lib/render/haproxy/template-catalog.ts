/**
 * @module
 * Every HAProxy template wayfinder renders, with its default text and the placeholders it may
 * use (marathon-lb's template set, `specs/l7.md` §3–4). Names are data here: the renderer,
 * the config schema (global overrides in `wayfinder.yaml`) and the label parser (per-port
 * `HAPROXY_{n}_<NAME>` overrides) all read this one table.
 *
 * Deliberate differences from marathon-lb, for HAProxy 2.6 and later:
 * - `rspadd`, `reqirep` and `rspirep` were removed in HAProxy 2.1; HSTS, proxy-pass and
 *   reverse-proxy use `http-response set-header`, `http-request replace-path` and
 *   `http-response replace-header` (same routing behaviour, new directives).
 * - The head runs HAProxy in master-worker mode: one Lua script of its own serves
 *   marathon-lb's `/_haproxy_get*` endpoints (`endpoints-lua.ts`), a stats socket per group, `hard-stop-after` and `mworker-max-reloads` so old workers never
 *   pile up (marathon-lb#519). Its `maxconn` line (`{globalMaxconn}`) is only written when
 *   `maxconn` is a number; by default HAProxy derives it from its open-file limit. Map files are referenced relative to HAProxy's working
 *   directory (`<group>/domain2backend.map`), which the applier sets to where it installs
 *   them (`default-path config` would be neater, but HAProxy 2.6 ignores it for the
 *   `use_backend` rules that read the maps).
 * - Ports and bind addresses of the shared frontends come from `wayfinder.yaml`, so those
 *   heads are formatted too (marathon-lb pasted them literally).
 * - Host and SNI matching go through `{hostMatch}`/`{sniMatch}`/`{reqSniMatch}`, which render
 *   exactly marathon-lb's text for a plain host and a one-label regex for a `*.` wildcard
 *   (marathon-lb#188); `{hostname}` stays available to overrides.
 */
import { compareStrings } from "../../net/compare.ts";
import { ENDPOINTS_SERVICE } from "./endpoints-lua.ts";

const CIPHERS =
  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:!aNULL:!MD5:!DSS";

const HEAD = `global
  log /dev/log local0
  log /dev/log local1 notice
  spread-checks 5
  max-spread-checks 15000
{globalMaxconn}  tune.ssl.default-dh-param 2048
  ssl-default-bind-ciphers ${CIPHERS}
  ssl-default-bind-options no-sslv3 no-tlsv10 no-tls-tickets
  ssl-default-server-ciphers ${CIPHERS}
  ssl-default-server-options no-sslv3 no-tlsv10 no-tls-tickets
  stats socket {statsSocket} mode 600 level admin expose-fd listeners
  hard-stop-after {hardStopAfter}
  mworker-max-reloads {maxReloads}
  lua-load {endpointsScript}
defaults
  log               global
  retries                   3
  backlog               10000
  maxconn               10000
  timeout connect          3s
  timeout client          30s
  timeout server          30s
  timeout tunnel        3600s
  timeout http-keep-alive  1s
  timeout http-request    15s
  timeout queue           30s
  timeout tarpit          60s
{globalDefaultOptions}listen stats
  bind {statsBindAddr}:{statsPort}
  balance
  mode http
  stats enable
  http-request use-service prometheus-exporter if {{ path /metrics }}
  monitor-uri /_haproxy_health_check
  http-request use-service lua.${ENDPOINTS_SERVICE} if {{ path /_haproxy_getconfig /_haproxy_getpids /_haproxy_getvhostmap /_haproxy_getappmap }}
`;

// Placeholder sets, named for the part of the config they serve.
const VHOST_ACL = ["cleanedUpHostname", "hostname", "hostMatch", "sniMatch", "backend", "appId", "path", "realm"] as const;
const HEALTH = [
  "healthCheck",
  "healthCheckPortIndex",
  "healthCheckPort",
  "healthCheckProtocol",
  "healthCheckPath",
  "healthCheckTimeoutSeconds",
  "healthCheckIntervalSeconds",
  "healthCheckGracePeriodSeconds",
  "healthCheckMaxConsecutiveFailures",
  "healthCheckFalls",
  "healthCheckPortOptions",
] as const;
const REDIRECT = ["bindAddr", "cleanedUpHostname", "backend"] as const;

interface TemplateSpec {
  /** The default text. */
  readonly text: string;
  /** False for the few marathon-lb pastes verbatim (their braces are literal HAProxy syntax). */
  readonly formatted: boolean;
  /** True when an app may override it per service port with `HAPROXY_{n}_<NAME>`. */
  readonly perPort: boolean;
  /** What the renderer supplies; an override using anything else is refused up front. */
  readonly placeholders: readonly string[];
}

const global = (text: string, placeholders: readonly string[] = []): TemplateSpec => ({ text, formatted: true, perPort: false, placeholders });
const port = (text: string, placeholders: readonly string[]): TemplateSpec => ({ text, formatted: true, perPort: true, placeholders });
const literal = (text: string, perPort: boolean): TemplateSpec => ({ text, formatted: false, perPort, placeholders: [] });

/** The catalog, keyed by marathon-lb's template name without the `HAPROXY_` prefix. */
export const TEMPLATES = {
  HEAD: global(HEAD, ["globalDefaultOptions", "statsSocket", "statsBindAddr", "statsPort", "hardStopAfter", "maxReloads", "globalMaxconn", "maxconn", "endpointsScript", "group"]),
  HTTP_FRONTEND_HEAD: global("\nfrontend marathon_http_in\n  bind {bindAddr}:{httpPort}\n  mode http\n", ["bindAddr", "httpPort"]),
  HTTP_FRONTEND_APPID_HEAD: global("\nfrontend marathon_http_appid_in\n  bind {bindAddr}:{appIdPort}\n  mode http\n", ["bindAddr", "appIdPort"]),
  HTTPS_FRONTEND_HEAD: global("\nfrontend marathon_https_in\n  bind {bindAddr}:{httpsPort} ssl {sslCerts}\n  mode http\n", ["bindAddr", "httpsPort", "sslCerts"]),
  HTTPS_GROUPED_FRONTEND_HEAD: global(
    "\nfrontend marathon_https_in\n  bind {bindAddr}:{httpsPort}\n  mode tcp\n  tcp-request inspect-delay 5s\n  tcp-request content accept if {{ req_ssl_hello_type 1 }}\n",
    ["bindAddr", "httpsPort"],
  ),
  HTTPS_GROUPED_VHOST_FRONTEND_ACL: global("  use_backend {backend} if {{ {reqSniMatch} }}\n", ["backend", "host", "reqSniMatch"]),
  HTTPS_GROUPED_VHOST_BACKEND_HEAD: global("\nbackend {name}\n  server loopback-for-tls abns@{name} send-proxy-v2\n", ["name"]),
  HTTPS_GROUPED_VHOST_FRONTEND_HEAD: global("\nfrontend {name}\n  mode http\n  bind abns@{name} accept-proxy ssl {sslCerts}{bindOpts}\n", ["name", "sslCerts", "bindOpts"]),
  HTTP_BACKEND_ACL_ALLOW_DENY: literal("  http-request allow if network_allowed\n  http-request deny\n", false),
  TCP_BACKEND_ACL_ALLOW_DENY: literal("  tcp-request content accept if network_allowed\n  tcp-request content reject\n", false),
  // marathon-lb accepts HAPROXY_{n}_MAP_* labels but never reads them (and reading the
  // non-map label instead crashed it, marathon-lb#310): the map lines are global only.
  // `{ifMapped}` is empty unless the group has wildcard vhosts: then the map line only takes
  // hosts the map knows, and the wildcard ACLs after it still see the others.
  MAP_HTTP_FRONTEND_ACL: global("  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]{ifMapped}\n", ["haproxy_dir", "ifMapped"]),
  MAP_HTTP_FRONTEND_ACL_ONLY: global("  use_backend %[req.hdr(host),lower,regsub(:.*$,,),map({haproxy_dir}/domain2backend.map)]{ifMapped}\n", ["haproxy_dir", "ifMapped"]),
  MAP_HTTPS_FRONTEND_ACL: global("  use_backend %[ssl_fc_sni,lower,map({haproxy_dir}/domain2backend.map)]{ifMapped}\n", ["haproxy_dir", "hostname", "ifMapped"]),
  MAP_HTTP_FRONTEND_APPID_ACL: global("  use_backend %[req.hdr(x-marathon-app-id),lower,map({haproxy_dir}/app2backend.map)]\n", ["haproxy_dir"]),

  USERLIST_HEAD: port("\nuserlist user_{backend}\n  user {user} password {passwd}\n", ["backend", "user", "passwd"]),
  FRONTEND_HEAD: port("\nfrontend {backend}\n  bind {bindAddr}:{servicePort}{sslCert}{bindOptions}\n  mode {mode}\n", [
    "bindAddr",
    "backend",
    "servicePort",
    "mode",
    "sslCert",
    "bindOptions",
  ]),
  FRONTEND_BACKEND_GLUE: port("  use_backend {backend}\n", ["backend"]),
  BACKEND_HEAD: port("\nbackend {backend}\n  balance {balance}\n  mode {mode}\n", ["backend", "balance", "mode"]),
  BACKEND_REDIRECT_HTTP_TO_HTTPS: port("  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname}\n", REDIRECT),
  BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH: port("  redirect scheme https code 301 if !{{ ssl_fc }} host_{cleanedUpHostname} path_{backend}\n", REDIRECT),
  HTTP_FRONTEND_ACL: port("  acl host_{cleanedUpHostname} {hostMatch}\n  use_backend {backend} if host_{cleanedUpHostname}\n", VHOST_ACL),
  HTTP_FRONTEND_ACL_ONLY: port("  acl host_{cleanedUpHostname} {hostMatch}\n", VHOST_ACL),
  HTTP_FRONTEND_ROUTING_ONLY: port("  use_backend {backend} if host_{cleanedUpHostname}\n", VHOST_ACL),
  HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH: port(
    '  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm "{realm}" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n',
    VHOST_ACL,
  ),
  HTTP_FRONTEND_ACL_WITH_AUTH: port(
    '  acl host_{cleanedUpHostname} {hostMatch}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm "{realm}" if host_{cleanedUpHostname} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname}\n',
    VHOST_ACL,
  ),
  HTTP_FRONTEND_ACL_WITH_PATH: port(
    "  acl host_{cleanedUpHostname} {hostMatch}\n  acl path_{backend} path_beg {path}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n",
    VHOST_ACL,
  ),
  HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH: port(
    '  acl host_{cleanedUpHostname} {hostMatch}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  acl path_{backend} path_beg {path}\n  http-request auth realm "{realm}" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n',
    VHOST_ACL,
  ),
  HTTP_FRONTEND_ACL_ONLY_WITH_PATH: port("  acl path_{backend} path_beg {path}\n", VHOST_ACL),
  HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH: port("  acl path_{backend} path_beg {path}\n  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n", VHOST_ACL),
  HTTPS_FRONTEND_ACL_ONLY_WITH_PATH: port("  acl path_{backend} path_beg {path}\n", VHOST_ACL),
  HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH: port("  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n", VHOST_ACL),
  HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH: port(
    '  http-request auth realm "{realm}" if host_{cleanedUpHostname} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if host_{cleanedUpHostname} path_{backend}\n',
    VHOST_ACL,
  ),
  HTTP_FRONTEND_APPID_ACL: port("  acl app_{cleanedUpAppId} hdr(x-marathon-app-id) -i {appId}\n  use_backend {backend} if app_{cleanedUpAppId}\n", [
    "cleanedUpAppId",
    "hostname",
    "appId",
    "backend",
  ]),
  HTTPS_FRONTEND_ACL: port("  use_backend {backend} if {{ {sniMatch} }}\n", VHOST_ACL),
  HTTPS_FRONTEND_ACL_WITH_AUTH: port(
    '  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm "{realm}" if {{ {sniMatch} }} !auth_{cleanedUpHostname}\n  use_backend {backend} if {{ {sniMatch} }}\n',
    VHOST_ACL,
  ),
  HTTPS_FRONTEND_ACL_WITH_PATH: port("  use_backend {backend} if {{ {sniMatch} }} path_{backend}\n", VHOST_ACL),
  HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH: port(
    '  acl auth_{cleanedUpHostname} http_auth(user_{backend})\n  http-request auth realm "{realm}" if {{ {sniMatch} }} path_{backend} !auth_{cleanedUpHostname}\n  use_backend {backend} if {{ {sniMatch} }} path_{backend}\n',
    VHOST_ACL,
  ),
  BACKEND_HTTP_OPTIONS: literal(
    "  option forwardfor\n  http-request set-header X-Forwarded-Port %[dst_port]\n  http-request add-header X-Forwarded-Proto https if { ssl_fc }\n",
    true,
  ),
  BACKEND_HSTS_OPTIONS: literal("  http-response set-header Strict-Transport-Security max-age=15768000\n", true),
  HTTP_BACKEND_PROXYPASS_GLUE: port("  http-request set-header Host {hostname}\n  http-request replace-path ^{proxypathRegex}/?(.*) /\\1\n", [
    "hostname",
    "proxypath",
    "proxypathRegex",
  ]),
  HTTP_BACKEND_REVPROXY_GLUE: port(
    "  acl hdr_location res.hdr(Location) -m found\n  http-response replace-header Location ^(https?://{hostnameRegex}(:[0-9]+)?)?(/.*)$ {rootpath} if hdr_location\n",
    ["hostname", "hostnameRegex", "rootpath"],
  ),
  HTTP_BACKEND_REDIR: port("  acl is_root path -i /\n  acl is_domain hdr(host) -i {hostname}\n  redirect code 301 location {redirpath} if is_domain is_root\n", [
    "hostname",
    "redirpath",
  ]),
  HTTP_BACKEND_NETWORK_ALLOWED_ACL: port("  acl network_allowed src {network_allowed}\n", ["network_allowed"]),
  TCP_BACKEND_NETWORK_ALLOWED_ACL: port("  acl network_allowed src {network_allowed}\n", ["network_allowed"]),
  BACKEND_STICKY_OPTIONS: literal("  cookie mesosphere_server_id insert indirect nocache\n", true),
  BACKEND_HTTP_HEALTHCHECK_OPTIONS: port("  option  httpchk GET {healthCheckPath}\n  timeout check {healthCheckTimeoutSeconds}s\n", HEALTH),
  BACKEND_TCP_HEALTHCHECK_OPTIONS: port("", HEALTH),
  BACKEND_SERVER_HTTP_HEALTHCHECK_OPTIONS: port("  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}\n", HEALTH),
  BACKEND_SERVER_TCP_HEALTHCHECK_OPTIONS: port("  check inter {healthCheckIntervalSeconds}s fall {healthCheckFalls}{healthCheckPortOptions}\n", HEALTH),
  BACKEND_SERVER_OPTIONS: port("  server {serverName} {host_ipv4}:{port} id {serverId}{cookieOptions}{healthCheckOptions}{otherOptions}\n", [
    "host",
    "host_ipv4",
    "port",
    "serverName",
    "serverId",
    "cookieOptions",
    "healthCheckOptions",
    "otherOptions",
  ]),
} as const satisfies Record<string, TemplateSpec>;

export type TemplateName = keyof typeof TEMPLATES;

/** Every template name, sorted. */
export const TEMPLATE_NAMES = Object.keys(TEMPLATES).sort(compareStrings) as TemplateName[];

/** The names an app may override per service port (`HAPROXY_{n}_<NAME>`). */
export const PER_PORT_TEMPLATE_NAMES: ReadonlySet<string> = new Set(TEMPLATE_NAMES.filter((name) => TEMPLATES[name].perPort));

/**
 * Label names marathon-lb accepts that never change the output (`HAPROXY_{n}_MAP_*`): they
 * are ignored quietly rather than refused, so existing apps keep working.
 */
export const IGNORED_PER_PORT_NAMES: ReadonlySet<string> = new Set([
  "MAP_HTTP_FRONTEND_ACL",
  "MAP_HTTP_FRONTEND_ACL_ONLY",
  "MAP_HTTP_FRONTEND_APPID_ACL",
  "MAP_HTTPS_FRONTEND_ACL",
]);
