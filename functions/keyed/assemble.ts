/**
 * @module
 * The whole-state views of the keyed desired state (docs/delta-path.md §3): the DesiredState of
 * the cluster, and the view of one node, each assembled from the objects by one pure function.
 * Zones are merged from their owners' records, everything is sorted as the reconcilers always
 * sorted it, and a node derives for itself what depends on it (the local-backend rewrite of
 * its VIPs, its data plane towards every peer), so the control plane never stores a copy per
 * node. The `hash` of each is the state hash of the objects it was assembled from.
 */
import type { DesiredState, Diagnostic, DnsForwarding, HaproxyBackendSlots, HaproxyGroup, HaproxyNode, L4Service } from "../../lib/desired/schema.ts";
import type { NodeAllocation, OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { DnsOwnerRecords, DnsZoneHeader, HaproxyServiceObject, OverlayPeer, OverlaySpaces, ZoneId } from "../../lib/desired/object-values.ts";
import type { ServerModel } from "../../lib/render/haproxy/model.ts";
import { idOfSegment, keyScope, KeyPrefix, ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import { addTuples } from "../dns-zones/owner-records.ts";
import { zonesOf } from "../dns-zones/zone-assembly.ts";
import { serviceSortKey } from "../l4lb/index.ts";
import { compareNamedVips } from "../l4lb/named-vip-allocation.ts";
import { nodeServices } from "../l4lb/node-services.ts";
import { dataplaneFor } from "../../lib/desired/dataplane.ts";
import { sortDiagnostics } from "./diagnostic-objects.ts";
import { haproxyGroupsOf, type HaproxyGroupSettings } from "./haproxy-pieces.ts";
import { PolicyKeys, policySectionOf, type PolicyParts } from "./policy-pieces.ts";
import type { AppTier, NodePolicy, PolicyIdentity, PolicyMembership, PolicyOutside, PolicySection, PolicySet, PolicySettings } from "../../lib/desired/policy-schema.ts";
import { policyNodeView } from "../../lib/desired/policy-node-view.ts";
import type { KeyedObjects } from "./object-store.ts";

const ZONE_ORDER: readonly ZoneId[] = ["mesos", "dcos", "l4lb", "spartan", "zk"];

/**
 * The DesiredState of the whole cluster.
 * @example desiredStateOf(deriveObjects(snapshot)).hash === deriveObjects(snapshot).hash() // true
 */
export function desiredStateOf(objects: KeyedObjects): DesiredState {
  const parts = sortedParts(objects, undefined);
  return {
    apiVersion: "wayfinder/v1",
    hash: objects.hash(),
    dns: dnsSection(parts),
    l4lb: { services: parts.l4Services.sort(byServiceOrder), namedVips: parts.namedVips.sort(compareNamedVips) },
    haproxy: {
      groups: groupsOf(parts),
      nodes: Object.fromEntries(parts.haproxyNodes.sort(([a], [b]) => compareStrings(a, b))),
      allocations: { backends: Object.fromEntries(parts.slots.sort(([a], [b]) => compareStrings(a, b))) },
    },
    overlay: {
      allocations: { ...parts.spaces!, nodes: parts.allocations.sort((a, b) => compareIps(a.ip, b.ip)) },
      nodes: Object.fromEntries(parts.nodes.sort(([a], [b]) => compareStrings(a, b))),
    },
    ...optionalPolicy(parts.policy),
    diagnostics: sortDiagnostics(parts.diagnostics),
  };
}

/**
 * What one node applies: the cluster-scoped objects and its own, its VIP backends at their
 * container address where they run on it, its overlay entry with its data plane. No
 * diagnostics and no allocation bookkeeping: those are the control plane's.
 * @example nodeViewOf(deriveObjects(snapshot), "S1").overlay.nodes.S1.dataplane.routes.length // 4
 */
export function nodeViewOf(objects: KeyedObjects, node: string): DesiredState {
  const parts = sortedParts(objects, node);
  const spaces = parts.spaces!;
  const own = parts.nodes.find(([key]) => key === node)?.[1];
  const haproxyNode = parts.haproxyNodes.find(([key]) => key === node)?.[1];
  return {
    apiVersion: "wayfinder/v1",
    hash: objects.nodeHash(node),
    node,
    dns: dnsSection(parts),
    l4lb: { services: nodeServices(parts.l4Services.sort(byServiceOrder), node) },
    haproxy: { groups: groupsOf(parts), nodes: haproxyNode === undefined ? {} : { [node]: haproxyNode } },
    overlay: {
      allocations: { ...spaces, nodes: [] },
      nodes: own === undefined ? {} : { [node]: { ...own, dataplane: dataplaneFor(own, parts.peers.map(([, peer]) => peer), spaces) } },
    },
    ...optionalPolicy(parts.policy, node),
    diagnostics: [],
  };
}

/** The objects of one view, by kind. */
interface Parts {
  headers: Array<[ZoneId, DnsZoneHeader]>;
  owners: DnsOwnerRecords[];
  forwarding: DnsForwarding | undefined;
  agentNetworks: string[][];
  aliases: DesiredState["dns"]["aliases"];
  l4Services: L4Service[];
  namedVips: PreviousNamedVip[];
  groups: HaproxyGroupSettings[];
  services: HaproxyServiceObject[];
  servers: Map<string, Array<[number, ServerModel]>>;
  slots: Array<[string, HaproxyBackendSlots]>;
  spaces: OverlaySpaces | undefined;
  peers: Array<[string, OverlayPeer]>;
  nodes: Array<[string, OverlayNode]>;
  haproxyNodes: Array<[string, HaproxyNode]>;
  allocations: NodeAllocation[];
  policy: PolicyParts;
  diagnostics: Diagnostic[];
}

/** One pass over the objects; `node` set: only the cluster's and that node's. */
function sortedParts(objects: KeyedObjects, node: string | undefined): Parts {
  const parts: Parts = {
    headers: [],
    owners: [],
    forwarding: undefined,
    agentNetworks: [],
    aliases: [],
    l4Services: [],
    namedVips: [],
    groups: [],
    services: [],
    servers: new Map(),
    slots: [],
    spaces: undefined,
    peers: [],
    nodes: [],
    haproxyNodes: [],
    allocations: [],
    policy: { apps: [], sets: [], memberships: [], identities: [], nodes: [] },
    diagnostics: [],
  };
  for (const [key] of objects.entries()) {
    const scope = keyScope(key);
    if (node !== undefined && (scope.scope === "control" || (scope.scope === "node" && scope.node !== node))) continue;
    const value = objects.value(key);
    if (scope.scope === "node") {
      if (key.endsWith("/overlay")) parts.nodes.push([scope.node, value as OverlayNode]);
      else if (key.endsWith("/policy")) parts.policy.nodes.push([scope.node, value as NodePolicy]);
      else if (key.endsWith("/haproxy")) parts.haproxyNodes.push([scope.node, value as HaproxyNode]);
    } else if (key.startsWith(KeyPrefix.dnsRecords)) parts.owners.push(value as DnsOwnerRecords);
    else if (key.startsWith(KeyPrefix.l4Service)) parts.l4Services.push(value as L4Service);
    else if (key.startsWith(KeyPrefix.haproxyServer)) {
      const [backend, slot] = key.slice(KeyPrefix.haproxyServer.length).split("/") as [string, string];
      const list = parts.servers.get(idOfSegment(backend));
      const entry: [number, ServerModel] = [Number(slot), value as ServerModel];
      if (list === undefined) parts.servers.set(idOfSegment(backend), [entry]);
      else list.push(entry);
    } else if (key.startsWith(KeyPrefix.haproxyService)) parts.services.push(value as HaproxyServiceObject);
    else if (key.startsWith(KeyPrefix.diagnostics)) parts.diagnostics.push(...(value as Diagnostic[]));
    else if (key.startsWith(KeyPrefix.overlayPeer)) parts.peers.push([idOfSegment(key.slice(KeyPrefix.overlayPeer.length)), value as OverlayPeer]);
    else if (key.startsWith(KeyPrefix.dnsForwardingAgent)) parts.agentNetworks.push(value as string[]);
    else if (key.startsWith(KeyPrefix.dnsZone)) parts.headers.push([idOfSegment(key.slice(KeyPrefix.dnsZone.length)) as ZoneId, value as DnsZoneHeader]);
    else if (key.startsWith(KeyPrefix.haproxyGroup)) parts.groups.push(value as HaproxyGroupSettings);
    else if (key.startsWith(KeyPrefix.namedVipAllocation)) parts.namedVips.push(...(value as PreviousNamedVip[]));
    else if (key.startsWith(KeyPrefix.overlayAllocation)) parts.allocations.push(value as NodeAllocation);
    else if (key.startsWith(KeyPrefix.haproxySlots)) parts.slots.push([idOfSegment(key.slice(KeyPrefix.haproxySlots.length)), value as HaproxyBackendSlots]);
    else if (key === ObjectKeys.dnsForwarding) parts.forwarding = value as DnsForwarding;
    else if (key === ObjectKeys.dnsAliases) parts.aliases = value as DesiredState["dns"]["aliases"];
    else if (key === ObjectKeys.overlaySpaces) parts.spaces = value as OverlaySpaces;
    else if (key.startsWith(PolicyKeys.memberPrefix)) parts.policy.memberships.push(value as PolicyMembership);
    else if (key.startsWith(PolicyKeys.setPrefix)) parts.policy.sets.push([idOfSegment(key.slice(PolicyKeys.setPrefix.length)), value as PolicySet]);
    else if (key.startsWith(PolicyKeys.identityPrefix)) parts.policy.identities.push([idOfSegment(key.slice(PolicyKeys.identityPrefix.length)), value as PolicyIdentity]);
    else if (key.startsWith(PolicyKeys.appPrefix)) parts.policy.apps.push(value as AppTier);
    else if (key === PolicyKeys.settings) parts.policy.settings = value as PolicySettings;
    else if (key === PolicyKeys.outside) parts.policy.outside = value as PolicyOutside;
  }
  return parts;
}

/** `{ policy }` from its pieces (a node's view of it with `node`), or nothing without a policy. */
function optionalPolicy(parts: PolicyParts, node?: string): { policy?: PolicySection } {
  const { settings, outside } = parts;
  if (settings === undefined || outside === undefined) return {};
  const section = policySectionOf({ ...parts, settings, outside });
  return { policy: node === undefined ? section : policyNodeView(section, node) };
}

function dnsSection(parts: Parts): DesiredState["dns"] {
  const headers = parts.headers.sort(([a, x], [b, y]) => compareStrings(x.origin, y.origin) || ZONE_ORDER.indexOf(a) - ZONE_ORDER.indexOf(b));
  const zones = zonesOf(headers, (sinkOf) => {
    for (const owner of parts.owners) {
      for (const [zone, records] of Object.entries(owner) as Array<[ZoneId, NonNullable<DnsOwnerRecords[ZoneId]>]>) {
        const sink = sinkOf(zone);
        if (sink !== undefined) addTuples(sink, records);
      }
    }
  });
  const base = parts.forwarding!;
  const networks = new Set(base.allowedNetworks);
  for (const list of parts.agentNetworks) for (const network of list) networks.add(network);
  const forwarding = { ...base, allowedNetworks: [...networks].sort(compareStrings) };
  return { zones, forwarding, aliases: parts.aliases };
}

function groupsOf(parts: Parts): Record<string, HaproxyGroup> {
  return haproxyGroupsOf(parts.groups, parts.services, parts.servers);
}

function byServiceOrder(a: L4Service, b: L4Service): number {
  return compareStrings(serviceSortKey(a), serviceSortKey(b));
}

function compareIps(a: string, b: string): number {
  const x = parseIpValue(a)!.value;
  const y = parseIpValue(b)!.value;
  return x < y ? -1 : x > y ? 1 : 0;
}
