/**
 * @module
 * The Mesos protobuf messages that `/master/state` and the operator API (v1 JSON) write the
 * same way: labels, port mappings, network infos, DiscoveryInfo and ContainerInfo. Both
 * adapters' schemas build on these, so a field read from a task means the same in either.
 * Objects are loose (unknown fields pass through); what is read is checked strictly.
 */
import { z } from "zod";

/** Mesos `Label`; protobuf JSON omits an empty `value`. */
export const RawLabel = z.looseObject({ key: z.string(), value: z.string().default("") });

/** A `Labels` message: a wrapper (`{labels: [...]}`); an empty one is written as `{}`. */
export const RawLabels = z.looseObject({ labels: z.array(RawLabel).default([]) });

export const RawPortMapping = z.looseObject({
  host_port: z.number().int(),
  container_port: z.number().int(),
  protocol: z.string().optional(),
});
export type RawPortMapping = z.infer<typeof RawPortMapping>;

export const RawNetworkInfo = z.looseObject({
  name: z.string().optional(),
  /** A container's requested networks list the protocol without an address. */
  ip_addresses: z.array(z.looseObject({ ip_address: z.string().optional() })).default([]),
  /** Mesos < 0.26 wrote one address here; newer ones use `ip_addresses`. */
  ip_address: z.string().optional(),
  port_mappings: z.array(RawPortMapping).default([]),
});
export type RawNetworkInfo = z.infer<typeof RawNetworkInfo>;

const RawDiscoveryPort = z.looseObject({
  number: z.number().int(),
  protocol: z.string().optional(),
  name: z.string().optional(),
  labels: RawLabels.optional(),
});

export const RawDiscovery = z.looseObject({
  name: z.string().optional(),
  ports: z.looseObject({ ports: z.array(RawDiscoveryPort).default([]) }).optional(),
});

export const RawContainer = z.looseObject({
  type: z.string().optional(),
  docker: z
    .looseObject({ network: z.string().optional(), port_mappings: z.array(RawPortMapping).default([]) })
    .optional(),
  network_infos: z.array(RawNetworkInfo).default([]),
});
