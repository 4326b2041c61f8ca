/**
 * @module
 * The layer-7 reconciler: a snapshot's Marathon apps → one HAProxy config per configured LB
 * group (Marathon-LB on current HAProxy, `specs/l7.md`), the server-slot allocations the next
 * run must keep, and diagnostics. Stages: normalise (`services.ts`), allocate slots
 * (`slots.ts`), model each group (`group-model.ts`), render its text
 * (`lib/render/haproxy/render-group.ts`). Pure and total: bad apps are left out with a
 * diagnostic, everything else is rendered.
 */
import { HaproxySlotAllocations, type Diagnostic, type HaproxyGroup } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { HaproxyGroupModel, ServiceModel } from "../../lib/render/haproxy/model.ts";
import { renderHaproxyGroup } from "../../lib/render/haproxy/render-group.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { backendName } from "./names.ts";
import { groupModel, serviceModel } from "./group-model.ts";
import { marathonServices, type Service } from "./services.ts";
import { allocateSlots, slotKey, type BackendSlots } from "./slots.ts";
import { serviceFact } from "./service-fact.ts";
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
export function haproxyGroups(snapshot: ClusterSnapshot): HaproxyGroupsResult {
  const parts = haproxyModels(snapshot);
  const groups: Record<string, HaproxyGroup> = {};
  const diagnostics = [...parts.diagnostics];
  for (const model of parts.groups) {
    const result = renderHaproxyGroup(model);
    groups[model.group] = result.rendered;
    diagnostics.push(...result.diagnostics);
  }
  return { groups, allocations: parts.allocations, diagnostics: uniqueDiagnostics(diagnostics) };
}

/** The HAProxy of a snapshot as data: each group's model, the slot allocations, the diagnostics of normalisation. */
export interface HaproxyModels {
  /** By group name. */
  groups: HaproxyGroupModel[];
  allocations: HaproxySlotAllocations;
  /** Normalisation's diagnostics (rendering adds its own). */
  diagnostics: Diagnostic[];
}

/**
 * @example haproxyModels(snapshot).groups.map((g) => g.group) // ["external"]
 */
export function haproxyModels(snapshot: ClusterSnapshot, provenance?: Provenance): HaproxyModels {
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

  // A service's model is the same in every group: made once, when a group first has it.
  const models = new Map<Service, ServiceModel>();
  const modelOf = (service: Service): ServiceModel => {
    let model = models.get(service);
    if (model === undefined) {
      const backendSlots = slots.get(backendName(service.appId, service.servicePort))!;
      models.set(service, (model = serviceModel({ service, siblings: siblings.get(service.appId)!, slots: backendSlots, config })));
    }
    return model;
  };
  const groups = [...config.groups].sort(compareStrings).map((group) => groupModel({ group, services, modelOf, config }));
  if (provenance !== undefined) for (const model of groups) reportRendered(provenance, model, services);
  const backends = Object.fromEntries([...slots].sort(([a], [b]) => compareStrings(a, b)));
  return { groups, allocations: { backends }, diagnostics };
}

/**
 * Tells provenance each service the group renders (a service whose template fails is left out
 * of the text, so it is rendered here to know), with the task behind each server.
 */
function reportRendered(provenance: Provenance, group: HaproxyGroupModel, services: readonly Service[]): void {
  const rendered = renderHaproxyGroup(group).renderedBackends;
  const byBackend = new Map(services.map((s) => [backendName(s.appId, s.servicePort), s]));
  for (const model of group.services) {
    const service = byBackend.get(model.backend);
    if (service !== undefined && rendered.has(model.backend)) provenance.haproxyService(group.group, serviceFact(model, service));
  }
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

/**
 * The same diagnostic from several groups is reported once.
 * @example uniqueDiagnostics([d, d]) // [d]
 */
export function uniqueDiagnostics(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.level}\u0000${d.code}\u0000${d.subject}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
