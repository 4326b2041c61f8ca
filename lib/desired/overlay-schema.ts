/**
 * @module
 * The overlay section of a DesiredState: `allocations` (what the DC/OS overlay master kept in
 * its replicated log: one VTEP and one slice per overlay for every node, keyed by the node's
 * underlay IP) and `nodes` (what each node applies: its VTEP, CNI configs, Docker networks and
 * data plane). The allocations are also the next snapshot's `previous.overlay`, which is what
 * keeps them from ever moving while their owner exists.
 */
import { z } from "zod";
import { parseCidr, parseIpValue } from "../net/cidr.ts";
import type { IpFamily } from "../net/ip-literal.ts";
import { AbsolutePath, OverlayName } from "./overlay-fields.ts";

function address(family: IpFamily) {
  return z.string().refine((text) => parseIpValue(text)?.family === family, `expected an IPv${family} address`);
}

function prefix(family: IpFamily) {
  return z.string().refine((text) => {
    const cidr = parseCidr(text);
    return cidr?.family === family && cidr.address === cidr.base;
  }, `expected an IPv${family} prefix with no host bits set`);
}

/** An address with its prefix length, as on an interface (`44.128.0.2/20`). */
function interfaceAddress(family: IpFamily) {
  return z.string().refine((text) => parseCidr(text)?.family === family, `expected an IPv${family} address/length`);
}

const AnyAddress = z.string().refine((text) => parseIpValue(text) !== undefined, "expected an IPv4 or IPv6 address");
const AnyPrefix = z.string().refine((text) => {
  const cidr = parseCidr(text);
  return cidr !== undefined && cidr.address === cidr.base;
}, "expected an IPv4 or IPv6 prefix with no host bits set");

export const Ipv4Address = address(4);
export const Ipv6Address = address(6);
export const MacAddress = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, "expected a lowercase MAC address");

/** One overlay's address spaces as they were allocated from (the config may have changed since). */
export const OverlaySpace = z
  .object({
    subnet: prefix(4).optional(),
    prefix: z.number().int().optional(),
    subnet6: prefix(6).optional(),
    prefix6: z.number().int().optional(),
  })
  .strict();
export type OverlaySpace = z.infer<typeof OverlaySpace>;

/** A node's slices of one overlay. */
export const OverlaySlice = z.object({ subnet: prefix(4).optional(), subnet6: prefix(6).optional() }).strict();
export type OverlaySlice = z.infer<typeof OverlaySlice>;

/** Everything allocated to one node (a master or an agent), keyed by its underlay IPv4. */
export const NodeAllocation = z
  .object({
    ip: Ipv4Address,
    vtep: z.object({ ip: Ipv4Address, ip6: Ipv6Address.optional(), mac: MacAddress }).strict(),
    overlays: z.record(OverlayName, OverlaySlice),
  })
  .strict();
export type NodeAllocation = z.infer<typeof NodeAllocation>;

export const OverlayAllocations = z
  .object({
    /** The VTEP address spaces the VTEP addresses were taken from. */
    vtep: z.object({ subnet: prefix(4), subnet6: prefix(6).optional() }).strict(),
    overlays: z.record(OverlayName, OverlaySpace),
    /** Sorted by underlay IP. Nodes absent from the snapshot stay until released. */
    nodes: z.array(NodeAllocation),
  })
  .strict();
export type OverlayAllocations = z.infer<typeof OverlayAllocations>;

/**
 * `previous.overlay` of a snapshot: the last allocations, plus the underlay IPs to release
 * (DC/OS's `POST /overlay-master/agents/delete`). A release is an action, not a setting: the
 * allocations a run returns never carry it, so it is consumed by the run that applies it.
 */
export const PreviousOverlay = OverlayAllocations.partial().extend({ release: z.array(Ipv4Address).optional() });
export type PreviousOverlay = z.infer<typeof PreviousOverlay>;

/** The VXLAN tunnel endpoint of a node: one device shared by every overlay. */
export const Vtep = z
  .object({
    name: z.string(),
    vni: z.number().int(),
    port: z.number().int(),
    mac: MacAddress,
    /** `44.128.0.2/20` */
    ip: interfaceAddress(4),
    ip6: interfaceAddress(6).optional(),
    mtu: z.number().int().optional(),
  })
  .strict();
export type Vtep = z.infer<typeof Vtep>;

export const Bridge = z.object({ name: z.string(), subnet: prefix(4).optional(), subnet6: prefix(6).optional() }).strict();
export type Bridge = z.infer<typeof Bridge>;

/** One overlay on one node, as DC/OS's `AgentOverlayInfo`: the slice and the bridges' halves. */
export const NodeOverlay = z
  .object({
    name: z.string(),
    subnet: prefix(4).optional(),
    subnet6: prefix(6).optional(),
    mesosBridge: Bridge.optional(),
    dockerBridge: Bridge.optional(),
  })
  .strict();
export type NodeOverlay = z.infer<typeof NodeOverlay>;

/** A CNI network configuration list (CNI spec 1.0.0), one per overlay. */
export const Conflist = z.looseObject({
  cniVersion: z.string(),
  name: z.string(),
  plugins: z.array(z.looseObject({ type: z.string() })),
});
export type Conflist = z.infer<typeof Conflist>;

/** DC/OS's single-plugin CNI config for Mesos's CNI isolator (`mesos-cni-port-mapper` → `bridge`). */
export const MesosCniConf = z
  .object({
    name: z.string(),
    type: z.literal("mesos-cni-port-mapper"),
    excludeDevices: z.array(z.string()),
    chain: z.string(),
    delegate: z
      .object({
        type: z.literal("bridge"),
        bridge: z.string(),
        isGateway: z.boolean(),
        ipMasq: z.boolean(),
        hairpinMode: z.boolean(),
        mtu: z.number().int(),
        ipam: z.object({ type: z.literal("host-local"), dataDir: z.string(), subnet: prefix(4), routes: z.array(z.object({ dst: z.string() }).strict()) }).strict(),
      })
      .strict(),
  })
  .strict();
export type MesosCniConf = z.infer<typeof MesosCniConf>;

/** The arguments of `docker network create` for an overlay's Docker bridge. */
export const DockerNetwork = z.object({ name: z.string(), args: z.array(z.string()) }).strict();
export type DockerNetwork = z.infer<typeof DockerNetwork>;

/** Kernel routing table ids: 254 is `main`; 42 is DC/OS's table for overlay-sourced traffic. */
export const RouteTable = z.number().int().min(1).max(0xfffffffe);

export const Dataplane = z
  .object({
    /** `ip rule add from <overlay subnet> lookup <table>` */
    rules: z.array(z.object({ from: prefix(4), table: RouteTable }).strict()),
    /** Permanent neighbours on the VTEP: peer VTEP IP → peer VTEP MAC. */
    neighbours: z.array(z.object({ ip: AnyAddress, mac: MacAddress }).strict()),
    /** Forwarding entries on the VTEP: peer VTEP MAC → peer underlay IP. */
    fdb: z.array(z.object({ mac: MacAddress, dst: Ipv4Address }).strict()),
    /** Routes through peer VTEPs: to their slices (main) and their underlay IPs (table 42). */
    routes: z.array(z.object({ dst: AnyPrefix, via: AnyAddress, table: RouteTable }).strict()),
  })
  .strict();
export type Dataplane = z.infer<typeof Dataplane>;

export const OverlayNode = z
  .object({
    /** The node's underlay IPv4. */
    ip: Ipv4Address,
    role: z.enum(["master", "agent"]),
    vtep: Vtep,
    overlays: z.array(NodeOverlay),
    /** Where the CNI configs are installed. */
    cniDir: AbsolutePath,
    /** Overlay name → its CNI config: the file `<cniDir>/<name>.conflist`. */
    cni: z.record(OverlayName, Conflist),
    /** Overlay name → DC/OS's config for Mesos containers: the file `<cniDir>/<name>.conf`. */
    mesosCni: z.record(OverlayName, MesosCniConf),
    docker: z.array(DockerNetwork),
    /**
     * The overlay address spaces whose traffic to anywhere outside them is masqueraded on this
     * node (both families); empty on masters and when `overlay.masquerade` is off.
     */
    masquerade: z.array(AnyPrefix),
    /** Routes, neighbours and FDB entries towards every peer: only in a node view (`nodeView`). */
    dataplane: Dataplane.optional(),
  })
  .strict();
export type OverlayNode = z.infer<typeof OverlayNode>;

export const OverlaySection = z.object({
  allocations: OverlayAllocations,
  nodes: z.record(z.string(), OverlayNode),
});
export type OverlaySection = z.infer<typeof OverlaySection>;
