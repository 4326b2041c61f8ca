/**
 * @module
 * The vhost ACL decision table (marathon-lb `generateHttpVhostAcl`, `specs/l7.md` §5.6): what
 * one service adds to the :80 and :443 frontends for its `VHOST` (one host or several), `PATH`,
 * `AUTH` and `REDIRECT_TO_HTTPS`, in map mode or not, and what it contributes to the grouped
 * HTTPS frontends. The branch structure follows upstream line for line, because the order of
 * ACL lines is routing behaviour. Wildcard hosts (`*.example.com`) match through a regex and
 * never go into the map (maps match exact keys).
 */
import type { TemplateValue } from "../../lib/render/haproxy/template-format.ts";
import type { TemplateName } from "../../lib/render/haproxy/template-catalog.ts";
import type { ServiceSettings } from "./service-labels.ts";
import type { Templater } from "./templater.ts";
import { aclStem } from "./names.ts";

/** Map-mode state shared by every service of one config: which once-only lines were emitted, and the domain map. */
export interface MapState {
  /** The group has wildcard vhosts, routed by ACLs after the map line: the map line must let unknown hosts through. */
  readonly fallThrough: boolean;
  readonly emitted: Set<"http" | "https" | "appid">;
  /** `host → backend` entries, de-duplicated on the pair, in first-seen order. */
  readonly domainEntries: [string, string][];
  /** `host backend` of every entry, so de-duplication is not a scan (upstream's was quadratic). */
  readonly domainKeys: Set<string>;
}

/** What one vhost of a grouped HTTPS frontend collects. */
export interface GroupedVhost {
  /** `[weight, text]` blocks in contribution order. */
  readonly blocks: [number, string][];
  readonly certs: Set<string>;
  readonly bindOptions: Set<string>;
}

export interface VhostAcls {
  /** The service's weight after vhost processing (map mode sets −1 on the service emitting a map line). */
  weight: number;
  http: string;
  https: string;
  grouped: Map<string, GroupedVhost>;
}

export interface VhostInput {
  readonly appId: string;
  readonly backend: string;
  readonly settings: ServiceSettings & { readonly vhosts: readonly string[] };
  readonly templater: Templater;
  readonly mapMode: boolean;
  readonly haproxyDir: string;
  readonly map: MapState;
  /** Collect the grouped-HTTPS contributions (only `groupHttpsByVhost` reads them). */
  readonly grouped: boolean;
}

const isWildcard = (host: string) => host.startsWith("*.");

/** The regex of a one-label wildcard host: `*.a.com` → `^[^.]+\.a\.com`. */
function wildcardRegex(host: string): string {
  return `^[^.]+${host.slice(1).replaceAll(".", "\\.")}`;
}

/**
 * `acl host_x <hostMatch>`: marathon-lb's `hdr(host) -i <host>`, or a regex for a wildcard
 * (the Host header may carry a port).
 * @example hostMatch("*.apps.test") // "hdr_reg(host) -i ^[^.]+\\.apps\\.test(:[0-9]+)?$"
 */
export function hostMatch(host: string): string {
  return isWildcard(host) ? `hdr_reg(host) -i ${wildcardRegex(host)}(:[0-9]+)?$` : `hdr(host) -i ${host}`;
}

/** `{ <sniMatch> }` on the TLS-terminating :443 frontend. */
export function sniMatch(host: string): string {
  return isWildcard(host) ? `ssl_fc_sni -m reg -i ${wildcardRegex(host)}$` : `ssl_fc_sni ${host}`;
}

/** `{ <reqSniMatch> }` on the grouped (TCP, SNI-peeking) :443 frontend. */
export function reqSniMatch(host: string): string {
  return isWildcard(host) ? `req_ssl_sni -m reg -i ${wildcardRegex(host)}$` : `req_ssl_sni -i ${host}`;
}

/**
 * The :80/:443 contributions of one service that has a `VHOST`.
 * @example vhostAcls({ appId: "/nginx", backend: "nginx_10000", settings, templater, mapMode: false, haproxyDir: "", map, grouped: false }).http
 * // "  acl host_test_example_com_nginx hdr(host) -i test.example.com\n  use_backend nginx_10000 if host_test_example_com_nginx\n"
 */
export function vhostAcls(input: VhostInput): VhostAcls {
  const { settings, backend, appId, map, mapMode } = input;
  const vhosts = settings.vhosts;
  const path = settings.path;
  const auth = settings.auth;
  const redirect = settings.redirectHttpToHttps;
  const stem = aclStem(vhosts[0]!, appId);
  let weight = settings.weight;
  let http = "";
  let https = "";
  const grouped = new Map<string, GroupedVhost>();
  const discarded: GroupedVhost = { blocks: [], certs: new Set(), bindOptions: new Set() };
  const groupedFor = (host: string): GroupedVhost => {
    if (!input.grouped) return discarded;
    let entry = grouped.get(host);
    if (entry === undefined) grouped.set(host, (entry = { blocks: [], certs: new Set(), bindOptions: new Set() }));
    return entry;
  };
  const valuesByHost = new Map<string, Record<string, TemplateValue>>();
  const values = (host: string): Record<string, TemplateValue> => {
    let v = valuesByHost.get(host);
    if (v === undefined) {
      v = { cleanedUpHostname: stem, hostname: host, hostMatch: hostMatch(host), sniMatch: sniMatch(host), backend, appId, path, realm: auth?.realm };
      valuesByHost.set(host, v);
    }
    return v;
  };
  const render = (name: TemplateName, host: string) => input.templater.render(name, values(host), settings.templates);
  const redirectValues = { bindAddr: settings.bindAddr, cleanedUpHostname: stem, backend };
  const mappable = (host: string) => mapMode && !isWildcard(host);
  const addDomain = (host: string) => {
    const key = `${host} ${backend}`;
    if (map.domainKeys.has(key)) return;
    map.domainKeys.add(key);
    map.domainEntries.push([host, backend]);
  };
  /** The once-only map line of `kind`, or "" after the first service emitted it; the emitter sinks to −1. */
  const mapLine = (kind: "http" | "https", name: TemplateName, host: string): string => {
    if (map.emitted.has(kind)) return "";
    map.emitted.add(kind);
    weight = -1;
    const lookup = kind === "http" ? "req.hdr(host),lower,regsub(:.*$,,)" : "ssl_fc_sni,lower";
    const ifMapped = map.fallThrough ? ` if { ${lookup},map(${input.haproxyDir}/domain2backend.map) -m found }` : "";
    return input.templater.render(name, { haproxy_dir: input.haproxyDir, hostname: host, ifMapped });
  };

  if (vhosts.length > 1) {
    if (path !== undefined) {
      http += render(auth !== undefined ? "HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH" : "HTTP_FRONTEND_ACL_ONLY_WITH_PATH", vhosts[0]!);
      https += render("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", vhosts[0]!);
    }
    const pathAcl = https;
    for (const host of vhosts) {
      const entry = groupedFor(host);
      entry.blocks.push([weight, pathAcl]);
      if (settings.sslCert !== undefined) entry.certs.add(settings.sslCert);
      if (settings.bindOptions !== undefined) entry.bindOptions.add(settings.bindOptions);

      if (mappable(host) && path === undefined && auth === undefined && !redirect) {
        http += mapLine("http", "MAP_HTTP_FRONTEND_ACL_ONLY", host);
        addDomain(host);
      } else {
        http += render("HTTP_FRONTEND_ACL_ONLY", host);
      }

      let block: string;
      if (path !== undefined) block = render(auth !== undefined ? "HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH" : "HTTPS_FRONTEND_ACL_WITH_PATH", host);
      else if (auth !== undefined) block = render("HTTPS_FRONTEND_ACL_WITH_AUTH", host);
      else if (mappable(host)) {
        block = mapLine("https", "MAP_HTTPS_FRONTEND_ACL", host);
        addDomain(host);
        if (block === "") continue;
      } else block = render("HTTPS_FRONTEND_ACL", host);
      https += block;
      entry.blocks.push([weight, block]);
    }

    if (redirect) {
      http += input.templater.render(path !== undefined ? "BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH" : "BACKEND_REDIRECT_HTTP_TO_HTTPS", redirectValues, settings.templates);
    } else if (path !== undefined) {
      http += render(auth !== undefined ? "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH" : "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH", vhosts[0]!);
    } else if (auth !== undefined) {
      http += render("HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH", vhosts[0]!);
    } else if (!mapMode || vhosts.some(isWildcard)) {
      // Upstream omits the routing line in map mode (the map routes); wildcard hosts are not
      // in the map, so their ACL lines still need the use_backend.
      http += render("HTTP_FRONTEND_ROUTING_ONLY", vhosts[0]!);
    }
    return { weight, http, https, grouped };
  }

  const host = vhosts[0]!;
  const entry = groupedFor(host);
  if (settings.sslCert !== undefined) entry.certs.add(settings.sslCert);
  if (settings.bindOptions !== undefined) entry.bindOptions.add(settings.bindOptions);

  if (path !== undefined) {
    if (redirect) {
      http += render("HTTP_FRONTEND_ACL_ONLY", host);
      http += render("HTTP_FRONTEND_ACL_ONLY_WITH_PATH", host);
      http += input.templater.render("BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH", redirectValues, settings.templates);
    } else {
      http += render(auth !== undefined ? "HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH" : "HTTP_FRONTEND_ACL_WITH_PATH", host);
    }
    const pathAcl = render("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", host);
    https += pathAcl;
    entry.blocks.push([weight, pathAcl]);
    const block = render(auth !== undefined ? "HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH" : "HTTPS_FRONTEND_ACL_WITH_PATH", host);
    https += block;
    entry.blocks.push([weight, block]);
    return { weight, http, https, grouped };
  }

  if (redirect) {
    http += render("HTTP_FRONTEND_ACL", host);
    http += input.templater.render("BACKEND_REDIRECT_HTTP_TO_HTTPS", redirectValues, settings.templates);
  } else if (auth !== undefined) {
    http += render("HTTP_FRONTEND_ACL_WITH_AUTH", host);
  } else if (mappable(host)) {
    http += mapLine("http", "MAP_HTTP_FRONTEND_ACL", host);
    addDomain(host);
  } else {
    http += render("HTTP_FRONTEND_ACL", host);
  }

  let block: string;
  if (auth !== undefined) block = render("HTTPS_FRONTEND_ACL_WITH_AUTH", host);
  else if (mappable(host)) {
    block = mapLine("https", "MAP_HTTPS_FRONTEND_ACL", host);
    addDomain(host);
  } else block = render("HTTPS_FRONTEND_ACL", host);
  https += block;
  if (block !== "") entry.blocks.push([weight, block]);
  return { weight, http, https, grouped };
}
