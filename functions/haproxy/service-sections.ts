/**
 * @module
 * Everything one service adds to a config (`specs/l7.md` §5.3): its userlist, its own frontend
 * and backend sections, its vhost ACL blocks for :80/:443 and its app-id ACL for :9091. The
 * result is a value; the group renderer appends it only if the whole service rendered, so a
 * template that fails halfway leaves no half-written service behind.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";
import type { Service } from "./services.ts";
import type { BackendSlots } from "./slots.ts";
import type { Templater } from "./templater.ts";
import { backendName, cleanedUpAppId } from "./names.ts";
import { backendServers } from "./servers.ts";
import { vhostAcls, type GroupedVhost, type MapState } from "./vhost-acls.ts";

/** The shared state of one config the sections read and extend (map mode, app-id ACLs). */
export interface SharedState {
  readonly map: MapState;
  readonly appIdsSeen: Set<string>;
  /** `appId → backend` entries of the app map, in first-seen order. */
  readonly appEntries: [string, string][];
}

export interface ServiceSections {
  userlist: string;
  frontend: string;
  backend: string;
  /** Present when the service has vhost ACLs on :80/:443. */
  vhost?: { weight: number; http: string; https: string; grouped: Map<string, GroupedVhost> };
  appIdAcl: string;
  diagnostics: Diagnostic[];
}

export interface SectionsInput {
  readonly service: Service;
  readonly siblings: readonly Service[];
  readonly slots: BackendSlots;
  readonly templater: Templater;
  readonly bindHttpHttps: boolean;
  readonly mapMode: boolean;
  readonly groupHttpsByVhost: boolean;
  readonly haproxyDir: string;
  readonly naming: "slots" | "marathon-lb";
  readonly shared: SharedState;
}

/**
 * @example serviceSections({ service, siblings: [service], slots, templater, bindHttpHttps: true, mapMode: false, groupHttpsByVhost: false, haproxyDir: "external", naming: "slots", shared }).frontend
 * // "\nfrontend web_10000\n  bind *:10000\n  mode http\n  use_backend web_10000\n"
 */
export function serviceSections(input: SectionsInput): ServiceSections {
  const { service, templater, shared } = input;
  const settings = service.settings;
  const perPort = settings.templates;
  const appId = service.appId;
  const backend = backendName(appId, service.servicePort);
  const mode = serviceMode(service);
  const diagnostics: Diagnostic[] = [];
  const out: ServiceSections = { userlist: "", frontend: "", backend: "", appIdAcl: "", diagnostics };

  if (settings.auth !== undefined) {
    out.userlist = templater.render("USERLIST_HEAD", { backend, user: settings.auth.user, passwd: settings.auth.passwd }, perPort);
  }
  out.frontend = templater.render(
    "FRONTEND_HEAD",
    {
      bindAddr: addressForPort(settings.bindAddr),
      backend,
      servicePort: service.servicePort,
      mode,
      sslCert: settings.sslCert !== undefined ? ` ssl crt ${settings.sslCert}` : "",
      bindOptions: settings.bindOptions !== undefined ? ` ${settings.bindOptions}` : "",
    },
    perPort,
  );
  let backendText = templater.render("BACKEND_HEAD", { backend, balance: settings.balance, mode }, perPort);

  if (input.bindHttpHttps && settings.vhosts !== undefined) {
    const vhostSettings = { ...settings, vhosts: settings.vhosts };
    out.vhost = vhostAcls({ appId, backend, settings: vhostSettings, templater, mapMode: input.mapMode, haproxyDir: input.haproxyDir, map: shared.map, grouped: input.groupHttpsByVhost });
  }

  if (mode === "http" && !shared.appIdsSeen.has(appId)) {
    shared.appIdsSeen.add(appId);
    if (input.mapMode) {
      if (!shared.map.emitted.has("appid")) {
        shared.map.emitted.add("appid");
        out.appIdAcl = templater.render("MAP_HTTP_FRONTEND_APPID_ACL", { haproxy_dir: input.haproxyDir });
      }
      shared.appEntries.push([appId, backend]); // once per app id: appIdsSeen guards it
    } else {
      out.appIdAcl = templater.render(
        "HTTP_FRONTEND_APPID_ACL",
        { cleanedUpAppId: cleanedUpAppId(appId), hostname: settings.vhosts?.join(","), appId, backend },
        perPort,
      );
    }
  }

  if (mode === "http") {
    if (settings.useHsts) backendText += templater.render("BACKEND_HSTS_OPTIONS", {}, perPort);
    backendText += templater.render("BACKEND_HTTP_OPTIONS", {}, perPort);
    backendText += proxyRewrites(input, diagnostics);
  }

  if (settings.networkAllowed !== undefined) {
    const tcp = mode === "tcp";
    for (const network of settings.networkAllowed) {
      backendText += templater.render(tcp ? "TCP_BACKEND_NETWORK_ALLOWED_ACL" : "HTTP_BACKEND_NETWORK_ALLOWED_ACL", { network_allowed: network }, perPort);
    }
    backendText += templater.render(tcp ? "TCP_BACKEND_ACL_ALLOW_DENY" : "HTTP_BACKEND_ACL_ALLOW_DENY", {});
  }
  if (settings.sticky) backendText += templater.render("BACKEND_STICKY_OPTIONS", {}, perPort);

  out.frontend += templater.render("FRONTEND_BACKEND_GLUE", { backend }, perPort);
  backendText += backendServers({ service, mode, siblings: input.siblings, templater, naming: input.naming, slots: input.slots });
  out.backend = backendText;
  return out;
}

/**
 * The mode a service renders in: the explicit one, else `http` when it has vhosts.
 * @example serviceMode(service) // "http"
 */
export function serviceMode(service: Service): "tcp" | "http" {
  return service.mode ?? (service.settings.vhosts !== undefined ? "http" : "tcp");
}

/**
 * PROXYPASS, REVPROXY and REDIR blocks. They match on the app's host names; marathon-lb
 * rendered `Host None` without a VHOST, so here they need one and are skipped with a warning.
 */
function proxyRewrites(input: SectionsInput, diagnostics: Diagnostic[]): string {
  const { settings, appId } = input.service;
  const perPort = settings.templates;
  const vhosts = settings.vhosts;
  const wanted = [settings.proxypath, settings.revproxypath, settings.redirpath].some((p) => p !== undefined);
  if (!wanted) return "";
  if (vhosts === undefined) {
    diagnostics.push({
      level: "warning",
      code: "haproxy.rewrite-without-vhost",
      subject: `app:${appId}`,
      message: "HTTP_BACKEND_PROXYPASS_PATH, HTTP_BACKEND_REVPROXY_PATH and HTTP_BACKEND_REDIR need a VHOST to match on; they are ignored",
    });
    return "";
  }
  const exact = vhosts.filter((h) => !h.startsWith("*."));
  const first = exact[0] ?? vhosts[0]!;
  let text = "";
  if (settings.proxypath !== undefined) {
    text += input.templater.render("HTTP_BACKEND_PROXYPASS_GLUE", { hostname: first, proxypath: settings.proxypath, proxypathRegex: regexEscape(settings.proxypath) }, perPort);
  }
  if (settings.revproxypath !== undefined) {
    const alternatives = vhosts.map((h) => (h.startsWith("*.") ? `[^./]+${regexEscape(h.slice(1))}` : regexEscape(h)));
    const hostnameRegex = alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join("|")})`;
    text += input.templater.render("HTTP_BACKEND_REVPROXY_GLUE", { hostname: first, hostnameRegex, rootpath: settings.revproxypath }, perPort);
  }
  if (settings.redirpath !== undefined) {
    text += input.templater.render("HTTP_BACKEND_REDIR", { hostname: (exact.length > 0 ? exact : vhosts).join(" "), redirpath: settings.redirpath }, perPort);
  }
  return text;
}

/** A literal string as a PCRE pattern (label paths and hosts are literals, never regexes). */
function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
