/**
 * @module
 * DesiredState: what every node should run, computed from one ClusterSnapshot. Its `hash` is the
 * sha256 of the canonical JSON of everything else, so equal states have equal hashes on every
 * node and over HTTP (the hash doubles as the ETag).
 */
import { z } from "zod";
import { PreviousNamedVip } from "./previous-l4lb.ts";
import { parseIp } from "../net/ip-literal.ts";
import { OverlaySection } from "./overlay-schema.ts";
import { PolicySection } from "./policy-schema.ts";
import { IPVS_SCHEDULERS } from "./ipvs-schedulers.ts";

export const Diagnostic = z.object({
  level: z.enum(["error", "warning", "info"]),
  /** A stable machine-readable reason, e.g. `dns.unknown-agent`. */
  code: z.string(),
  /** What the diagnostic is about: `task:<id>`, `app:<id>`, `agent:<id>`, `framework:<id>`, ... */
  subject: z.string(),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

export const SoaData = z.object({
  mname: z.string(),
  rname: z.string(),
  serial: z.number().int(),
  refresh: z.number().int(),
  retry: z.number().int(),
  expire: z.number().int(),
  minimum: z.number().int(),
});
export type SoaData = z.infer<typeof SoaData>;

export const SrvData = z.object({
  priority: z.number().int(),
  weight: z.number().int(),
  port: z.number().int(),
  target: z.string(),
});
export type SrvData = z.infer<typeof SrvData>;

const recordBase = { name: z.string(), ttl: z.number().int() };

/** A resource record; `data` has dns-packet's shape for the type. Names are lowercase, no trailing dot. */
export const DnsRecord = z.discriminatedUnion("type", [
  z.object({ ...recordBase, type: z.literal("A"), data: z.string() }),
  z.object({ ...recordBase, type: z.literal("AAAA"), data: z.string() }),
  z.object({ ...recordBase, type: z.literal("CNAME"), data: z.string() }),
  z.object({ ...recordBase, type: z.literal("NS"), data: z.string() }),
  z.object({ ...recordBase, type: z.literal("SRV"), data: SrvData }),
  z.object({ ...recordBase, type: z.literal("SOA"), data: SoaData }),
]);
export type DnsRecord = z.infer<typeof DnsRecord>;
export type DnsRecordType = DnsRecord["type"];

export const DnsZone = z.object({
  origin: z.string(),
  ttl: z.number().int(),
  soa: SoaData,
  records: z.array(DnsRecord),
});
export type DnsZone = z.infer<typeof DnsZone>;

/** An IP literal: the appliers write these into nft and ipvsadm input, so nothing else passes. */
const IpText = z.string().refine((ip) => parseIp(ip) !== undefined, "must be an IPv4 or IPv6 literal");

const HostPort = z.object({ ip: IpText, port: z.number().int().min(1).max(65535) });

/** A resolver address, normalised (`lib/net/upstream-address.ts`). */
export const DnsUpstream = HostPort;
export type DnsUpstream = z.infer<typeof DnsUpstream>;

/**
 * How a node's DNS server treats names outside its local zones: the default upstreams, the
 * per-zone upstreams (longest suffix wins; a forward zone equal to a local zone takes it over),
 * which clients may have their queries forwarded, and how long an upstream gets to answer.
 */
/**
 * A suffix answered from another zone, with every name in the reply written back under the
 * suffix asked: `mesos.thisdcos.directory` → `mesos` serves dcos-dns's mirror of the Mesos-DNS
 * zone without a second copy of its records.
 */
export const DnsAlias = z.object({ name: z.string(), target: z.string() });
export type DnsAlias = z.infer<typeof DnsAlias>;

export const DnsForwarding = z.object({
  upstreams: z.array(DnsUpstream),
  /** Sorted by zone. */
  zones: z.array(z.object({ zone: z.string(), upstreams: z.array(DnsUpstream).min(1) })),
  /** CIDR blocks, normalised and sorted. */
  allowedNetworks: z.array(z.string()),
  timeoutMs: z.number().int().min(1),
});
export type DnsForwarding = z.infer<typeof DnsForwarding>;

export const L4Backend = z.object({
  ip: IpText,
  port: z.number().int().min(1).max(65535),
  /** Relative share of new connections; 0 drains (unhealthy or TASK_KILLING): no new connections. */
  weight: z.number().int().min(0),
  taskId: z.string(),
  /** The agent the task runs on. */
  agentId: z.string().optional(),
  /**
   * The container address behind a UCR host-port mapping. The task's own agent uses it instead
   * of `ip:port` (its node view rewrites it), because DNAT to its own host port would never
   * pass the port-mapping rules (dcos/dcos#2459).
   */
  local: HostPort.optional(),
});
export type L4Backend = z.infer<typeof L4Backend>;

/**
 * The zone of named VIPs: the L4 reconciler writes `dnsName`s under it and the dcos-dns zones
 * serve them, so both read it from here.
 */
export const L4LB_ZONE = "l4lb.thisdcos.directory";

export const L4Service = z.object({
  vip: z.object({ ip: IpText, port: z.number().int().min(1).max(65535), protocol: z.enum(["tcp", "udp"]) }),
  /** A named VIP's name without the zone, `<label>.<framework>` (`app.marathon`); absent for IP VIPs. */
  name: z.string().optional(),
  /** `<name>.l4lb.thisdcos.directory`, published as A/AAAA of `vip.ip`. */
  dnsName: z.string().optional(),
  /** The IPVS scheduler (config `l4lb.scheduler`). */
  scheduler: z.enum(IPVS_SCHEDULERS),
  /** Sorted by address then port; a VIP with no backends is not a service. */
  backends: z.array(L4Backend),
});
export type L4Service = z.infer<typeof L4Service>;

/** One LB group: its `haproxy.cfg`, and in map mode the map files beside it (`<group>/<name>.map`). */
export const HaproxyGroup = z
  .object({
    config: z.string(),
    maps: z.object({ "domain2backend.map": z.string(), "app2backend.map": z.string() }).optional(),
  })
  .loose();
export type HaproxyGroup = z.infer<typeof HaproxyGroup>;

/**
 * What one agent's HAProxy runs: the LB groups placed on it (`haproxy.placement`), sorted. The
 * agent checks their configs for shared ports before it runs them (`lib/render/haproxy/listeners.ts`).
 */
export const HaproxyNode = z.object({ groups: z.array(z.string()) }).loose();
export type HaproxyNode = z.infer<typeof HaproxyNode>;

/** One backend's server slots: how many, and which address (`ip:port`) holds which (1-based). */
export const HaproxyBackendSlots = z.object({
  size: z.number().int().min(1),
  servers: z.record(z.string(), z.number().int().min(1)),
});
export type HaproxyBackendSlots = z.infer<typeof HaproxyBackendSlots>;

/** Server slots per backend (`functions/haproxy/slots.ts`); fed back as `previous.haproxy`. */
export const HaproxySlotAllocations = z.object({ backends: z.record(z.string(), HaproxyBackendSlots) });
export type HaproxySlotAllocations = z.infer<typeof HaproxySlotAllocations>;

export const DesiredState = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  hash: z.string(),
  /** Set on a node view (`nodeView`): the agent it was projected for. */
  node: z.string().optional(),
  /** `forwarding` is absent in states written before it existed: such a node forwards nothing. */
  dns: z.object({ zones: z.array(DnsZone), forwarding: DnsForwarding.optional(), aliases: z.array(DnsAlias).optional() }),
  l4lb: z
    .object({
      services: z.array(L4Service),
      /** Every named-VIP address in force, those in `services` and those kept through their grace period; the next snapshot's `previous.l4lb`. */
      namedVips: z.array(PreviousNamedVip).optional(),
    })
    .loose(),
  haproxy: z
    .object({
      groups: z.record(z.string(), HaproxyGroup),
      /**
       * Agent id → the groups it runs: every agent in the whole state, its own entry in a node
       * view (none for a node that is not an agent). Absent in states written before placement:
       * such a state runs every group on the node, as it did.
       */
      nodes: z.record(z.string(), HaproxyNode).optional(),
      allocations: HaproxySlotAllocations.optional(),
    })
    .loose(),
  overlay: OverlaySection,
  /** Network policy (`policy-schema.ts`); absent when the config has none. */
  policy: PolicySection.optional(),
  diagnostics: z.array(Diagnostic),
});
export type DesiredState = z.infer<typeof DesiredState>;
/** A DesiredState before its hash is computed. */
export type UnhashedDesiredState = Omit<DesiredState, "hash">;
