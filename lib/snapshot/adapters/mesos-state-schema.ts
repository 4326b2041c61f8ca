/**
 * @module
 * The Mesos master's `/master/state` document, typed only as far as wayfinder reads it. Every
 * object is loose: the document is large, grows with each Mesos release and is mostly
 * irrelevant here, so unknown fields pass through unchecked. What is read is checked strictly,
 * and `resources.ports` is parsed right here so that bad text fails at its own JSON path.
 */
import { z } from "zod";
import { parsePortRanges } from "./mesos-state-ports.ts";

/** Mesos `Label`; protobuf JSON omits an empty `value`. */
const RawLabel = z.looseObject({ key: z.string(), value: z.string().default("") });

/** `Labels` messages are wrapped (`{labels: [...]}`) in DiscoveryInfo, bare arrays in statuses. */
const RawWrappedLabels = z.looseObject({ labels: z.array(RawLabel).default([]) });

const RawPortMapping = z.looseObject({
  host_port: z.number().int(),
  container_port: z.number().int(),
  protocol: z.string().optional(),
});
export type RawPortMapping = z.infer<typeof RawPortMapping>;

const RawNetworkInfo = z.looseObject({
  name: z.string().optional(),
  ip_addresses: z.array(z.looseObject({ ip_address: z.string().optional() })).default([]),
  /** Mesos < 0.26 wrote one address here; newer ones use `ip_addresses`. */
  ip_address: z.string().optional(),
  port_mappings: z.array(RawPortMapping).default([]),
});
export type RawNetworkInfo = z.infer<typeof RawNetworkInfo>;

const RawStatus = z.looseObject({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  labels: z.array(RawLabel).default([]),
  container_status: z.looseObject({ network_infos: z.array(RawNetworkInfo).default([]) }).optional(),
});

const RawDiscoveryPort = z.looseObject({
  number: z.number().int(),
  protocol: z.string().optional(),
  name: z.string().optional(),
  labels: RawWrappedLabels.optional(),
});

const RawDiscovery = z.looseObject({
  name: z.string().optional(),
  ports: z.looseObject({ ports: z.array(RawDiscoveryPort).default([]) }).optional(),
});

const RawContainer = z.looseObject({
  type: z.string().optional(),
  docker: z
    .looseObject({
      network: z.string().optional(),
      port_mappings: z.array(RawPortMapping).default([]),
    })
    .optional(),
  network_infos: z.array(RawNetworkInfo).default([]),
});

/** `"[31000-31001, 31005-31005]"` → port ranges; anything unparsable is an issue at this path. */
const RawPortsText = z.string().transform((text, ctx) => {
  const ranges = parsePortRanges(text);
  if (ranges === undefined) {
    ctx.issues.push({
      code: "custom",
      input: text,
      message: `not a port range list like "[31000-31001, 31005-31005]": ${JSON.stringify(text)}`,
    });
    return z.NEVER;
  }
  return ranges;
});

const RawTask = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  slave_id: z.string(),
  state: z.string(),
  resources: z.looseObject({ ports: RawPortsText.optional() }).optional(),
  labels: z.array(RawLabel).default([]),
  discovery: RawDiscovery.optional(),
  container: RawContainer.optional(),
  health_check: z.unknown().optional(),
  statuses: z.array(RawStatus).default([]),
});
export type RawTask = z.infer<typeof RawTask>;

const RawFramework = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  /** Absent for HTTP-API schedulers, which have no libprocess PID. */
  pid: z.string().optional(),
  hostname: z.string().optional(),
  tasks: z.array(RawTask).default([]),
});
export type RawFramework = z.infer<typeof RawFramework>;

const RawAgent = z.looseObject({
  id: z.string().min(1),
  hostname: z.string(),
  pid: z.string().optional(),
  /** Text, scalar, ranges and set attributes; only text and scalars are kept. */
  attributes: z.record(z.string(), z.unknown()).default({}),
  /** Role → resources statically reserved for it (`slave_public` on DC/OS public agents). */
  reserved_resources: z.record(z.string(), z.unknown()).optional(),
});
export type RawAgent = z.infer<typeof RawAgent>;

/**
 * The fields of `/master/state` the adapter reads.
 * @example RawMesosState.safeParse(JSON.parse(text)).success // false when, say, `slaves` is missing
 */
export const RawMesosState = z.looseObject({
  /** The elected master's PID; Mesos omits the field while no master is elected. */
  leader: z.string().optional(),
  slaves: z.array(RawAgent),
  frameworks: z.array(RawFramework),
});
export type RawMesosState = z.infer<typeof RawMesosState>;
