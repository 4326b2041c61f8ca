/**
 * @module
 * The values of the keyed desired state, one schema per key kind (`object-keys.ts`). They are
 * what a node receives on the watch stream and keeps, so they are compact: DNS records are
 * tuples, and nothing a node does not apply (diagnostics, allocation bookkeeping) is in a
 * cluster- or node-scoped value.
 */
import { z } from "zod";
import { Diagnostic, DnsAlias, DnsForwarding, DnsRecord, HaproxyBackendSlots, HaproxyNode, L4Service, SoaData } from "./schema.ts";
import { NodeAllocation, OverlayAllocations, OverlayNode, Vtep } from "./overlay-schema.ts";
import { PreviousNamedVip } from "./previous-l4lb.ts";

/** The zones of the DNS section, each under a fixed id (the Mesos-DNS zone's origin is configurable). */
export const ZoneId = z.enum(["mesos", "dcos", "l4lb", "spartan", "zk"]);
export type ZoneId = z.infer<typeof ZoneId>;

/** SRV data as a tuple: priority, weight, port, target. */
export const SrvTuple = z.tuple([z.number().int(), z.number().int(), z.number().int(), z.string()]);
export type SrvTuple = z.infer<typeof SrvTuple>;

/** One record without its TTL (the zone's): `[name, type, data]`. */
export const RecordTuple = z.union([
  z.tuple([z.string(), z.enum(["A", "AAAA", "CNAME", "NS"]), z.string()]),
  z.tuple([z.string(), z.literal("SRV"), SrvTuple]),
]);
export type RecordTuple = z.infer<typeof RecordTuple>;

/** `dns/records/...`: one owner's records per zone, sorted and without repeats. */
export const DnsOwnerRecords = z.partialRecord(ZoneId, z.array(RecordTuple));
export type DnsOwnerRecords = z.infer<typeof DnsOwnerRecords>;

/** `dns/zone/<id>`: the zone itself, with the records no owner holds (the apex NS, fixed names). */
export const DnsZoneHeader = z.object({
  origin: z.string(),
  ttl: z.number().int(),
  soa: SoaData,
  /** Full records: the apex NS of a dcos-dns zone has its own TTL. */
  records: z.array(DnsRecord),
});
export type DnsZoneHeader = z.infer<typeof DnsZoneHeader>;

/** `dns/forwarding`: the forwarding settings; `allowedNetworks` holds those no agent adds. */
export const DnsForwardingObject = DnsForwarding;
/** `dns/forwarding/agent/<id>`: the networks one agent adds to the allowed clients. */
export const AgentNetworks = z.array(z.string());
/** `dns/aliases` */
export const DnsAliases = z.array(DnsAlias);

/** `l4lb/named/...` and `l4lb/ip/...` */
export const L4ServiceObject = L4Service;
/**
 * `haproxy/group/<group>`: the group's model (`lib/render/haproxy/model.ts`) without its
 * services: its head, shared frontends and map settings.
 */
export const HaproxyGroupObject = z.looseObject({ group: z.string(), head: z.looseObject({}), frontends: z.looseObject({}), mapMode: z.boolean(), mapFallThrough: z.boolean() });
/** `haproxy/service/<backend>`: a service's model without its servers, and the groups it is in. */
export const HaproxyServiceObject = z.object({
  groups: z.array(z.string()).min(1),
  model: z.looseObject({ appId: z.string(), backend: z.string(), servicePort: z.number().int() }),
});
export type HaproxyServiceObject = z.infer<typeof HaproxyServiceObject>;
/** `haproxy/server/<backend>/<slot>`: one `server` line's model. */
export const HaproxyServerObject = z.looseObject({ name: z.string(), id: z.number().int(), host: z.string(), ip: z.string(), port: z.number().int(), disabled: z.boolean() });

/** `node/<agent>/haproxy`: the LB groups the agent runs. */
export const HaproxyNodeObject = HaproxyNode;

/** `overlay/spaces`: the address spaces the allocations were made from. */
export const OverlaySpaces = OverlayAllocations.pick({ vtep: true, overlays: true });
export type OverlaySpaces = z.infer<typeof OverlaySpaces>;

/** `overlay/peer/<node>`: what every node needs to route to this one (`dataplaneFor`). */
export const OverlayPeer = z
  .object({
    ip: z.string(),
    vtep: Vtep.pick({ ip: true, ip6: true, mac: true }),
    overlays: z.array(z.object({ name: z.string(), subnet: z.string().optional(), subnet6: z.string().optional() }).strict()),
  })
  .strict();
export type OverlayPeer = z.infer<typeof OverlayPeer>;

/** `node/<id>/overlay`: the node's own entry, without the data plane (derived on the node). */
export const NodeOverlayObject = OverlayNode;

/** `control/l4lb/named/<name>`: the name's addresses, one per family. */
export const NamedVipAllocation = z.array(PreviousNamedVip);
/** `control/overlay/allocation/<ip>` */
export const OverlayAllocationObject = NodeAllocation;
/** `control/haproxy/slots/<backend>` */
export const HaproxySlotsObject = HaproxyBackendSlots;
/** `control/diag/<part>/<subject>`: one part's diagnostics about one subject, sorted. */
export const Diagnostics = z.array(Diagnostic);
