/**
 * @module
 * The ClusterSnapshot: everything the reconcilers read, in one document. Adapters build it
 * from Mesos `/master/state`, the operator API `GET_STATE` and Marathon `/v2/apps`; clients may
 * also POST it directly. The shape stays close to Mesos so that no information the originals
 * used is lost on the way in, but every field is typed and every id is a plain string.
 */
import { z } from "zod";
import { Config } from "./config.ts";
import { MarathonApp } from "./marathon.ts";
import { PreviousL4lb } from "../desired/previous-l4lb.ts";
import { PreviousOverlay } from "../desired/overlay-schema.ts";

/** A Mesos label (`{key, value}`); order is kept because some rules take the first match. */
export const Label = z.object({ key: z.string(), value: z.string() });
export type Label = z.infer<typeof Label>;

/** An inclusive port range as Mesos `RANGES` resources carry it. */
export const PortRange = z.object({ begin: z.number().int(), end: z.number().int() });
export type PortRange = z.infer<typeof PortRange>;

/** Host port → container port, from Docker or UCR port mappings. */
export const PortMapping = z.object({
  hostPort: z.number().int(),
  containerPort: z.number().int(),
  protocol: z.string().default("tcp"),
});
export type PortMapping = z.infer<typeof PortMapping>;

/** A `NetworkInfo` of a task status or container: the IPs the container got on one network. */
export const NetworkInfo = z.object({
  name: z.string().optional(),
  ipAddresses: z.array(z.string()).default([]),
  portMappings: z.array(PortMapping).default([]),
});
export type NetworkInfo = z.infer<typeof NetworkInfo>;

/** One task status update (Mesos `TaskStatus`), reduced to the fields anyone reads. */
export const TaskStatus = z.object({
  state: z.string(),
  timestamp: z.number(),
  healthy: z.boolean().optional(),
  labels: z.array(Label).default([]),
  networkInfos: z.array(NetworkInfo).default([]),
});
export type TaskStatus = z.infer<typeof TaskStatus>;

/** A port of a task's `DiscoveryInfo`; VIP labels live here. */
export const DiscoveryPort = z.object({
  number: z.number().int(),
  protocol: z.string().optional(),
  name: z.string().optional(),
  labels: z.array(Label).default([]),
});
export type DiscoveryPort = z.infer<typeof DiscoveryPort>;

export const Discovery = z.object({
  name: z.string().optional(),
  ports: z.array(DiscoveryPort).default([]),
});
export type Discovery = z.infer<typeof Discovery>;

/** The container a task runs in: its runtime and how its ports reach the host. */
export const Container = z.object({
  type: z.string().optional(),
  /** Docker network mode (`HOST`, `BRIDGE`, `USER`), when the runtime is Docker. */
  dockerNetwork: z.string().optional(),
  portMappings: z.array(PortMapping).default([]),
  networkInfos: z.array(NetworkInfo).default([]),
});
export type Container = z.infer<typeof Container>;

export const Task = z.object({
  id: z.string().min(1),
  name: z.string(),
  frameworkId: z.string(),
  agentId: z.string(),
  /** The task's current state (`TASK_RUNNING`, `TASK_KILLING`, ...). */
  state: z.string(),
  labels: z.array(Label).default([]),
  /** The `ports` resources the task holds (host ports). */
  ports: z.array(PortRange).default([]),
  discovery: Discovery.optional(),
  container: Container.optional(),
  /** True when the task definition carries a health check. */
  hasHealthCheck: z.boolean().default(false),
  statuses: z.array(TaskStatus).default([]),
  /** The Marathon app the task is an instance of (`/shop/web`), from `/v2/apps` or Marathon's task id. */
  appId: z.string().optional(),
  /** The role its resources were allocated to (Mesos `allocation_info.role`), else its framework's role. */
  role: z.string().optional(),
  /** Its framework's principal (`FrameworkInfo.principal`): who launched it. */
  principal: z.string().optional(),
});
export type Task = z.infer<typeof Task>;

export const Agent = z.object({
  id: z.string().min(1),
  hostname: z.string(),
  /** The agent's libprocess PID (`slave(1)@ip:port`), when known. */
  pid: z.string().optional(),
  /** The agent's IPs: its PID host, or its hostname resolved when the snapshot was taken. */
  ips: z.array(z.string()).default([]),
  /** A public agent (role `slave_public`): where edge load balancers run. */
  public: z.boolean().default(false),
  attributes: z.record(z.string(), z.string()).default({}),
});
export type Agent = z.infer<typeof Agent>;

export const Framework = z.object({
  id: z.string().min(1),
  name: z.string(),
  /** The scheduler's PID (`scheduler(1)@ip:port`), when it has one. */
  pid: z.string().optional(),
  hostname: z.string().optional(),
  /** The scheduler's IPs: the PID host, or the hostname resolved when the snapshot was taken. */
  ips: z.array(z.string()).default([]),
  /** The principal it authenticated as (`FrameworkInfo.principal`). */
  principal: z.string().optional(),
  /** Its role (`FrameworkInfo.role`, or the first of `roles`). */
  role: z.string().optional(),
});
export type Framework = z.infer<typeof Framework>;

/** A Mesos master as `host:port`, in the working order (presumed leader first). */
export const Master = z.string();

/**
 * Allocations the previous desired state made. They are inputs so that allocations never move
 * while their owner exists (DESIGN principle 4). Each capability owns its key.
 */
export const PreviousAllocations = z.looseObject({ l4lb: PreviousL4lb.optional(), overlay: PreviousOverlay.optional() });
export type PreviousAllocations = z.infer<typeof PreviousAllocations>;

export const ClusterSnapshot = z.object({
  apiVersion: z.literal("wayfinder/v1").default("wayfinder/v1"),
  cluster: z.object({ name: z.string().min(1) }),
  /** When the snapshot was taken (ISO 8601). Used where the originals read the clock: SOA serials. */
  now: z.iso.datetime({ offset: true }),
  /** The elected master's PID as Mesos reports it (`master@ip:port`); empty when none is known. */
  leader: z.string().default(""),
  masters: z.array(Master).default([]),
  agents: z.array(Agent).default([]),
  frameworks: z.array(Framework).default([]),
  tasks: z.array(Task).default([]),
  /** Marathon apps with their tasks (`/v2/apps?embed=apps.tasks`), for layer-7 load balancing. */
  marathonApps: z.array(MarathonApp).default([]),
  config: Config.default(Config.parse({})),
  previous: PreviousAllocations.default({}),
});
/** The snapshot as a client writes it (defaults optional). */
export type ClusterSnapshotInput = z.input<typeof ClusterSnapshot>;
/** The snapshot after validation (defaults filled in). */
export type ClusterSnapshot = z.infer<typeof ClusterSnapshot>;
