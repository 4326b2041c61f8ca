/**
 * @module
 * The Mesos master's `/master/state` document, typed only as far as wayfinder reads it. Every
 * object is loose: the document is large, grows with each Mesos release and is mostly
 * irrelevant here, so unknown fields pass through unchecked. What is read is checked strictly,
 * and `resources.ports` is parsed right here so that bad text fails at its own JSON path.
 */
import { z } from "zod";
import { RawContainer, RawDiscovery, RawLabel, RawNetworkInfo } from "./mesos-messages-schema.ts";
import { parsePortRanges } from "./mesos-state-ports.ts";

export type { RawNetworkInfo, RawPortMapping } from "./mesos-messages-schema.ts";

/** A status's `labels` is a bare array here, where the operator API wraps it. */
const RawStatus = z.looseObject({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  labels: z.array(RawLabel).default([]),
  container_status: z.looseObject({ network_infos: z.array(RawNetworkInfo).default([]) }).optional(),
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
  /** The role the task's resources were allocated to (Mesos 1.x writes it per task). */
  role: z.string().optional(),
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
  principal: z.string().optional(),
  /** The single role of Mesos < 1.3; multi-role frameworks list `roles`. */
  role: z.string().optional(),
  roles: z.array(z.string()).optional(),
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
