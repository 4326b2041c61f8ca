/**
 * @module
 * Everything one service adds to a config (`specs/l7.md` §5.3): its userlist, its own frontend
 * and backend sections, its vhost ACL blocks for :80/:443 and its app-id ACL for :9091. The
 * result is a value; the group renderer appends it only if the whole service rendered, so a
 * template that fails halfway leaves no half-written service behind.
 */
import { addressForPort } from "../../net/ip-literal.ts";
import type { Templater } from "./templater.ts";
import type { Rewrites, ServiceModel } from "./model.ts";
import { regexEscape } from "./host-match.ts";
import { serverLines } from "./server-lines.ts";
import { vhostText, type VhostContext, type VhostText } from "./vhost-text.ts";

export interface ServiceText {
  userlist: string;
  frontend: string;
  backend: string;
  /** Present when the service has vhost ACLs on :80/:443. */
  vhost?: VhostText;
  appIdAcl: string;
}

export interface ServiceTextContext extends VhostContext {
  readonly mapMode: boolean;
}

/**
 * @example serviceText(service, context).frontend
 * // "\nfrontend web_10000\n  bind *:10000\n  mode http\n  use_backend web_10000\n"
 */
export function serviceText(service: ServiceModel, context: ServiceTextContext): ServiceText {
  const { templater, state } = context;
  const { appId, backend, mode, templates: perPort } = service;
  const out: ServiceText = { userlist: "", frontend: "", backend: "", appIdAcl: "" };

  if (service.auth !== undefined) {
    out.userlist = templater.render("USERLIST_HEAD", { backend, user: service.auth.user, passwd: service.auth.passwd }, perPort);
  }
  out.frontend = templater.render(
    "FRONTEND_HEAD",
    {
      bindAddr: addressForPort(service.bindAddr),
      backend,
      servicePort: service.servicePort,
      mode,
      sslCert: service.sslCert !== undefined ? ` ssl crt ${service.sslCert}` : "",
      bindOptions: service.bindOptions !== undefined ? ` ${service.bindOptions}` : "",
    },
    perPort,
  );
  let backendText = templater.render("BACKEND_HEAD", { backend, balance: service.balance, mode }, perPort);

  if (service.vhost !== undefined) out.vhost = vhostText(service, service.vhost, context);

  const route = service.appIdRoute;
  if (route !== undefined && !state.appIdsSeen.has(appId)) {
    state.appIdsSeen.add(appId);
    if (context.mapMode) {
      if (!state.written.has("appid")) {
        state.written.add("appid");
        out.appIdAcl = templater.render("MAP_HTTP_FRONTEND_APPID_ACL", { haproxy_dir: context.haproxyDir });
      }
      state.appEntries.push([appId, backend]); // once per app id: appIdsSeen guards it
    } else {
      out.appIdAcl = templater.render("HTTP_FRONTEND_APPID_ACL", { cleanedUpAppId: route.stem, hostname: route.hostname, appId, backend }, perPort);
    }
  }

  if (mode === "http") {
    if (service.useHsts) backendText += templater.render("BACKEND_HSTS_OPTIONS", {}, perPort);
    backendText += templater.render("BACKEND_HTTP_OPTIONS", {}, perPort);
    backendText += rewriteText(service.rewrites, templater, service);
  }

  if (service.networkAllowed !== undefined) {
    const tcp = mode === "tcp";
    for (const network of service.networkAllowed) {
      backendText += templater.render(tcp ? "TCP_BACKEND_NETWORK_ALLOWED_ACL" : "HTTP_BACKEND_NETWORK_ALLOWED_ACL", { network_allowed: network }, perPort);
    }
    backendText += templater.render(tcp ? "TCP_BACKEND_ACL_ALLOW_DENY" : "HTTP_BACKEND_ACL_ALLOW_DENY", {});
  }
  if (service.sticky) backendText += templater.render("BACKEND_STICKY_OPTIONS", {}, perPort);

  out.frontend += templater.render("FRONTEND_BACKEND_GLUE", { backend }, perPort);
  out.backend = backendText + serverLines(service, templater);
  return out;
}

/** PROXYPASS, REVPROXY and REDIR blocks; hosts and paths are literals, escaped where a regex holds them. */
function rewriteText(rewrites: Rewrites, templater: Templater, service: ServiceModel): string {
  const perPort = service.templates;
  let text = "";
  if (rewrites.proxyPass !== undefined) {
    const { host, path } = rewrites.proxyPass;
    text += templater.render("HTTP_BACKEND_PROXYPASS_GLUE", { hostname: host, proxypath: path, proxypathRegex: regexEscape(path) }, perPort);
  }
  if (rewrites.reverseProxy !== undefined) {
    const { host, hosts, rootPath } = rewrites.reverseProxy;
    const alternatives = hosts.map((h) => (h.startsWith("*.") ? `[^./]+${regexEscape(h.slice(1))}` : regexEscape(h)));
    const hostnameRegex = alternatives.length === 1 ? alternatives[0]! : `(${alternatives.join("|")})`;
    text += templater.render("HTTP_BACKEND_REVPROXY_GLUE", { hostname: host, hostnameRegex, rootpath: rootPath }, perPort);
  }
  if (rewrites.redirect !== undefined) {
    text += templater.render("HTTP_BACKEND_REDIR", { hostname: rewrites.redirect.hosts.join(" "), redirpath: rewrites.redirect.path }, perPort);
  }
  return text;
}
