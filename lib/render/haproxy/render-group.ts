/**
 * @module
 * One LB group's `haproxy.cfg` from its model (marathon-lb `config()`, `specs/l7.md`
 * §5.2–5.7): the services rendered one by one, in model order, and assembled in upstream's
 * order (head, userlists, :80, :9091, :443, per-service frontends, backends).
 *
 * Two checks marathon-lb did not make, because HAProxy would otherwise start with a broken
 * config or refuse it outright: a service whose frontend binds a port another frontend of the
 * group already binds is left out, as is one whose template fails to render. Each gets a
 * diagnostic; the rest of the group is rendered.
 */
import type { Diagnostic, HaproxyGroup } from "../../desired/schema.ts";
import { compareStrings } from "../../net/compare.ts";
import { addressForPort } from "../../net/ip-literal.ts";
import { RenderedLines, TemplateError } from "./template-format.ts";
import { createTemplater, type Templater } from "./templater.ts";
import type { HaproxyGroupModel, ServiceModel } from "./model.ts";
import { PortTable } from "./port-table.ts";
import { checkpoint, emptySharedState, type SharedState } from "./shared-state.ts";
import { reqSniMatch, sectionName } from "./host-match.ts";
import { serviceText, type ServiceTextContext } from "./service-text.ts";
import type { Block } from "./vhost-text.ts";

/** What one vhost's grouped TLS frontend collects from the services routing it. */
interface GroupedVhost {
  /** Blocks in contribution order. */
  readonly blocks: Block[];
  readonly certs: Set<string>;
  readonly bindOptions: Set<string>;
}

/** The rendered text of every service that made it into the config, section by section. */
interface Sections {
  userlists: string;
  frontends: string;
  backends: string;
  appIdAcls: string;
  http: Block[];
  https: Block[];
  grouped: Map<string, GroupedVhost>;
}

/**
 * @example renderHaproxyGroup(model).rendered.config.startsWith("global\n") // true
 */
export function renderHaproxyGroup(model: HaproxyGroupModel): { rendered: HaproxyGroup; diagnostics: Diagnostic[]; renderedBackends: ReadonlySet<string> } {
  const templater = createTemplater(model.templates);
  const state = emptySharedState();
  const context: ServiceTextContext = { templater, state, haproxyDir: model.haproxyDir, mapFallThrough: model.mapFallThrough, mapMode: model.mapMode };
  const { sections, diagnostics, renderedBackends } = renderServices(model, context);
  const rendered: HaproxyGroup = { config: assemble(model, templater, sections) };
  if (model.mapMode) rendered.maps = mapFiles(state);
  return { rendered, diagnostics, renderedBackends };
}

/** The services' text, and which of them made it in (`explain` reports those as rendered). */
function renderServices(model: HaproxyGroupModel, context: ServiceTextContext): { sections: Sections; diagnostics: Diagnostic[]; renderedBackends: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const renderedBackends = new Set<string>();
  const sections: Sections = { userlists: "", frontends: "", backends: "", appIdAcls: "", http: [], https: [], grouped: new Map() };
  const ports = new PortTable(model.frontends, model.head);
  for (const service of model.services) {
    const conflict = ports.claim(service.bindAddr, service.servicePort, service.backend);
    if (conflict !== undefined) {
      diagnostics.push(portConflict(model.group, service, conflict));
      continue;
    }
    const undo = checkpoint(context.state, service.appId);
    try {
      const text = serviceText(service, context);
      diagnostics.push(...service.notes);
      sections.userlists += text.userlist;
      sections.frontends += text.frontend;
      sections.backends += text.backend;
      sections.appIdAcls += text.appIdAcl;
      if (text.vhost !== undefined) {
        sections.http.push([text.vhost.weight, text.vhost.http]);
        sections.https.push([text.vhost.weight, text.vhost.https]);
        if (model.frontends.groupHttpsByVhost) mergeGrouped(sections.grouped, service, text.vhost.grouped);
      }
      renderedBackends.add(service.backend);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      undo();
      ports.release(service.bindAddr, service.servicePort);
      diagnostics.push(invalidTemplate(model.group, service, error));
    }
  }
  return { sections, diagnostics, renderedBackends };
}

/**
 * The report of a service left out because its frontend's port is taken.
 * @example portConflict("external", service, "*:80 is already bound by ...").code // "haproxy.port-conflict"
 */
export function portConflict(group: string, service: ServiceModel, conflict: string): Diagnostic {
  return { level: "error", code: "haproxy.port-conflict", subject: `app:${service.appId}`, message: `group ${group}: ${conflict}; service port ${service.servicePort} is left out` };
}

/**
 * The report of a service left out because a template failed to render.
 * @example invalidTemplate("external", service, error).code // "haproxy.invalid-template"
 */
export function invalidTemplate(group: string, service: ServiceModel, error: TemplateError): Diagnostic {
  return { level: "error", code: "haproxy.invalid-template", subject: `app:${service.appId}`, message: `group ${group}, service port ${service.servicePort}: ${error.message}; the service is left out` };
}

/** marathon-lb's `mergeVhostTable`: each vhost of the service gets its blocks, certificate and bind options. */
function mergeGrouped(table: Map<string, GroupedVhost>, service: ServiceModel, blocks: ReadonlyMap<string, Block[]>): void {
  for (const host of service.vhost?.vhosts ?? []) {
    let entry = table.get(host);
    if (entry === undefined) table.set(host, (entry = { blocks: [], certs: new Set(), bindOptions: new Set() }));
    entry.blocks.push(...(blocks.get(host) ?? []));
    if (service.sslCert !== undefined) entry.certs.add(service.sslCert);
    if (service.bindOptions !== undefined) entry.bindOptions.add(service.bindOptions);
  }
}

function assemble(model: HaproxyGroupModel, templater: Templater, sections: Sections): string {
  const { head, frontends } = model;
  const byWeight = (blocks: readonly Block[]) => [...blocks].sort((a, b) => b[0] - a[0]).map(([, text]) => text).join("");
  const bindAddr = addressForPort(frontends.bindAddress);
  const sslCerts = (certs: Iterable<string>) => [...certs].map((c) => `crt ${c}`).join(" ");
  let out = templater.render("HEAD", {
    globalDefaultOptions: new RenderedLines([...new Set(head.defaultOptions.map((o) => `  option            ${o}\n`))].sort(compareStrings).join("")),
    statsSocket: head.statsSocket,
    statsBindAddr: addressForPort(head.statsBindAddress),
    statsPort: head.statsPort,
    hardStopAfter: head.hardStopAfter,
    maxReloads: head.maxReloads,
    globalMaxconn: new RenderedLines(head.maxconn === "auto" ? "" : `  maxconn ${head.maxconn}\n`),
    maxconn: head.maxconn,
    endpointsScript: head.endpointsScript,
    group: model.group,
  });
  out += sections.userlists;
  if (frontends.bindHttpHttps) out += templater.render("HTTP_FRONTEND_HEAD", { bindAddr, httpPort: frontends.httpPort }) + byWeight(sections.http);
  out += templater.render("HTTP_FRONTEND_APPID_HEAD", { bindAddr, appIdPort: frontends.appIdPort }) + sections.appIdAcls;
  if (frontends.bindHttpHttps && !frontends.groupHttpsByVhost) {
    out += templater.render("HTTPS_FRONTEND_HEAD", { bindAddr, httpsPort: frontends.httpsPort, sslCerts: sslCerts(frontends.sslCerts) }) + byWeight(sections.https);
  } else if (frontends.bindHttpHttps) {
    const hosts = [...sections.grouped.keys()].sort(compareStrings);
    out += templater.render("HTTPS_GROUPED_FRONTEND_HEAD", { bindAddr, httpsPort: frontends.httpsPort });
    for (const host of hosts) out += templater.render("HTTPS_GROUPED_VHOST_FRONTEND_ACL", { backend: sectionName(host), host, reqSniMatch: reqSniMatch(host) });
    for (const host of hosts) {
      const entry = sections.grouped.get(host)!;
      const name = sectionName(host);
      out += templater.render("HTTPS_GROUPED_VHOST_BACKEND_HEAD", { name });
      // marathon-lb kept certs and bind options in Python sets (random order between runs); sorted here.
      const certs = entry.certs.size > 0 ? [...entry.certs].sort(compareStrings) : frontends.sslCerts;
      const bindOpts = [...entry.bindOptions].sort(compareStrings).map((o) => ` ${o}`).join(" ");
      out += templater.render("HTTPS_GROUPED_VHOST_FRONTEND_HEAD", { name, sslCerts: sslCerts(certs), bindOpts }) + byWeight(entry.blocks);
    }
  }
  return out + sections.frontends + sections.backends;
}

function mapFiles(state: SharedState): NonNullable<HaproxyGroup["maps"]> {
  const lines = (entries: readonly [string, string][]) => entries.map(([k, v]) => `${k} ${v}\n`).join("");
  return { "domain2backend.map": lines(state.domainEntries), "app2backend.map": lines(state.appEntries) };
}
