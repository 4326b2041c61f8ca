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
import type { ServiceModel } from "../../lib/render/haproxy/model.ts";
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
  const groups: Record<string, HaproxyGroup> = {};
  for (const group of [...config.groups].sort(compareStrings)) {
    const model = groupModel({ group, services, modelOf, config });
    const result = renderHaproxyGroup(model);
    groups[group] = result.rendered;
    diagnostics.push(...result.diagnostics);
    if (provenance !== undefined) reportRendered(provenance, group, model.services, result.renderedBackends, services);
  }
  const backends = Object.fromEntries([...slots].sort(([a], [b]) => compareStrings(a, b)));
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

/** Tells provenance each service the group rendered, with the task behind each server. */
function reportRendered(provenance: Provenance, group: string, models: readonly ServiceModel[], rendered: ReadonlySet<string>, services: readonly Service[]): void {
  const byBackend = new Map(services.map((s) => [backendName(s.appId, s.servicePort), s]));
  for (const model of models) {
    const service = byBackend.get(model.backend);
    if (service !== undefined && rendered.has(model.backend)) provenance.haproxyService(group, serviceFact(model, service));
  }
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
