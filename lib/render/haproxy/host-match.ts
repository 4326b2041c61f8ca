/**
 * @module
 * How a vhost is matched in HAProxy's words: marathon-lb's exact `hdr(host) -i <host>` and
 * `ssl_fc_sni <host>`, or a one-label regex for a `*.` wildcard (marathon-lb#188; the Host
 * header may carry a port), the section name a grouped TLS frontend takes from its host, and
 * literals (paths, hosts) escaped for the regexes of the rewrite templates.
 */

const NOT_NAME_CHAR = /[^a-zA-Z0-9-]/g;

const isWildcard = (host: string) => host.startsWith("*.");

/** The regex of a one-label wildcard host: `*.a.com` → `^[^.]+\.a\.com`. */
function wildcardRegex(host: string): string {
  return `^[^.]+${host.slice(1).replaceAll(".", "\\.")}`;
}

/**
 * `acl host_x <hostMatch>` on the :80 frontend.
 * @example hostMatch("*.apps.test") // "hdr_reg(host) -i ^[^.]+\\.apps\\.test(:[0-9]+)?$"
 */
export function hostMatch(host: string): string {
  return isWildcard(host) ? `hdr_reg(host) -i ${wildcardRegex(host)}(:[0-9]+)?$` : `hdr(host) -i ${host}`;
}

/**
 * `{ <sniMatch> }` on the TLS-terminating :443 frontend.
 * @example sniMatch("web.test") // "ssl_fc_sni web.test"
 */
export function sniMatch(host: string): string {
  return isWildcard(host) ? `ssl_fc_sni -m reg -i ${wildcardRegex(host)}$` : `ssl_fc_sni ${host}`;
}

/**
 * `{ <reqSniMatch> }` on the grouped (TCP, SNI-peeking) :443 frontend.
 * @example reqSniMatch("web.test") // "req_ssl_sni -i web.test"
 */
export function reqSniMatch(host: string): string {
  return isWildcard(host) ? `req_ssl_sni -m reg -i ${wildcardRegex(host)}$` : `req_ssl_sni -i ${host}`;
}

/**
 * A text as a section or ACL name: every character but letters, digits and `-` becomes `_`.
 * @example sectionName("b.local") // "b_local"
 */
export function sectionName(text: string): string {
  return text.replace(NOT_NAME_CHAR, "_");
}

/**
 * A literal string as a PCRE pattern (label paths and hosts are literals, never regexes).
 * @example regexEscape("/p.x") // "/p\\.x"
 */
export function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
