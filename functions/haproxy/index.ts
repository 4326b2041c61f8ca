/**
 * @module
 * The layer-7 reconciler: a snapshot's Marathon apps → one HAProxy config per configured LB
 * group (Marathon-LB on current HAProxy, `specs/l7.md`), the server-slot allocations the next
 * run must keep, and diagnostics. Stages: normalise (`services.ts`), allocate slots
 * (`slots.ts`), render each group (`render-group.ts`). Pure and total: bad apps are left out
 * with a diagnostic, everything else is rendered.
 */
import { HaproxySlotAllocations, type Diagnostic, type HaproxyGroup } from "../../lib/desired/schema.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { backendName } from "./names.ts";
import { renderGroup } from "./render-group.ts";
import { marathonServices, type Service } from "./services.ts";
import { allocateSlots, slotKey, type BackendSlots } from "./slots.ts";
import { createTemplater } from "./templater.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

export interface HaproxyGroupsResult {
  /** Group name (as configured, `*` included) → its files. */
  groups: Record<string, HaproxyGroup>;
  allocations: HaproxySlotAllocations;
  diagnostics: Diagnostic[];
}

/**
 * @example
 * const { groups } = haproxyGroups(snapshot);
 * groups.external.config // "global\n  log /dev/log local0\n..."
 */
export function haproxyGroups(snapshot: ClusterSnapshot, provenance?: Provenance): HaproxyGroupsResult {
  const config = snapshot.config.haproxy;
  const diagnostics: Diagnostic[] = [];
  const previous = previousAllocations(snapshot.previous.haproxy, diagnostics);
  const previouslyServed = new Set<string>();
  for (const [backend, slots] of Object.entries(previous.backends)) for (const key of Object.keys(slots.servers)) previouslyServed.add(`${backend}|${key}`);

  const normalised = marathonServices({ apps: snapshot.marathonApps, agents: snapshot.agents, config, previouslyServed, provenance });
  diagnostics.push(...normalised.diagnostics);
  const services = uniqueBackendNames(normalised.services, diagnostics);

  const slots = new Map<string, BackendSlots>();
  const siblings = new Map<string, Service[]>();
  for (const service of services) {
    const name = backendName(service.appId, service.servicePort);
    slots.set(name, allocateSlots(service.backends.map(slotKey), previous.backends[name], config.minSlots));
    const list = siblings.get(service.appId);
    if (list === undefined) siblings.set(service.appId, [service]);
    else list.push(service);
  }

  const templater = createTemplater(config.templates);
  const groups: Record<string, HaproxyGroup> = {};
  for (const group of [...config.groups].sort()) {
    const result = renderGroup({ group, services, siblings, slots, config, templater, provenance });
    groups[group] = result.rendered;
    diagnostics.push(...result.diagnostics);
  }
  const backends = Object.fromEntries([...slots].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { groups, allocations: { backends }, diagnostics: uniqueDiagnostics(diagnostics) };
}

function previousAllocations(raw: unknown, diagnostics: Diagnostic[]): HaproxySlotAllocations {
  if (raw === undefined) return { backends: {} };
  const parsed = HaproxySlotAllocations.safeParse(raw);
  if (parsed.success) return parsed.data;
  diagnostics.push({
    level: "warning",
    code: "haproxy.previous-ignored",
    subject: "previous:haproxy",
    message: `previous.haproxy is not a slot allocation (${parsed.error.issues[0]?.message ?? "invalid"}); slots are assigned afresh, which reloads HAProxy once`,
  });
  return { backends: {} };
}

/**
 * Two services rendering the same backend name (`/a/b` and `/a_b` on one port) would be a
 * duplicate section HAProxy refuses; the first in (appId, servicePort) order keeps it.
 */
function uniqueBackendNames(services: readonly Service[], diagnostics: Diagnostic[]): Service[] {
  const owners = new Map<string, string>();
  return services.filter((service) => {
    const name = backendName(service.appId, service.servicePort);
    const owner = owners.get(name);
    if (owner === undefined) {
      owners.set(name, service.appId);
      return true;
    }
    diagnostics.push({
      level: "error",
      code: "haproxy.duplicate-backend",
      subject: `app:${service.appId}`,
      message: `its backend name ${name} is already taken by ${owner === service.appId ? "another of its service ports" : owner}; service port ${service.servicePort} is left out`,
    });
    return false;
  });
}

/** The same diagnostic from several groups is reported once. */
function uniqueDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.level}\u0000${d.code}\u0000${d.subject}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
