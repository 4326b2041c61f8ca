/**
 * @module
 * The text of one service's vhost ACL facts (`functions/haproxy/vhost-acls.ts` decides them):
 * its blocks for the :80 and :443 frontends and for the grouped TLS frontends. The once-only
 * map lines are settled here, against the config's shared state, because which service writes
 * them depends on which services before it rendered.
 */
import type { TemplateValue } from "./template-format.ts";
import type { Templater } from "./templater.ts";
import type { TemplateName } from "./template-catalog.ts";
import type { ServiceModel, VhostRouting } from "./model.ts";
import { addDomain, type SharedState } from "./shared-state.ts";
import { hostMatch, sniMatch } from "./host-match.ts";

/** `[weight, text]`: a block of a frontend, ordered by weight (bigger first) when assembled. */
export type Block = [weight: number, text: string];

export interface VhostText {
  /** The service's weight after its map lines (a service that writes one sinks to −1). */
  weight: number;
  http: string;
  https: string;
  /** Vhost → its blocks for the vhost's grouped TLS frontend, in the order written. */
  grouped: Map<string, Block[]>;
}

export interface VhostContext {
  readonly templater: Templater;
  readonly state: SharedState;
  readonly haproxyDir: string;
  readonly mapFallThrough: boolean;
}

/**
 * @example vhostText(service, routing, context).http
 * // "  acl host_test_example_com_nginx hdr(host) -i test.example.com\n  use_backend nginx_10000 if host_test_example_com_nginx\n"
 */
export function vhostText(service: ServiceModel, routing: VhostRouting, context: VhostContext): VhostText {
  const out: VhostText = { weight: routing.weight, http: "", https: "", grouped: new Map() };
  let sunk = false;
  const values = aclValues(service, routing);
  for (const step of routing.steps) {
    const line = step.line;
    let text: string;
    if (line.kind === "map") {
      addDomain(context.state, line.host, service.backend);
      if (context.state.written.has(line.map)) continue;
      context.state.written.add(line.map);
      sunk = true;
      text = mapLineText(line.map, line.template, line.host, context);
    } else if (line.kind === "acl") text = context.templater.render(line.template, values(line.host), service.templates);
    else text = context.templater.render(line.template, { bindAddr: service.bindAddr, cleanedUpHostname: routing.stem, backend: service.backend }, service.templates);
    if (text === "") continue;
    if (step.frontend === "http") out.http += text;
    else out.https += text;
    const weight = sunk ? -1 : routing.weight;
    for (const host of step.grouped ?? []) {
      const blocks = out.grouped.get(host);
      if (blocks === undefined) out.grouped.set(host, [[weight, text]]);
      else blocks.push([weight, text]);
    }
  }
  if (sunk) out.weight = -1;
  return out;
}

/** The map line of `kind`; with wildcard vhosts in the group it only takes hosts the map knows. */
function mapLineText(kind: "http" | "https", template: TemplateName, host: string, context: VhostContext): string {
  const lookup = kind === "http" ? "req.hdr(host),lower,regsub(:.*$,,)" : "ssl_fc_sni,lower";
  const ifMapped = context.mapFallThrough ? ` if { ${lookup},map(${context.haproxyDir}/domain2backend.map) -m found }` : "";
  return context.templater.render(template, { haproxy_dir: context.haproxyDir, hostname: host, ifMapped });
}

/** The placeholders of the vhost ACL templates, made once per host. */
function aclValues(service: ServiceModel, routing: VhostRouting): (host: string) => Record<string, TemplateValue> {
  const byHost = new Map<string, Record<string, TemplateValue>>();
  return (host) => {
    let values = byHost.get(host);
    if (values === undefined) {
      values = { cleanedUpHostname: routing.stem, hostname: host, hostMatch: hostMatch(host), sniMatch: sniMatch(host), backend: service.backend, appId: service.appId, path: routing.path, realm: routing.realm };
      byHost.set(host, values);
    }
    return values;
  };
}
