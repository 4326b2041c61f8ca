/**
 * @module
 * Normalisation (marathon-lb `get_apps`, `specs/l7.md` §2): Marathon apps → services, one per
 * app × service port, each with its label settings, its health check and its backend servers.
 * An app with a label that cannot be used is left out whole, with one diagnostic per bad
 * label; every other app is still rendered (marathon-lb#234). Pure.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { MarathonApp } from "../../lib/snapshot/marathon.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import { agentResolver, declaredServicePorts, networkingMode, taskAddress, marathonTaskPorts, type HostResolver, type ResolvableAgent } from "./app-network.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";
import { mergeDeploymentGroups, type SourceApp } from "./deployment-groups.ts";
import { appGroups, serviceLabels, type ServiceSettings } from "./service-labels.ts";
import { ServicePortAssigner } from "./service-port-assigner.ts";
import { backendName } from "./names.ts";
import { slotKey } from "./slots.ts";
import { matchesGroups } from "./groups.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** A Marathon health check with the members marathon-lb reads filled in. */
export interface HealthCheck {
  readonly protocol: string;
  readonly path?: string;
  readonly port?: number;
  readonly portIndex?: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly gracePeriodSeconds: number;
  readonly maxConsecutiveFailures: number;
  /** The check as Marathon sent it, for `{healthCheck[...]}` in templates. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One server behind a service. */
export interface Backend {
  readonly host: string;
  readonly ip: string;
  readonly port: number;
  readonly draining: boolean;
  readonly taskId: string;
}

/** One app × service port, ready to render. */
export interface Service {
  readonly appId: string;
  /** The port the frontend binds: the `PORT` label, else the Marathon service port. */
  readonly servicePort: number;
  readonly settings: ServiceSettings;
  /** `HAPROXY_{n}_GROUP` when set, else the app's `HAPROXY_GROUP`. */
  readonly groups: readonly string[];
  readonly healthCheck?: HealthCheck;
  /** Explicit mode (health check, `MODE` label, health-check port index); else decided at render. */
  readonly mode?: "tcp" | "http";
  /** Sorted by (host, port) as marathon-lb sorts them; one per address. */
  readonly backends: readonly Backend[];
}

export interface ServicesInput {
  apps: readonly MarathonApp[];
  agents: readonly ResolvableAgent[];
  config: HaproxyConfig;
  /** `backend|ip:port` keys served last time: a task whose health results are missing stays if it was serving. */
  previouslyServed: Pick<ReadonlySet<string>, "has">;
  /** Told why an app or task gets no server where no diagnostic says so (`explain`). */
  provenance?: Provenance | undefined;
}

const EXCLUDED_TASK_STATES = new Set([
  "TASK_STAGING",
  "TASK_STARTING",
  "TASK_KILLING",
  "TASK_FINISHED",
  "TASK_FAILED",
  "TASK_KILLED",
  "TASK_ERROR",
  "TASK_DROPPED",
  "TASK_GONE",
  "TASK_GONE_BY_OPERATOR",
  "TASK_UNKNOWN",
]);

const APP_ID = /^(\/[A-Za-z0-9._-]+)+$/;

/**
 * Services of every app that belongs to at least one configured group, in (appId, servicePort)
 * order, each with at least one backend.
 * @example marathonServices({ apps, agents, config, previouslyServed: new Set() }).services[0].appId // "/web"
 */
export function marathonServices(input: ServicesInput): { services: Service[]; diagnostics: Diagnostic[] } {
  const { config } = input;
  const merged = mergeDeploymentGroups(input.apps);
  const diagnostics = [...merged.diagnostics];
  const resolve = agentResolver(input.agents);
  const assigner = config.servicePortRange === null ? undefined : new ServicePortAssigner(config.servicePortRange);
  const services: Service[] = [];
  for (const source of merged.apps) {
    if (config.frameworkName !== undefined && source.id.slice(1) === config.frameworkName) {
      input.provenance?.skipped(`app:${source.id}`, "haproxy", `it is the framework itself (haproxy.frameworkName ${config.frameworkName})`);
      continue;
    }
    services.push(...appServices(source, input, resolve, assigner, diagnostics));
  }
  services.sort((a, b) => compareStrings(a.appId, b.appId) || a.servicePort - b.servicePort);
  return { services, diagnostics };
}

/**
 * The services of one app (or one blue/green group, merged), with at least one backend each.
 * `assigner` gives service ports to an IP-per-task app that declares none; it is shared by
 * every app of a snapshot, visited in id order.
 * @example appServices(source, { config, previouslyServed: new Set() }, resolve, undefined, diagnostics)[0].servicePort // 10000
 */
export function appServices(
  source: SourceApp,
  input: Pick<ServicesInput, "config" | "previouslyServed" | "provenance">,
  resolve: HostResolver,
  assigner: ServicePortAssigner | undefined,
  diagnostics: Diagnostic[],
): Service[] {
  const { app, id } = source;
  const { config } = input;
  const labels = app.labels ?? {};
  const subject = `app:${id}`;
  const mode = networkingMode(app);
  const groups = appGroups(labels);

  let servicePorts: (number | undefined)[] = declaredServicePorts(app, mode);
  if (servicePorts.length === 0 && mode === "container" && assigner !== undefined && source.tasks.length > 0) {
    servicePorts = marathonTaskPorts(app, mode, source.tasks[0]!.task).map((port) => assigner.assign(id, port));
  }

  const parsed = servicePorts.map((_, i) => serviceLabels(labels, i, { strictMode: config.strictMode, mapMode: config.haproxyMap, groupHttpsByVhost: config.groupHttpsByVhost && config.bindHttpHttps }));
  const groupsOf = (settings: ServiceSettings) => (settings.groups !== undefined && settings.groups.length > 0 ? settings.groups : groups);
  const relevant = parsed.some(({ settings }) => matchesGroups(config.groups, groupsOf(settings)));
  if (!relevant) {
    if (input.provenance !== undefined) {
      const asked = [...new Set(parsed.flatMap(({ settings }) => groupsOf(settings)))];
      const configured = config.groups.join(", ");
      const why = asked.length === 0 ? `it has no HAPROXY_GROUP label (LB groups configured: ${configured})` : `its groups (${asked.join(", ")}) are none of the LB groups configured (${configured})`;
      input.provenance.skipped(`app:${id}`, "haproxy", why);
    }
    return [];
  }

  const errors = parsed.flatMap((p) => p.errors);
  if (!APP_ID.test(id)) errors.unshift(`the app id ${JSON.stringify(id)} has characters HAProxy names cannot hold`);
  if (errors.length > 0) {
    for (const error of errors) {
      diagnostics.push({ level: "error", code: "haproxy.invalid-label", subject, message: `${error}; the app is left out of HAProxy` });
    }
    return [];
  }

  const built = servicePorts.map((port, i) => {
    if (port === undefined) {
      diagnostics.push({ level: "warning", code: "haproxy.no-service-port", subject, message: `no service port is left in servicePortRange for port index ${i}; that port is skipped` });
      return undefined;
    }
    const { settings } = parsed[i]!;
    const servicePort = settings.port ?? port;
    return { servicePort, settings, groups: groupsOf(settings), ...healthAndMode(app, i, settings), backends: [] as Backend[] };
  });

  const checked = config.healthCheck && (app.healthChecks ?? []).length > 0;
  const skip = (taskId: string, reason: string) => input.provenance?.skipped(`task:${taskId}`, "haproxy", reason);
  for (const { task, draining } of source.tasks) {
    if (task.host === undefined || task.host === "") {
      skip(task.id, "Marathon reports no host for it yet"); // Marathon 0.7.6 workaround
      continue;
    }
    if (task.state !== undefined && EXCLUDED_TASK_STATES.has(task.state)) {
      skip(task.id, `${task.state}: Marathon-LB serves only running tasks`);
      continue;
    }
    const ip = taskAddress(mode, task, resolve);
    if (ip === undefined) {
      diagnostics.push({
        level: "warning",
        code: "haproxy.unresolved-host",
        subject: `task:${task.id}`,
        message: mode === "container" ? "the IP-per-task task has no IP address yet; it is not a backend" : `host ${JSON.stringify(task.host)} is neither an agent in the snapshot nor an IP address; the task is not a backend`,
      });
      continue;
    }
    const ports = marathonTaskPorts(app, mode, task);
    const pairs = ports.slice(0, built.length).flatMap((port, i) => (built[i] === undefined ? [] : [{ service: built[i], port }]));
    if (checked) {
      const results = task.healthCheckResults;
      const alive =
        results !== undefined
          ? results.some((r) => r.alive === true)
          : pairs.some(({ service, port }) => input.previouslyServed.has(`${backendName(id, service.servicePort)}|${slotKey({ ip, port })}`));
      if (!alive) {
        skip(task.id, results === undefined ? "no Marathon health result yet, and it was not serving before" : "its Marathon health checks report it not alive");
        continue;
      }
    }
    for (const { service, port } of pairs) service.backends.push({ host: task.host, ip, port, draining, taskId: task.id });
  }

  return built.flatMap((service) => {
    if (service === undefined || service.backends.length === 0) return [];
    return [{ appId: id, ...service, backends: uniqueBackends(service.backends) }];
  });
}

/**
 * marathon-lb's `get_health_check` (the first check with a `port`, or with this `portIndex`)
 * and the mode it implies, then the `MODE` label, then `BACKEND_HEALTHCHECK_PORT_INDEX`.
 */
function healthAndMode(app: MarathonApp, index: number, settings: ServiceSettings): { healthCheck?: HealthCheck; mode?: "tcp" | "http" } {
  let healthCheck = healthCheckFor(app, index);
  let mode: "tcp" | "http" | undefined = healthCheck?.protocol === "HTTP" ? "http" : undefined;
  if (settings.mode !== undefined) mode = settings.mode;
  if (healthCheck === undefined && settings.healthcheckPortIndex !== undefined) {
    healthCheck = healthCheckFor(app, settings.healthcheckPortIndex);
    if (healthCheck !== undefined && ["HTTP", "HTTPS", "MESOS_HTTP", "MESOS_HTTPS"].includes(healthCheck.protocol)) mode = "http";
  }
  return { ...(healthCheck === undefined ? {} : { healthCheck }), ...(mode === undefined ? {} : { mode }) };
}

function healthCheckFor(app: MarathonApp, index: number): HealthCheck | undefined {
  const check = (app.healthChecks ?? []).find((c) => (c.port !== undefined && c.port !== 0) || c.portIndex === index);
  if (check === undefined) return undefined;
  // Marathon always fills these in; its defaults stand in when a hand-written snapshot does not.
  return {
    protocol: check.protocol ?? "HTTP",
    ...(check.path === undefined ? {} : { path: check.path }),
    ...(check.port === undefined ? {} : { port: check.port }),
    ...(check.portIndex === undefined ? {} : { portIndex: check.portIndex }),
    intervalSeconds: check.intervalSeconds ?? 60,
    timeoutSeconds: check.timeoutSeconds ?? 20,
    gracePeriodSeconds: check.gracePeriodSeconds ?? 300,
    maxConsecutiveFailures: check.maxConsecutiveFailures ?? 3,
    raw: check,
  };
}

/** Sorted by (host, port), one per address: two tasks on one address would be one server twice. */
function uniqueBackends(backends: Backend[]): Backend[] {
  const sorted = [...backends].sort((a, b) => compareStrings(a.host, b.host) || a.port - b.port || compareStrings(a.taskId, b.taskId));
  const seen = new Set<string>();
  return sorted.filter((b) => {
    const key = `${b.ip}|${b.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
