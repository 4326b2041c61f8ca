/**
 * @module
 * The `haproxy` section of `wayfinder.yaml`: marathon-lb's command-line flags and template
 * overrides, with marathon-lb's (DC/OS package) defaults. Everything here ends up in HAProxy
 * configs, so values are checked as strictly as labels are: a path with a space, a template
 * with an unknown placeholder or a control character is a config error at the edge, with its
 * path, instead of a broken config on every node.
 */
import { z } from "zod";
import { isValidIp } from "../net/ip-literal.ts";
import { TEMPLATE_NAMES, type TemplateName } from "../render/haproxy/template-catalog.ts";
import { templateProblem } from "../render/haproxy/template-check.ts";
import { compileTemplate, TemplateError } from "../render/haproxy/template-format.ts";
import { GroupPlacement, GroupPorts, SHARED_PORT_KEYS, type SharedPortKey } from "./haproxy-placement-config.ts";

/** A word HAProxy reads as one token: no whitespace, quotes, backslash or `#` (a comment). */
const TOKEN = /^[^\s"'\\#]+$/;

const Port = z.number().int().min(1).max(65535);
const Token = (what: string) => z.string().regex(TOKEN, `${what} must be one word without quotes, backslashes or '#'`);
const AbsolutePath = (what: string) => Token(what).refine((p) => p.startsWith("/"), `${what} must be an absolute path`);
const BindAddress = z
  .string()
  .refine((a) => a === "*" || isValidIp(a), "a bind address is '*' or an IPv4/IPv6 address");

/** `*` (every app) or a group name; `_`-prefixed names are reserved for file names (`*` → `_all`). */
const GroupName = z
  .string()
  .refine((g) => g === "*" || /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(g), "a group is '*' or letters, digits, '_', '.', '-' (not starting with '_', '.' or '-')");

const Template = z.string().transform((text) => text.replace(/\r\n/g, "\n"));

/**
 * The certificate of the :443 frontend unless configured otherwise (marathon-lb's). Where a
 * node does not have it, the HAProxy applier serves a self-signed one it makes itself.
 */
export const DEFAULT_SSL_CERT = "/etc/ssl/cert.pem";

export const HaproxyConfig = z
  .object({
    /** LB groups, one HAProxy config each; `*` takes every app whatever its group (marathon-lb `--group`). */
    groups: z
      .array(GroupName)
      .min(1)
      .refine((l) => new Set(l).size === l.length, "groups must not repeat")
      .default(["external"]),
    /**
     * Which agents run each group (`haproxy-placement-config.ts`); a group left out runs where
     * marathon-lb's did: `internal` on private agents, any other on public agents.
     */
    placement: z.record(z.string(), GroupPlacement).default({}),
    /** A group's own ports, so that two groups can run on one agent without sharing a port. */
    groupPorts: z.record(z.string(), GroupPorts).default({}),
    /** Address of the shared :80/:443/:9091 frontends. */
    bindAddress: BindAddress.default("*"),
    httpPort: Port.default(80),
    httpsPort: Port.default(443),
    /** The `X-Marathon-App-Id` frontend. */
    appIdPort: Port.default(9091),
    statsBindAddress: BindAddress.default("0.0.0.0"),
    statsPort: Port.default(9090),
    /** Render the :80 and :443 vhost frontends (marathon-lb `--dont-bind-http-https` turns it off). */
    bindHttpHttps: z.boolean().default(true),
    /** Certificates of the :443 frontend (marathon-lb `--ssl-certs`). */
    sslCerts: z.array(AbsolutePath("a certificate")).min(1).default([DEFAULT_SSL_CERT]),
    /** Route plain vhosts through map files instead of one ACL each (`--haproxy-map`). */
    haproxyMap: z.boolean().default(false),
    /** Terminate TLS per vhost behind an SNI-routing TCP frontend (`--group-https-by-vhost`). */
    groupHttpsByVhost: z.boolean().default(false),
    /** Only apps with `HAPROXY_{n}_ENABLED=true` are rendered (`--strict-mode`). */
    strictMode: z.boolean().default(false),
    /** Leave out tasks whose Marathon health checks fail (`--health-check`, on in the DC/OS package). */
    healthCheck: z.boolean().default(true),
    /** Service ports auto-assigned to IP-per-task apps without any (`--min/--max-serv-port-ip-per-task`). */
    servicePortRange: z
      .object({ min: Port, max: Port })
      .refine((r) => r.min <= r.max, "servicePortRange.min must not exceed max")
      .nullable()
      .default({ min: 10050, max: 10100 }),
    /** marathon-lb's own app id without the `/` (env `FRAMEWORK_NAME`): that app is never balanced. */
    frameworkName: z.string().optional(),
    /** `option` lines of the defaults section (env `HAPROXY_GLOBAL_DEFAULT_OPTIONS`). */
    globalDefaultOptions: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*$/, "an option name is lowercase letters, digits and '-'"))
      .default(["redispatch", "http-server-close", "dontlognull"]),
    /** Global template overrides by name (env or file `HAPROXY_<NAME>`). */
    templates: z.partialRecord(z.enum(TEMPLATE_NAMES as [TemplateName, ...TemplateName[]]), Template).default({}),
    /**
     * Absolute directory the configs name their map files in (`<mapDir>/domain2backend.map`).
     * Default: `<group>/` relative to HAProxy's working directory, where the applier puts them.
     */
    mapDir: AbsolutePath("mapDir").optional(),
    /** Where each group's stats socket lives (`<runtimeDir>/<group>.sock`). */
    runtimeDir: AbsolutePath("runtimeDir").default("/run/wayfinder/haproxy"),
    /** Old workers are killed this long after a reload (`hard-stop-after`), so they never pile up. */
    hardStopAfter: z.string().regex(/^\d+(us|ms|s|m|h|d)?$/, "a HAProxy duration like 30s or 5m").default("5m"),
    /**
     * The global connection limit. `auto` (the default) leaves it to HAProxy, which derives it
     * from the open-file limit it is started with (each connection needs two descriptors), so
     * the defaults start on any node; marathon-lb's fixed 50000 needs a limit above 100,000.
     */
    maxconn: z.union([z.literal("auto"), z.number().int().min(1)]).default("auto"),
    /** A worker that survived this many reloads is stopped (`mworker-max-reloads`). */
    maxReloads: z.number().int().min(1).max(1000).default(5),
    /**
     * `slots`: each backend gets stable server slots (`slot1`..`slotN`, spares disabled), so
     * scaling and task replacement change only addresses, applied through the Runtime API
     * without a reload. `marathon-lb`: marathon-lb's `host_ip_port` server names and hashed ids.
     */
    serverNaming: z.enum(["slots", "marathon-lb"]).default("slots"),
    /** The fewest slots a backend gets; sizes grow by powers of two. */
    minSlots: z.number().int().min(1).max(1024).default(4),
  })
  .strict()
  .superRefine((config, ctx) => {
    portIssues(config, [], ctx);
    for (const section of ["placement", "groupPorts"] as const) {
      for (const group of Object.keys(config[section])) {
        if (!config.groups.includes(group)) ctx.addIssue({ code: "custom", path: [section, group], message: `${group} is not one of haproxy.groups (${config.groups.join(", ")})` });
      }
    }
    for (const [group, own] of Object.entries(config.groupPorts)) if (config.groups.includes(group)) portIssues(portsOfGroup(config, group), ["groupPorts", group], ctx, own);
    for (const [name, text] of Object.entries(config.templates) as [TemplateName, string][]) {
      const problem = templateProblem(name, text);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["templates", name], message: problem });
    }
    if (config.maxconn === "auto" && config.templates.HEAD !== undefined && readsPlaceholder(config.templates.HEAD, "maxconn")) {
      ctx.addIssue({ code: "custom", path: ["templates", "HEAD"], message: "uses {maxconn}, but maxconn is auto (HAProxy derives it); use {globalMaxconn}, which writes the line only when maxconn is a number, or set maxconn" });
    }
  });
export type HaproxyConfig = z.infer<typeof HaproxyConfig>;

/**
 * The ports a group's shared frontends and stats listener bind: its own (`groupPorts`), else the shared ones.
 * @example portsOfGroup(config, "internal") // { httpPort: 8080, httpsPort: 443, appIdPort: 9091, statsPort: 9190 }
 */
export function portsOfGroup(config: Pick<HaproxyConfig, SharedPortKey | "groupPorts">, group: string): Record<SharedPortKey, number> {
  const own = config.groupPorts[group] ?? {};
  return { httpPort: own.httpPort ?? config.httpPort, httpsPort: own.httpsPort ?? config.httpsPort, appIdPort: own.appIdPort ?? config.appIdPort, statsPort: own.statsPort ?? config.statsPort };
}

/** Two shared frontends of one group on one port; reported at the group's own key where it set one. */
function portIssues(ports: Record<SharedPortKey, number>, path: string[], ctx: z.RefinementCtx, own?: GroupPorts): void {
  const seen = new Map<number, string>();
  for (const key of SHARED_PORT_KEYS) {
    const value = ports[key];
    const other = seen.get(value);
    if (other === undefined) seen.set(value, key);
    else if (own === undefined || own[key] !== undefined || own[other as SharedPortKey] !== undefined) {
      ctx.addIssue({ code: "custom", path: [...path, key], message: `${key} ${value} is also ${other}; each shared frontend needs its own port` });
    }
  }
}

/** Whether a template that compiles reads `{name}` (one that does not is reported on its own). */
function readsPlaceholder(text: string, name: string): boolean {
  try {
    return compileTemplate(text).names.includes(name);
  } catch (error) {
    if (error instanceof TemplateError) return false;
    throw error;
  }
}
