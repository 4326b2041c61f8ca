/**
 * @module
 * One LB group's `haproxy.cfg` (marathon-lb `config()`, `specs/l7.md` §5.2–5.7): the services
 * of the group, in (appId, servicePort) order, rendered section by section and assembled in
 * upstream's order (head, userlists, :80, :9091, :443, per-service frontends, backends).
 *
 * Two checks marathon-lb did not make, because HAProxy would otherwise start with a broken
 * config or refuse it outright: a service whose frontend binds a port another frontend of the
 * group already binds (marathon-lb#125: `HAPROXY_0_PORT=80` next to the vhost frontend) is
 * left out, as is one whose template fails to render. Each gets a diagnostic; the rest of the
 * group is rendered.
 */
import type { Diagnostic, HaproxyGroup } from "../../lib/desired/schema.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";
import { RenderedLines, TemplateError } from "../../lib/render/haproxy/template-format.ts";
import type { Service } from "./services.ts";
import type { BackendSlots } from "./slots.ts";
import type { Templater } from "./templater.ts";
import { matchesGroups } from "./groups.ts";
import { groupFileStem } from "../../lib/render/haproxy/group-files.ts";
import { backendName, sanitizedName } from "./names.ts";
import { reqSniMatch, type GroupedVhost } from "./vhost-acls.ts";
import { serviceSections, type SharedState } from "./service-sections.ts";
import { serviceFact } from "./service-fact.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";


export interface GroupInput {
  readonly group: string;
  /** Every normalised service, in (appId, servicePort) order. */
  readonly services: readonly Service[];
  readonly siblings: ReadonlyMap<string, readonly Service[]>;
  readonly slots: ReadonlyMap<string, BackendSlots>;
  readonly config: HaproxyConfig;
  readonly templater: Templater;
  /** Told which services (and so which tasks' servers) the group renders (`explain`). */
  readonly provenance?: Provenance | undefined;
}

type Block = [weight: number, text: string];

/**
 * @example renderGroup({ group: "external", services, siblings, slots, config, templater }).rendered.config.startsWith("global\n") // true
 */
export function renderGroup(input: GroupInput): { rendered: HaproxyGroup; diagnostics: Diagnostic[] } {
  const { config, templater, group } = input;
  const diagnostics: Diagnostic[] = [];
  const haproxyDir = config.mapDir ?? groupFileStem(group);
  const members = input.services.filter((s) => matchesGroups([group], s.groups) && s.settings.enabled);
  const fallThrough = config.haproxyMap && members.some((s) => s.settings.vhosts?.some((h) => h.startsWith("*.")) === true);
  const shared: SharedState = { map: { fallThrough, emitted: new Set(), domainEntries: [], domainKeys: new Set() }, appIdsSeen: new Set(), appEntries: [] };
  let userlists = "";
  let frontends = "";
  let backends = "";
  let appIdAcls = "";
  const httpBlocks: Block[] = [];
  const httpsBlocks: Block[] = [];
  const grouped = new Map<string, GroupedVhost>();
  const binds = new PortTable(config);

  for (const service of members) {
    const settings = service.settings;
    const subject = `app:${service.appId}`;
    const conflict = binds.claim(settings.bindAddr, service.servicePort, backendName(service.appId, service.servicePort));
    if (conflict !== undefined) {
      diagnostics.push({ level: "error", code: "haproxy.port-conflict", subject, message: `group ${group}: ${conflict}; service port ${service.servicePort} is left out` });
      continue;
    }
    const undo = checkpoint(shared, service.appId);
    try {
      const backend = backendName(service.appId, service.servicePort);
      const slots = input.slots.get(backend)!;
      const sections = serviceSections({
        service,
        siblings: input.siblings.get(service.appId) ?? [service],
        slots,
        templater,
        bindHttpHttps: config.bindHttpHttps,
        mapMode: config.haproxyMap,
        groupHttpsByVhost: config.groupHttpsByVhost,
        haproxyDir,
        naming: config.serverNaming,
        shared,
      });
      diagnostics.push(...sections.diagnostics);
      userlists += sections.userlist;
      frontends += sections.frontend;
      backends += sections.backend;
      appIdAcls += sections.appIdAcl;
      if (sections.vhost !== undefined) {
        httpBlocks.push([sections.vhost.weight, sections.vhost.http]);
        httpsBlocks.push([sections.vhost.weight, sections.vhost.https]);
        for (const [host, entry] of sections.vhost.grouped) mergeGrouped(grouped, host, entry);
      }
      input.provenance?.haproxyService(group, serviceFact(service, backend, slots, config.serverNaming));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      undo();
      binds.release(settings.bindAddr, service.servicePort);
      diagnostics.push({ level: "error", code: "haproxy.invalid-template", subject, message: `group ${group}, service port ${service.servicePort}: ${error.message}; the service is left out` });
    }
  }

  const byWeight = (blocks: Block[]) => [...blocks].sort((a, b) => b[0] - a[0]).map(([, text]) => text).join("");
  const bindAddr = addressForPort(config.bindAddress);
  const sslCerts = (certs: Iterable<string>) => [...certs].map((c) => `crt ${c}`).join(" ");
  let out = templater.render("HEAD", {
    globalDefaultOptions: new RenderedLines([...new Set(config.globalDefaultOptions.map((o) => `  option            ${o}\n`))].sort().join("")),
    statsSocket: `${config.runtimeDir}/${groupFileStem(group)}.sock`,
    statsBindAddr: addressForPort(config.statsBindAddress),
    statsPort: config.statsPort,
    hardStopAfter: config.hardStopAfter,
    maxReloads: config.maxReloads,
    maxconn: config.maxconn,
    group,
  });
  out += userlists;
  if (config.bindHttpHttps) out += templater.render("HTTP_FRONTEND_HEAD", { bindAddr, httpPort: config.httpPort }) + byWeight(httpBlocks);
  out += templater.render("HTTP_FRONTEND_APPID_HEAD", { bindAddr, appIdPort: config.appIdPort }) + appIdAcls;
  if (config.bindHttpHttps) {
    if (!config.groupHttpsByVhost) {
      out += templater.render("HTTPS_FRONTEND_HEAD", { bindAddr, httpsPort: config.httpsPort, sslCerts: sslCerts(config.sslCerts) }) + byWeight(httpsBlocks);
    } else {
      const hosts = [...grouped.keys()].sort();
      out += templater.render("HTTPS_GROUPED_FRONTEND_HEAD", { bindAddr, httpsPort: config.httpsPort });
      for (const host of hosts) out += templater.render("HTTPS_GROUPED_VHOST_FRONTEND_ACL", { backend: sanitizedName(host), host, reqSniMatch: reqSniMatch(host) });
      for (const host of hosts) {
        const entry = grouped.get(host)!;
        const name = sanitizedName(host);
        out += templater.render("HTTPS_GROUPED_VHOST_BACKEND_HEAD", { name });
        // marathon-lb kept certs and bind options in Python sets (random order between runs); sorted here.
        const certs = entry.certs.size > 0 ? [...entry.certs].sort() : config.sslCerts;
        const bindOpts = [...entry.bindOptions].sort().map((o) => ` ${o}`).join(" ");
        out += templater.render("HTTPS_GROUPED_VHOST_FRONTEND_HEAD", { name, sslCerts: sslCerts(certs), bindOpts }) + byWeight(entry.blocks);
      }
    }
  }
  out += frontends + backends;

  const rendered: HaproxyGroup = { config: out };
  if (config.haproxyMap) {
    const lines = (entries: [string, string][]) => entries.map(([k, v]) => `${k} ${v}\n`).join("");
    rendered.maps = { "domain2backend.map": lines(shared.map.domainEntries), "app2backend.map": lines(shared.appEntries) };
  }
  return { rendered, diagnostics };
}

/** marathon-lb's `mergeVhostTable`: blocks appended, certs and bind options united. */
function mergeGrouped(table: Map<string, GroupedVhost>, host: string, entry: GroupedVhost): void {
  const existing = table.get(host);
  if (existing === undefined) {
    table.set(host, { blocks: [...entry.blocks], certs: new Set(entry.certs), bindOptions: new Set(entry.bindOptions) });
    return;
  }
  existing.blocks.push(...entry.blocks);
  for (const cert of entry.certs) existing.certs.add(cert);
  for (const option of entry.bindOptions) existing.bindOptions.add(option);
}

/**
 * Records what a service may add to the shared state (it only appends, and only its own app
 * id), so a service that fails halfway can be taken back out in constant time.
 */
function checkpoint(shared: SharedState, appId: string): () => void {
  const emitted = new Set(shared.map.emitted);
  const domainLength = shared.map.domainEntries.length;
  const appLength = shared.appEntries.length;
  const seen = shared.appIdsSeen.has(appId);
  return () => {
    for (const kind of [...shared.map.emitted]) if (!emitted.has(kind)) shared.map.emitted.delete(kind);
    for (const [host, backend] of shared.map.domainEntries.splice(domainLength)) shared.map.domainKeys.delete(`${host} ${backend}`);
    shared.appEntries.splice(appLength);
    if (!seen) shared.appIdsSeen.delete(appId);
  };
}

const WILDCARD_ADDRESSES = new Set(["*", "0.0.0.0", "::"]);

/** The TCP ports a group's frontends bind, so two frontends never share one (HAProxy would split connections between them). */
class PortTable {
  private readonly byPort = new Map<number, { address: string; owner: string }[]>();

  constructor(config: HaproxyConfig) {
    if (config.bindHttpHttps) {
      this.claim(config.bindAddress, config.httpPort, "the :80 vhost frontend marathon_http_in");
      if (config.httpsPort !== config.httpPort) this.claim(config.bindAddress, config.httpsPort, "the :443 vhost frontend marathon_https_in");
    }
    this.claim(config.bindAddress, config.appIdPort, "the app-id frontend marathon_http_appid_in");
    this.claim(config.statsBindAddress, config.statsPort, "the stats listener");
  }

  /** Takes `address:port` for `owner`; returns why not when another frontend overlaps it. */
  claim(address: string, port: number, owner: string): string | undefined {
    const taken = this.byPort.get(port) ?? [];
    const clash = taken.find((t) => t.address === address || WILDCARD_ADDRESSES.has(t.address) || WILDCARD_ADDRESSES.has(address));
    if (clash !== undefined) return `${address}:${port} is already bound by ${clash.owner}`;
    taken.push({ address, owner });
    this.byPort.set(port, taken);
    return undefined;
  }

  release(address: string, port: number): void {
    const taken = this.byPort.get(port) ?? [];
    const index = taken.findIndex((t) => t.address === address);
    if (index >= 0) taken.splice(index, 1);
  }
}
