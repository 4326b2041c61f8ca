/**
 * @module
 * HAProxy as keyed objects, on its model (`lib/render/haproxy/model.ts`): each LB group's
 * settings, each service's sections with the groups it is in, each server slot on its own (a
 * scale event or a replaced task changes slots, which the executor applies through the Runtime
 * API), and the slot allocations. The text of a group is rendered from these pieces wherever a
 * whole view is assembled; the control plane renders too, for the diagnostics only rendering
 * finds (port conflicts, templates that fail).
 */
import type { Diagnostic, HaproxyGroup, HaproxyNode } from "../../lib/desired/schema.ts";
import type { HaproxyServiceObject } from "../../lib/desired/object-values.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import type { HaproxyGroupModel, ServerModel, ServiceModel } from "../../lib/render/haproxy/model.ts";
import { renderHaproxyGroup } from "../../lib/render/haproxy/render-group.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import type { Agent } from "../../lib/snapshot/schema.ts";
import { uniqueDiagnostics, type HaproxyModels } from "../haproxy/index.ts";
import { placedGroups } from "../haproxy/placement.ts";
import { clashDiagnostics, groupListenersOf, unplacedDiagnostic } from "../haproxy/placement-report.ts";

/** A group's model without its services: what `haproxy/group/<group>` holds. */
export type HaproxyGroupSettings = Omit<HaproxyGroupModel, "services">;

/**
 * The objects of HAProxy models, and every HAProxy diagnostic (normalisation's and rendering's,
 * each once).
 * @example haproxyPieces(haproxyModels(snapshot)).objects.get("haproxy/server/web_10000/1") // { name: "slot1", ... }
 */
export function haproxyPieces(models: HaproxyModels): { objects: Map<string, unknown>; diagnostics: Diagnostic[] } {
  const objects = new Map<string, unknown>();
  const diagnostics = [...models.diagnostics];
  const services = new Map<string, { groups: string[]; model: ServiceModel }>();
  for (const group of models.groups) {
    const { services: members, ...settings } = group;
    objects.set(ObjectKeys.haproxyGroup(group.group), settings);
    diagnostics.push(...renderHaproxyGroup(group).diagnostics);
    for (const model of members) {
      const own = services.get(model.backend);
      if (own === undefined) services.set(model.backend, { groups: [group.group], model });
      else own.groups.push(group.group);
    }
  }
  for (const [backend, { groups, model }] of services) {
    const { servers, notes: _notes, ...sections } = model;
    objects.set(ObjectKeys.haproxyService(backend), { groups, model: sections } satisfies HaproxyServiceObject);
    servers.forEach((server, i) => objects.set(ObjectKeys.haproxyServer(backend, i + 1), server));
  }
  for (const [backend, slots] of Object.entries(models.allocations.backends)) objects.set(ObjectKeys.haproxySlots(backend), slots);
  return { objects, diagnostics: uniqueDiagnostics(diagnostics) };
}

/**
 * Every group's files, rendered from its pieces: its settings, its services in (app id, service
 * port) order, their servers by slot. Diagnostics of rendering are the control plane's (kept
 * with the objects), so notes are left out here.
 * @example haproxyGroupsOf(settings, services, servers).external.config.startsWith("global") // true
 */
export function haproxyGroupsOf(
  settings: ReadonlyArray<HaproxyGroupSettings>,
  services: ReadonlyArray<HaproxyServiceObject>,
  servers: ReadonlyMap<string, ReadonlyArray<[number, ServerModel]>>,
): Record<string, HaproxyGroup> {
  const ordered = [...services].sort((a, b) => compareStrings(a.model.appId, b.model.appId) || a.model.servicePort - b.model.servicePort);
  const groups: Record<string, HaproxyGroup> = {};
  for (const group of [...settings].sort((a, b) => compareStrings(a.group, b.group))) {
    const members = ordered
      .filter((s) => s.groups.includes(group.group))
      .map((s): ServiceModel => {
        const own = [...(servers.get(s.model.backend) ?? [])].sort(([a], [b]) => a - b).map(([, server]) => server);
        return { ...(s.model as Omit<ServiceModel, "servers" | "notes">), servers: own, notes: [] };
      });
    groups[group.group] = renderHaproxyGroup({ ...group, services: members }).rendered;
  }
  return groups;
}

/**
 * Each agent's `node/<agent>/haproxy` (an id listed twice runs what either entry places), two
 * groups placed on one agent that share a port, and groups with services no agent runs.
 * @example placementPieces(snapshot.agents, config, models.groups).objects.get("node/S3/haproxy") // { groups: ["external"] }
 */
export function placementPieces(agents: readonly Agent[], config: HaproxyConfig, groups: readonly HaproxyGroupModel[]): { objects: Map<string, HaproxyNode>; diagnostics: Diagnostic[] } {
  const placedById = new Map<string, Set<string>>();
  for (const agent of agents) {
    const own = placedById.get(agent.id) ?? new Set<string>();
    for (const group of placedGroups(agent, config)) own.add(group);
    placedById.set(agent.id, own);
  }
  const table = groupListenersOf(groups);
  const objects = new Map<string, HaproxyNode>();
  const diagnostics: Diagnostic[] = [];
  const running = new Set<string>();
  for (const [id, own] of placedById) {
    const placed = [...own].sort(compareStrings);
    objects.set(ObjectKeys.nodeHaproxy(id), { groups: placed });
    diagnostics.push(...clashDiagnostics(id, placed, table));
    for (const group of placed) running.add(group);
  }
  for (const group of groups) if (agents.length > 0 && group.services.length > 0 && !running.has(group.group)) diagnostics.push(unplacedDiagnostic(group.group, config));
  return { objects, diagnostics };
}
