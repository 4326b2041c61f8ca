/**
 * The vhost ACL decision table (`specs/l7.md` §5.6) as data: for each combination of one or
 * several vhosts, PATH, AUTH, REDIRECT_TO_HTTPS and map mode, the template of every line, the
 * frontend it goes to and the grouped TLS frontends that get it too, in order.
 */
import { describe, expect, it } from "vitest";
import { vhostAclSteps, type VhostFacts } from "../../../functions/haproxy/vhost-acls.ts";
import type { AclStep } from "../../../lib/render/haproxy/model.ts";

/** `frontend kind TEMPLATE [host] [>grouped,hosts]`: one step on one line. */
function compact(step: AclStep): string {
  const { line } = step;
  const host = line.kind === "redirect" ? "" : ` ${line.host}`;
  const grouped = step.grouped === undefined ? "" : ` >${step.grouped.join(",")}`;
  return `${step.frontend} ${line.kind === "map" ? `map:${line.map}` : line.kind} ${line.template}${host}${grouped}`;
}

const facts = (vhosts: string[], flags: Partial<Omit<VhostFacts, "vhosts">> = {}): VhostFacts => ({ vhosts, path: false, auth: false, redirect: false, mapMode: false, ...flags });

const ONE = ["a.test"];
const TWO = ["a.test", "b.test"];

const cases: [string, VhostFacts, string[]][] = [
  ["one vhost", facts(ONE), ["http acl HTTP_FRONTEND_ACL a.test", "https acl HTTPS_FRONTEND_ACL a.test >a.test"]],
  ["one vhost, map mode", facts(ONE, { mapMode: true }), ["http map:http MAP_HTTP_FRONTEND_ACL a.test", "https map:https MAP_HTTPS_FRONTEND_ACL a.test >a.test"]],
  ["one wildcard vhost, map mode (never in the map)", facts(["*.w.test"], { mapMode: true }), ["http acl HTTP_FRONTEND_ACL *.w.test", "https acl HTTPS_FRONTEND_ACL *.w.test >*.w.test"]],
  ["one vhost, auth", facts(ONE, { auth: true }), ["http acl HTTP_FRONTEND_ACL_WITH_AUTH a.test", "https acl HTTPS_FRONTEND_ACL_WITH_AUTH a.test >a.test"]],
  [
    "one vhost, redirect, map mode (the :80 ACL is not mapped, :443 is)",
    facts(ONE, { redirect: true, mapMode: true }),
    ["http acl HTTP_FRONTEND_ACL a.test", "http redirect BACKEND_REDIRECT_HTTP_TO_HTTPS", "https map:https MAP_HTTPS_FRONTEND_ACL a.test >a.test"],
  ],
  ["one vhost, path", facts(ONE, { path: true }), ["http acl HTTP_FRONTEND_ACL_WITH_PATH a.test", "https acl HTTPS_FRONTEND_ACL_ONLY_WITH_PATH a.test >a.test", "https acl HTTPS_FRONTEND_ACL_WITH_PATH a.test >a.test"]],
  [
    "one vhost, path and auth, map mode (paths are never mapped)",
    facts(ONE, { path: true, auth: true, mapMode: true }),
    ["http acl HTTP_FRONTEND_ACL_WITH_AUTH_AND_PATH a.test", "https acl HTTPS_FRONTEND_ACL_ONLY_WITH_PATH a.test >a.test", "https acl HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH a.test >a.test"],
  ],
  [
    "one vhost, path and redirect (no use_backend on :80)",
    facts(ONE, { path: true, redirect: true }),
    [
      "http acl HTTP_FRONTEND_ACL_ONLY a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY_WITH_PATH a.test",
      "http redirect BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
      "https acl HTTPS_FRONTEND_ACL_ONLY_WITH_PATH a.test >a.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_PATH a.test >a.test",
    ],
  ],
  [
    "two vhosts",
    facts(TWO),
    ["http acl HTTP_FRONTEND_ACL_ONLY a.test", "https acl HTTPS_FRONTEND_ACL a.test >a.test", "http acl HTTP_FRONTEND_ACL_ONLY b.test", "https acl HTTPS_FRONTEND_ACL b.test >b.test", "http acl HTTP_FRONTEND_ROUTING_ONLY a.test"],
  ],
  [
    "two vhosts, map mode (the map routes: no routing line)",
    facts(TWO, { mapMode: true }),
    ["http map:http MAP_HTTP_FRONTEND_ACL_ONLY a.test", "https map:https MAP_HTTPS_FRONTEND_ACL a.test >a.test", "http map:http MAP_HTTP_FRONTEND_ACL_ONLY b.test", "https map:https MAP_HTTPS_FRONTEND_ACL b.test >b.test"],
  ],
  [
    "a vhost and a wildcard, map mode (the wildcard keeps its ACL and needs the routing line)",
    facts(["a.test", "*.w.test"], { mapMode: true }),
    [
      "http map:http MAP_HTTP_FRONTEND_ACL_ONLY a.test",
      "https map:https MAP_HTTPS_FRONTEND_ACL a.test >a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY *.w.test",
      "https acl HTTPS_FRONTEND_ACL *.w.test >*.w.test",
      "http acl HTTP_FRONTEND_ROUTING_ONLY a.test",
    ],
  ],
  [
    "two vhosts, auth (the auth ACL repeats per vhost on :443)",
    facts(TWO, { auth: true }),
    [
      "http acl HTTP_FRONTEND_ACL_ONLY a.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_AUTH a.test >a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY b.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_AUTH b.test >b.test",
      "http acl HTTP_FRONTEND_ROUTING_ONLY_WITH_AUTH a.test",
    ],
  ],
  [
    "two vhosts, path and auth (one path ACL, at the top of every grouped frontend)",
    facts(TWO, { path: true, auth: true }),
    [
      "http acl HTTP_FRONTEND_ACL_ONLY_WITH_PATH_AND_AUTH a.test",
      "https acl HTTPS_FRONTEND_ACL_ONLY_WITH_PATH a.test >a.test,b.test",
      "http acl HTTP_FRONTEND_ACL_ONLY a.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH a.test >a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY b.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_AUTH_AND_PATH b.test >b.test",
      "http acl HTTP_FRONTEND_ROUTING_ONLY_WITH_PATH_AND_AUTH a.test",
    ],
  ],
  [
    "two vhosts, path and redirect",
    facts(TWO, { path: true, redirect: true }),
    [
      "http acl HTTP_FRONTEND_ACL_ONLY_WITH_PATH a.test",
      "https acl HTTPS_FRONTEND_ACL_ONLY_WITH_PATH a.test >a.test,b.test",
      "http acl HTTP_FRONTEND_ACL_ONLY a.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_PATH a.test >a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY b.test",
      "https acl HTTPS_FRONTEND_ACL_WITH_PATH b.test >b.test",
      "http redirect BACKEND_REDIRECT_HTTP_TO_HTTPS_WITH_PATH",
    ],
  ],
  [
    "two vhosts, redirect, map mode (:80 keeps its ACLs, :443 is mapped, the redirect replaces use_backend)",
    facts(TWO, { redirect: true, mapMode: true }),
    [
      "http acl HTTP_FRONTEND_ACL_ONLY a.test",
      "https map:https MAP_HTTPS_FRONTEND_ACL a.test >a.test",
      "http acl HTTP_FRONTEND_ACL_ONLY b.test",
      "https map:https MAP_HTTPS_FRONTEND_ACL b.test >b.test",
      "http redirect BACKEND_REDIRECT_HTTP_TO_HTTPS",
    ],
  ],
];

describe("vhostAclSteps", () => {
  it.each(cases)("%s", (_name, input, expected) => {
    expect(vhostAclSteps(input).map(compact)).toEqual(expected);
  });

  it("does not change its input", () => {
    const input = Object.freeze(facts(Object.freeze(["a.test", "b.test"]) as string[], { path: true }));
    const before = JSON.stringify(input);
    vhostAclSteps(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});
