/**
 * @module
 * Small builders for HAProxy reconciler tests: Marathon apps from a few fields, a snapshot
 * around them, and the lines of one config section.
 */
import { haproxyGroups } from "../../../functions/haproxy/index.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { ConfigInput } from "../../../lib/snapshot/config.ts";

/** Marathon's HTTP health check with (interval, timeout, maxConsecutiveFailures): the spec's HC(i,t,f). */
export function hc(interval: number, timeout: number, failures: number, extra: Record<string, unknown> = {}) {
  return { protocol: "HTTP", path: "/", portIndex: 0, intervalSeconds: interval, timeoutSeconds: timeout, maxConsecutiveFailures: failures, gracePeriodSeconds: 10, ...extra };
}

export interface AppSpec {
  id: string;
  /** Service ports (portDefinitions). */
  ports?: number[];
  labels?: Record<string, string>;
  /** [host, task ports] per task. */
  tasks?: [string, number[]][];
  healthChecks?: unknown[];
  extra?: Record<string, unknown>;
}

/** A host-networked Marathon app, group `external` unless the labels say otherwise. */
export function app(spec: AppSpec): Record<string, unknown> {
  return {
    id: spec.id,
    labels: { HAPROXY_GROUP: "external", ...spec.labels },
    portDefinitions: (spec.ports ?? [10000]).map((port) => ({ port })),
    tasks: (spec.tasks ?? [["agent1", [1024]]]).map(([host, ports], i) => ({ id: `${spec.id.slice(1).replaceAll("/", "_")}.t${i}`, host, ports, state: "TASK_RUNNING" })),
    ...(spec.healthChecks === undefined ? {} : { healthChecks: spec.healthChecks }),
    ...spec.extra,
  };
}

export type HaproxyInput = NonNullable<ConfigInput["haproxy"]>;

/** marathon-lb's test conventions: group external, no task health filtering, marathon-lb server names, maps under /etc/haproxy. */
export const MARATHON_LB_OPTIONS: HaproxyInput = { groups: ["external"], healthCheck: false, serverNaming: "marathon-lb", mapDir: "/etc/haproxy" };

export function snapshotOf(apps: unknown[], haproxy: HaproxyInput = {}, agents: Record<string, string> = { agent1: "1.1.1.1" }, previous: Record<string, unknown> = {}) {
  return ClusterSnapshot.parse({
    cluster: { name: "test" },
    now: "2026-01-01T00:00:00Z",
    agents: Object.entries(agents).map(([hostname, ip], i) => ({ id: `S${i}`, hostname, ips: [ip] })),
    marathonApps: apps,
    config: { haproxy },
    previous,
  });
}

/** Renders `apps` with marathon-lb's conventions plus `haproxy`; returns the `external` group. */
export function render(apps: unknown[], haproxy: HaproxyInput = {}, agents?: Record<string, string>) {
  const result = haproxyGroups(snapshotOf(apps, { ...MARATHON_LB_OPTIONS, ...haproxy }, agents));
  const group = (haproxy.groups ?? MARATHON_LB_OPTIONS.groups)![0]!;
  return { cfg: result.groups[group]!.config, maps: result.groups[group]!.maps, diagnostics: result.diagnostics, result };
}

/**
 * The lines of the section that starts with `header` (`frontend marathon_http_in`), without
 * the header, up to the blank line that ends it.
 */
export function section(cfg: string, header: string): string[] {
  const lines = cfg.split("\n");
  const start = lines.indexOf(header);
  if (start < 0) throw new Error(`no section ${JSON.stringify(header)} in:\n${cfg}`);
  const end = lines.findIndex((l, i) => i > start && (l === "" || /^(frontend|backend|listen|userlist|global|defaults) /.test(l)));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The first lines of a section as the three standard frontend heads render them. */
export const HEADS = {
  http: ["  bind *:80", "  mode http"],
  appid: ["  bind *:9091", "  mode http"],
  https: ["  bind *:443 ssl crt /etc/ssl/cert.pem", "  mode http"],
};
