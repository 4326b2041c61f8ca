/**
 * @module
 * The desired HAProxy configuration of one LB group as plain data: what `functions/haproxy/`
 * decides (which services, their frontends, backends and servers, the vhost ACL facts, every
 * name) and `render-group.ts` turns into `haproxy.cfg` text through the templates. Nothing here
 * is text HAProxy reads: addresses are bare, regexes and option lines are made by the renderer.
 */
import type { Diagnostic } from "../../desired/schema.ts";
import type { TemplateName } from "./template-catalog.ts";

/** Template overrides by name: `wayfinder.yaml` `haproxy.templates`, or an app's `HAPROXY_{n}_<NAME>` labels. */
export type TemplateOverrides = Readonly<Partial<Record<TemplateName, string>>>;

export type ProxyMode = "tcp" | "http";

/** One LB group's config. */
export interface HaproxyGroupModel {
  /** The group as configured (`*` included). */
  readonly group: string;
  readonly head: HeadModel;
  readonly frontends: SharedFrontends;
  /** Plain vhosts are routed through map files (`--haproxy-map`). */
  readonly mapMode: boolean;
  /** The group has wildcard vhosts, routed by ACLs after the map line: the map line must let unknown hosts through. */
  readonly mapFallThrough: boolean;
  /** Where the config names its map files: `mapDir`, else the group's file stem (relative). */
  readonly haproxyDir: string;
  /** The operator's template overrides. */
  readonly templates: TemplateOverrides;
  /** The group's enabled services in (appId, servicePort) order; the renderer leaves out the ones it cannot render. */
  readonly services: readonly ServiceModel[];
}

/** What the `HEAD` template (global, defaults and the stats listener) is filled with. */
export interface HeadModel {
  /** `option` names of the defaults section. */
  readonly defaultOptions: readonly string[];
  readonly statsSocket: string;
  readonly statsBindAddress: string;
  readonly statsPort: number;
  readonly hardStopAfter: string;
  readonly maxReloads: number;
  /** `auto`: no `maxconn` line, HAProxy derives it from its open-file limit. */
  readonly maxconn: number | "auto";
  /** The Lua script serving marathon-lb's endpoints, relative to HAProxy's working directory. */
  readonly endpointsScript: string;
}

/** The frontends every service shares: :80 and :443 by vhost, :9091 by app id. */
export interface SharedFrontends {
  /** Render the :80 and :443 frontends (marathon-lb's `--dont-bind-http-https` turns it off). */
  readonly bindHttpHttps: boolean;
  readonly bindAddress: string;
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly appIdPort: number;
  /** Certificates of the :443 frontend, and of a grouped vhost without certificates of its own. */
  readonly sslCerts: readonly string[];
  /** :443 is an SNI-routing TCP frontend in front of one TLS frontend per vhost (`--group-https-by-vhost`). */
  readonly groupHttpsByVhost: boolean;
}

/** One app × service port: its own frontend and backend, and what it adds to the shared frontends. */
export interface ServiceModel {
  readonly appId: string;
  /** The name of its frontend, backend, userlist and path ACL. */
  readonly backend: string;
  /** The port its frontend binds. */
  readonly servicePort: number;
  readonly mode: ProxyMode;
  /** `*` or an IP address. */
  readonly bindAddr: string;
  readonly sslCert?: string;
  readonly bindOptions?: string;
  readonly balance: string;
  readonly auth?: { readonly user: string; readonly passwd: string };
  readonly useHsts: boolean;
  readonly networkAllowed?: readonly string[];
  readonly sticky: boolean;
  /** The app's per-port overrides. */
  readonly templates: TemplateOverrides;
  /** Its ACLs on the :80/:443 frontends; absent without a vhost or when those frontends are off. */
  readonly vhost?: VhostRouting;
  /** Its `X-Marathon-App-Id` route on :9091; http services only, once per app id. */
  readonly appIdRoute?: AppIdRoute;
  readonly rewrites: Rewrites;
  readonly health?: HealthModel;
  readonly servers: readonly ServerModel[];
  /** Warnings about the service, reported with it where it is rendered. */
  readonly notes: readonly Diagnostic[];
}

/** The vhost ACL facts of one service (marathon-lb's `generateHttpVhostAcl` decisions). */
export interface VhostRouting {
  /** `cleanedUpHostname`: the stem of its `host_`/`auth_` ACLs. */
  readonly stem: string;
  readonly vhosts: readonly string[];
  readonly path?: string;
  readonly realm?: string;
  /** Order of its blocks on the shared frontends, bigger first. */
  readonly weight: number;
  /** Its ACL lines in the order marathon-lb writes them; the order is routing behaviour. */
  readonly steps: readonly AclStep[];
}

/** One ACL template written to the :80 or :443 frontend, and to grouped TLS frontends. */
export interface AclStep {
  readonly frontend: "http" | "https";
  readonly line: AclLine;
  /** Vhosts whose grouped TLS frontend gets the line too (`groupHttpsByVhost`). */
  readonly grouped?: readonly string[];
}

/**
 * - `acl`: a vhost template filled for `host`;
 * - `redirect`: the redirect-to-https template;
 * - `map`: the one line of its `kind` that routes every plain vhost through the domain map;
 *   only the first service to reach it writes it (and its blocks sink to weight −1), every
 *   one adds `host → backend` to the map.
 */
export type AclLine =
  | { readonly kind: "acl"; readonly template: TemplateName; readonly host: string }
  | { readonly kind: "redirect"; readonly template: TemplateName }
  | { readonly kind: "map"; readonly map: "http" | "https"; readonly template: TemplateName; readonly host: string };

export interface AppIdRoute {
  /** `cleanedUpAppId`: the stem of its `app_` ACL. */
  readonly stem: string;
  /** The vhosts, comma-joined (`{hostname}` of the template), if any. */
  readonly hostname?: string;
}

/** The `HTTP_BACKEND_*` rewrites; each names the host(s) it matches. */
export interface Rewrites {
  readonly proxyPass?: { readonly host: string; readonly path: string };
  readonly reverseProxy?: { readonly host: string; readonly hosts: readonly string[]; readonly rootPath: string };
  readonly redirect?: { readonly hosts: readonly string[]; readonly path: string };
}

/** A Marathon health check as HAProxy checks it. */
export interface HealthModel {
  /** Which template pair checks it. */
  readonly family: ProxyMode;
  readonly protocol: string;
  readonly path?: string;
  readonly portIndex?: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly maxConsecutiveFailures: number;
  /** `{healthCheckPort}` of the backend-level options: the first server's port, or its port-index sibling's. */
  readonly backendPort?: number;
  /** The check as Marathon sent it, for `{healthCheck[...]}`. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One `server` line. */
export interface ServerModel {
  readonly name: string;
  readonly id: number;
  /** The task's host as Marathon names it (`{host}`). */
  readonly host: string;
  readonly ip: string;
  readonly port: number;
  /** Draining, or a free slot. */
  readonly disabled: boolean;
  /** The sticky-session cookie value, for sticky services. */
  readonly cookie?: string;
  /** The port it is health-checked on, when not its own. */
  readonly checkPort?: number;
}
