/**
 * @module
 * The vhost ACL decision table (marathon-lb `generateHttpVhostAcl`, `specs/l7.md` §5.6): which
 * templates one service writes to the :80 and :443 frontends, and to the grouped TLS
 * frontends, for its `VHOST` (one host or several), `PATH`, `AUTH` and `REDIRECT_TO_HTTPS`, in
 * map mode or not. Each rule is a small function returning its steps; the order of the steps
 * follows upstream line for line, because the order of ACL lines is routing behaviour.
 * Wildcard hosts (`*.example.com`) never go into the map (maps match exact keys).
 */
import type { AclLine, AclStep } from "../../lib/render/haproxy/model.ts";

/** What the table reads of one service. */
export interface VhostFacts {
  /** At least one host; the first names the ACLs. */
  readonly vhosts: readonly string[];
  readonly path: boolean;
  readonly auth: boolean;
  readonly redirect: boolean;
  readonly mapMode: boolean;
}

const acl = (template: AclLine["template"], host: string): AclLine => ({ kind: "acl", template, host });

/** A host the domain map can route: map mode, and not a wildcard. */
const mappable = (facts: VhostFacts, host: string) => facts.mapMode && !host.startsWith("*.");

/**
 * The steps of one service, in the order they are written.
 * @example vhostAclSteps({ vhosts: ["a.test"], path: false, auth: false, redirect: false, mapMode: false })
 * // [{ frontend: "http", line: { kind: "acl", template: "HTTP_FRONTEND_ACL", host: "a.test" } },
 * //  { frontend: "https", line: { kind: "acl", template: "HTTPS_FRONTEND_ACL", host: "a.test" }, grouped: ["a.test"] }]
 */
export function vhostAclSteps(facts: VhostFacts): AclStep[] {
  if (facts.vhosts.length > 1) return [...sharedPathSteps(facts), ...facts.vhosts.flatMap((host) => hostSteps(facts, host)), ...routingSteps(facts)];
  const host = facts.vhosts[0]!;
  return [...singleHttpSteps(facts, host), ...singleHttpsSteps(facts, host)];
}

/**
 * The :443 rule for one host (the same for one vhost and several): path, auth, map, plain.
 * @example httpsHostLine({ ...facts, auth: true }, "a.test") // { kind: "acl", template: "HTTPS_FRONTEND_ACL_WITH_AUTH", host: "a.test" }
 */
function httpsHostLine(facts: VhostFacts, host: string): AclLine {
  if (facts.path) return acl(facts.auth ? "HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH" : "HTTPS_FRONTEND_ACL_WITH_PATH", host);
  if (facts.auth) return acl("HTTPS_FRONTEND_ACL_WITH_AUTH", host);
  if (mappable(facts, host)) return { kind: "map", map: "https", template: "MAP_HTTPS_FRONTEND_ACL", host };
  return acl("HTTPS_FRONTEND_ACL", host);
}

/** The redirect to https, which takes the place of `use_backend` on :80. */
function redirectLine(facts: VhostFacts): AclLine {
  return { kind: "redirect", template: facts.path ? "BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH" : "BACKEND_REDIRECT_HTTP_TO_HTTPS" };
}

/**
 * Several vhosts share one path ACL (named for the first), written once to each frontend and
 * at the top of every vhost's grouped TLS frontend.
 * @example sharedPathSteps({ vhosts: ["a.test", "b.test"], path: true, ... }).map((s) => s.line.template)
 * // ["HTTP_FRONTEND_ACL_ONLY_WITH_PATH", "HTTPS_FRONTEND_ACL_ONLY_WITH_PATH"]
 */
function sharedPathSteps(facts: VhostFacts): AclStep[] {
  if (!facts.path) return [];
  const first = facts.vhosts[0]!;
  return [
    { frontend: "http", line: acl(facts.auth ? "HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH" : "HTTP_FRONTEND_ACL_ONLY_WITH_PATH", first) },
    { frontend: "https", line: acl("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", first), grouped: facts.vhosts },
  ];
}

/**
 * One of several vhosts: its host ACL on :80 (all under the first host's name, so HAProxy ORs
 * them; map mode routes a plain one through the map instead) and its rule on :443.
 * @example hostSteps({ vhosts: ["a.test", "b.test"], ... }, "b.test").map((s) => s.line.template)
 * // ["HTTP_FRONTEND_ACL_ONLY", "HTTPS_FRONTEND_ACL"]
 */
function hostSteps(facts: VhostFacts, host: string): AclStep[] {
  const plain = !facts.path && !facts.auth && !facts.redirect;
  const http: AclLine = plain && mappable(facts, host) ? { kind: "map", map: "http", template: "MAP_HTTP_FRONTEND_ACL_ONLY", host } : acl("HTTP_FRONTEND_ACL_ONLY", host);
  return [
    { frontend: "http", line: http },
    { frontend: "https", line: httpsHostLine(facts, host), grouped: [host] },
  ];
}

/**
 * The one :80 routing line after several vhosts' ACLs. Upstream writes none for plain hosts in
 * map mode (the map routes them); wildcard hosts are not in the map, so they still need it.
 * @example routingSteps({ vhosts: ["a.test", "b.test"], auth: true, ... })[0].line.template // "HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH"
 */
function routingSteps(facts: VhostFacts): AclStep[] {
  const first = facts.vhosts[0]!;
  const route = (line: AclLine): AclStep[] => [{ frontend: "http", line }];
  if (facts.redirect) return route(redirectLine(facts));
  if (facts.path) return route(acl(facts.auth ? "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH" : "HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH", first));
  if (facts.auth) return route(acl("HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH", first));
  if (!facts.mapMode || facts.vhosts.some((h) => h.startsWith("*."))) return route(acl("HTTP_FRONTEND_ROUTING_ONLY", first));
  return [];
}

/**
 * One vhost on :80: ACL and routing in one template, or the ACLs and a redirect.
 * @example singleHttpSteps({ vhosts: ["a.test"], redirect: true, ... }, "a.test").map((s) => s.line.template)
 * // ["HTTP_FRONTEND_ACL", "BACKEND_REDIRECT_HTTP_TO_HTTPS"]
 */
function singleHttpSteps(facts: VhostFacts, host: string): AclStep[] {
  const lines = (...list: AclLine[]): AclStep[] => list.map((line) => ({ frontend: "http", line }));
  if (facts.path && facts.redirect) return lines(acl("HTTP_FRONTEND_ACL_ONLY", host), acl("HTTP_FRONTEND_ACL_ONLY_WITH_PATH", host), redirectLine(facts));
  if (facts.path) return lines(acl(facts.auth ? "HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH" : "HTTP_FRONTEND_ACL_WITH_PATH", host));
  if (facts.redirect) return lines(acl("HTTP_FRONTEND_ACL", host), redirectLine(facts));
  if (facts.auth) return lines(acl("HTTP_FRONTEND_ACL_WITH_AUTH", host));
  if (mappable(facts, host)) return lines({ kind: "map", map: "http", template: "MAP_HTTP_FRONTEND_ACL", host });
  return lines(acl("HTTP_FRONTEND_ACL", host));
}

/**
 * One vhost on :443, also written to its grouped TLS frontend: the path ACL if any, then its rule.
 * @example singleHttpsSteps({ vhosts: ["a.test"], path: true, ... }, "a.test").map((s) => s.line.template)
 * // ["HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", "HTTPS_FRONTEND_ACL_WITH_PATH"]
 */
function singleHttpsSteps(facts: VhostFacts, host: string): AclStep[] {
  const lines = facts.path ? [acl("HTTPS_FRONTEND_ACL_ONLY_WITH_PATH", host), httpsHostLine(facts, host)] : [httpsHostLine(facts, host)];
  return lines.map((line) => ({ frontend: "https", line, grouped: [host] }));
}
