/**
 * @module
 * The desired HAProxy data (`lib/render/haproxy/model.ts`) of normalised services: per service
 * its names, mode, vhost ACL facts, app-id route, rewrites, health check and servers; per LB
 * group its enabled members and the settings of its head and shared frontends. A service's
 * model does not depend on the group, so every group it is in can share it.
 */
import type { HaproxyGroupModel, Rewrites, ServiceModel } from "../../lib/render/haproxy/model.ts";
import { endpointsScriptPath, groupFileStem } from "../../lib/render/haproxy/group-files.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import { portsOfGroup } from "../../lib/snapshot/haproxy-config.ts";
import type { Service } from "./services.ts";
import type { BackendSlots } from "./slots.ts";
import { aclStem, backendName, cleanedUpAppId } from "./names.ts";
import { matchesGroups } from "./groups.ts";
import { healthModel } from "./health-check.ts";
import { serverModels } from "./servers.ts";
import { vhostAclSteps } from "./vhost-acls.ts";

export interface ServiceModelInput {
  readonly service: Service;
  /** Every service of the same app, in (appId, servicePort) order. */
  readonly siblings: readonly Service[];
  readonly slots: BackendSlots;
  readonly config: Pick<HaproxyConfig, "bindHttpHttps" | "haproxyMap" | "serverNaming">;
}

/**
 * @example serviceModel({ service, siblings: [service], slots, config }).backend // "web_10000"
 */
export function serviceModel(input: ServiceModelInput): ServiceModel {
  const { service, config } = input;
  const { appId, settings } = service;
  const vhosts = settings.vhosts;
  const mode = service.mode ?? (vhosts !== undefined ? "http" : "tcp");
  const { rewrites, notes } = mode === "http" ? rewritesOf(service) : { rewrites: {}, notes: [] };
  const health = healthModel(service, mode, input.siblings);
  return {
    appId,
    backend: backendName(appId, service.servicePort),
    servicePort: service.servicePort,
    mode,
    bindAddr: settings.bindAddr,
    ...(settings.sslCert === undefined ? {} : { sslCert: settings.sslCert }),
    ...(settings.bindOptions === undefined ? {} : { bindOptions: settings.bindOptions }),
    balance: settings.balance,
    ...(settings.auth === undefined ? {} : { auth: { user: settings.auth.user, passwd: settings.auth.passwd } }),
    useHsts: settings.useHsts,
    ...(settings.networkAllowed === undefined ? {} : { networkAllowed: settings.networkAllowed }),
    sticky: settings.sticky,
    templates: settings.templates,
    ...(config.bindHttpHttps && vhosts !== undefined
      ? {
          vhost: {
            stem: aclStem(vhosts[0]!, appId),
            vhosts,
            ...(settings.path === undefined ? {} : { path: settings.path }),
            ...(settings.auth === undefined ? {} : { realm: settings.auth.realm }),
            weight: settings.weight,
            steps: vhostAclSteps({ vhosts, path: settings.path !== undefined, auth: settings.auth !== undefined, redirect: settings.redirectHttpToHttps, mapMode: config.haproxyMap }),
          },
        }
      : {}),
    ...(mode === "http" ? { appIdRoute: { stem: cleanedUpAppId(appId), ...(vhosts === undefined ? {} : { hostname: vhosts.join(",") }) } } : {}),
    rewrites,
    ...(health === undefined ? {} : { health }),
    servers: serverModels({ service, siblings: input.siblings, naming: config.serverNaming, slots: input.slots }),
    notes,
  };
}

/**
 * PROXYPASS, REVPROXY and REDIR match on the app's host names; marathon-lb rendered `Host None`
 * without a VHOST, so here they need one and are skipped with a warning. They match the first
 * exact host (wildcards only when there is no other).
 */
function rewritesOf(service: Service): { rewrites: Rewrites; notes: Diagnostic[] } {
  const { settings, appId } = service;
  const { vhosts, proxypath, revproxypath, redirpath } = settings;
  if (proxypath === undefined && revproxypath === undefined && redirpath === undefined) return { rewrites: {}, notes: [] };
  if (vhosts === undefined) {
    const message = "HTTP_BACKEND_PROXYPASS_PATH, HTTP_BACKEND_REVPROXY_PATH and HTTP_BACKEND_REDIR need a VHOST to match on; they are ignored";
    return { rewrites: {}, notes: [{ level: "warning", code: "haproxy.rewrite-without-vhost", subject: `app:${appId}`, message }] };
  }
  const exact = vhosts.filter((h) => !h.startsWith("*."));
  const first = exact[0] ?? vhosts[0]!;
  const rewrites: Rewrites = {
    ...(proxypath === undefined ? {} : { proxyPass: { host: first, path: proxypath } }),
    ...(revproxypath === undefined ? {} : { reverseProxy: { host: first, hosts: vhosts, rootPath: revproxypath } }),
    ...(redirpath === undefined ? {} : { redirect: { hosts: exact.length > 0 ? exact : vhosts, path: redirpath } }),
  };
  return { rewrites, notes: [] };
}

export interface GroupModelInput {
  readonly group: string;
  /** Every normalised service, in (appId, servicePort) order. */
  readonly services: readonly Service[];
  readonly modelOf: (service: Service) => ServiceModel;
  readonly config: HaproxyConfig;
}

/**
 * @example groupModel({ group: "external", services, modelOf, config }).services.map((s) => s.backend) // ["web_10000"]
 */
export function groupModel(input: GroupModelInput): HaproxyGroupModel {
  const { group, config } = input;
  const members = input.services.filter((s) => matchesGroups([group], s.groups) && s.settings.enabled);
  const stem = groupFileStem(group);
  const ports = portsOfGroup(config, group);
  return {
    group,
    head: {
      defaultOptions: config.globalDefaultOptions,
      statsSocket: `${config.runtimeDir}/${stem}.sock`,
      statsBindAddress: config.statsBindAddress,
      statsPort: ports.statsPort,
      hardStopAfter: config.hardStopAfter,
      maxReloads: config.maxReloads,
      maxconn: config.maxconn,
      endpointsScript: endpointsScriptPath(group),
    },
    frontends: {
      bindHttpHttps: config.bindHttpHttps,
      bindAddress: config.bindAddress,
      httpPort: ports.httpPort,
      httpsPort: ports.httpsPort,
      appIdPort: ports.appIdPort,
      sslCerts: config.sslCerts,
      groupHttpsByVhost: config.groupHttpsByVhost,
    },
    mapMode: config.haproxyMap,
    mapFallThrough: config.haproxyMap && members.some((s) => s.settings.vhosts?.some((h) => h.startsWith("*.")) === true),
    haproxyDir: config.mapDir ?? stem,
    templates: config.templates,
    services: members.map(input.modelOf),
  };
}
