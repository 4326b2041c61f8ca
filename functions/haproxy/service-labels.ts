/**
 * @module
 * `HAPROXY_{n}_*` labels → the settings of service port `n` (`specs/l7.md` §1.2–1.3), and the
 * app-level `HAPROXY_GROUP`. Every label is parsed and checked; the errors come back as a
 * list naming the label, so the caller can leave the app out with one diagnostic per problem
 * instead of rendering half of it. Pure.
 */
import { PER_PORT_TEMPLATE_NAMES, IGNORED_PER_PORT_NAMES, type TemplateName } from "../../lib/render/haproxy/template-catalog.ts";
import { templateProblem } from "../../lib/render/haproxy/template-check.ts";
import {
  controlCharacterProblem,
  parseAuth,
  parseBalance,
  parseBindAddress,
  parseBool,
  parseFilePath,
  parseGroups,
  parseInteger,
  parseMode,
  parseNetworks,
  parsePathPatterns,
  parsePort,
  parseUrlPath,
  parseVhosts,
  type BasicAuth,
  type Parsed,
} from "./label-values.ts";
import { parseBindOptions } from "./bind-options.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** What the labels of one service port ask for; absent members were not set. */
export interface ServiceSettings {
  vhosts?: string[];
  path?: string;
  mode?: "tcp" | "http";
  port?: number;
  bindAddr: string;
  bindOptions?: string;
  sslCert?: string;
  redirectHttpToHttps: boolean;
  useHsts: boolean;
  auth?: BasicAuth;
  sticky: boolean;
  balance: string;
  /** Order of vhost ACL blocks, bigger first (`BACKEND_WEIGHT`; PATH bumps 0 to 1). */
  weight: number;
  enabled: boolean;
  /** `HAPROXY_{n}_GROUP`, which replaces the app's `HAPROXY_GROUP` for this port. */
  groups?: string[];
  networkAllowed?: string[];
  healthcheckPortIndex?: number;
  proxypath?: string;
  revproxypath?: string;
  redirpath?: string;
  /** Per-port template overrides, CRLF normalised to LF. */
  templates: Partial<Record<TemplateName, string>>;
}

export interface ServiceLabelsResult {
  settings: ServiceSettings;
  /** `LABEL: why` for each label that cannot be used. */
  errors: string[];
}

/** Labels read per port and how; the rest of `HAPROXY_{n}_*` are templates or unknown. */
const VALUE_LABELS = [
  "AUTH",
  "BACKEND_HEALTHCHECK_PORT_INDEX",
  "BACKEND_NETWORK_ALLOWED_ACL",
  "BACKEND_WEIGHT",
  "BALANCE",
  "BIND_ADDR",
  "BIND_OPTIONS",
  "ENABLED",
  "GROUP",
  "HTTP_BACKEND_PROXYPASS_PATH",
  "HTTP_BACKEND_REDIR",
  "HTTP_BACKEND_REVPROXY_PATH",
  "MODE",
  "PATH",
  "PORT",
  "REDIRECT_TO_HTTPS",
  "SSL_CERT",
  "STICKY",
  "USE_HSTS",
  "VHOST",
] as const;

/** The `wayfinder.yaml` settings that change how labels read. */
export interface LabelOptions {
  readonly strictMode: boolean;
  readonly mapMode: boolean;
  /** Bind options also go on the vhost's grouped TLS frontend (`groupHttpsByVhost` with the :443 frontend on). */
  readonly groupHttpsByVhost: boolean;
}

/**
 * The settings of service port `index` from an app's labels.
 * @example
 * serviceLabels({ HAPROXY_0_VHOST: "web.example.test", HAPROXY_0_PATH: "/api" }, 0, { strictMode: false, mapMode: false, groupHttpsByVhost: false }).settings
 * // { vhosts: ["web.example.test"], path: "/api", weight: 1, bindAddr: "*", balance: "roundrobin", ... }
 */
export function serviceLabels(labels: Readonly<Record<string, string>>, index: number, options: LabelOptions): ServiceLabelsResult {
  const errors: string[] = [];
  const prefix = `HAPROXY_${index}_`;
  const raw = (name: string): string | undefined => labels[prefix + name];
  const take = <T>(name: string, parse: (v: string) => Parsed<T>): T | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    const control = controlCharacterProblem(value);
    if (control !== undefined) {
      errors.push(`${prefix}${name} ${control}`);
      return undefined;
    }
    const parsed = parse(value);
    if (parsed.error !== undefined) errors.push(`${prefix}${name}: ${parsed.error}`);
    return parsed.value;
  };
  const flag = (name: string): boolean | undefined => take(name, (v) => ({ value: parseBool(v) }));

  const vhosts = take("VHOST", parseVhosts);
  const path = take("PATH", parsePathPatterns);
  const explicitWeight = take("BACKEND_WEIGHT", parseInteger);
  // Wildcard hosts go after exact ones unless the app says otherwise (marathon-lb#188's
  // workaround was BACKEND_WEIGHT=-1 by hand); in map mode after the map line (weight −1).
  const wildcardWeight = options.mapMode ? -2 : -1;
  let weight = explicitWeight ?? (vhosts !== undefined && vhosts.every((h) => h.startsWith("*.")) ? wildcardWeight : 0);
  // Labels apply in name order upstream: BACKEND_WEIGHT before PATH, and PATH lifts 0 to 1.
  if (path !== undefined && weight === 0) weight = 1;

  const settings: ServiceSettings = {
    bindAddr: take("BIND_ADDR", parseBindAddress) ?? "*",
    redirectHttpToHttps: flag("REDIRECT_TO_HTTPS") ?? false,
    useHsts: flag("USE_HSTS") ?? false,
    sticky: flag("STICKY") ?? false,
    balance: take("BALANCE", parseBalance) ?? "roundrobin",
    weight,
    enabled: flag("ENABLED") ?? !options.strictMode,
    templates: {},
  };
  assign(settings, "vhosts", vhosts);
  assign(settings, "path", path);
  assign(settings, "mode", take("MODE", parseMode));
  assign(settings, "port", take("PORT", parsePort));
  const sslCert = take("SSL_CERT", parseFilePath);
  const bindContext = { sslCert: sslCert !== undefined, groupedTls: options.groupHttpsByVhost && vhosts !== undefined };
  assign(settings, "bindOptions", take("BIND_OPTIONS", (v) => parseBindOptions(v, bindContext)));
  assign(settings, "sslCert", sslCert);
  assign(settings, "auth", take("AUTH", parseAuth));
  assign(settings, "groups", take("GROUP", (v) => ({ value: parseGroups(v) })));
  assign(settings, "networkAllowed", take("BACKEND_NETWORK_ALLOWED_ACL", parseNetworks));
  assign(settings, "healthcheckPortIndex", take("BACKEND_HEALTHCHECK_PORT_INDEX", parseInteger));
  assign(settings, "proxypath", take("HTTP_BACKEND_PROXYPASS_PATH", parseUrlPath));
  assign(settings, "revproxypath", take("HTTP_BACKEND_REVPROXY_PATH", parseUrlPath));
  assign(settings, "redirpath", take("HTTP_BACKEND_REDIR", parseUrlPath));

  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if ((VALUE_LABELS as readonly string[]).includes(name) || IGNORED_PER_PORT_NAMES.has(name)) continue;
    if (!PER_PORT_TEMPLATE_NAMES.has(name)) continue; // unknown HAPROXY_{n}_* labels were ignored upstream too
    const text = value.replace(/\r\n/g, "\n");
    const problem = templateProblem(name as TemplateName, text);
    if (problem !== undefined) errors.push(`${key}: ${problem}`);
    else settings.templates[name as TemplateName] = text;
  }
  return { settings, errors: errors.sort(compareStrings) };
}

/**
 * The app's `HAPROXY_GROUP` list (empty when unset).
 * @example appGroups({ HAPROXY_GROUP: "external,internal" }) // ["external", "internal"]
 */
export function appGroups(labels: Readonly<Record<string, string>>): string[] {
  const raw = labels.HAPROXY_GROUP;
  return raw === undefined ? [] : parseGroups(raw);
}

/** Sets an optional member only when there is a value (absent stays absent, never `undefined`). */
function assign<K extends keyof ServiceSettings>(target: ServiceSettings, key: K, value: ServiceSettings[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
