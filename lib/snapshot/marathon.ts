/**
 * @module
 * Marathon apps as `/v2/apps?embed=apps.tasks` returns them. Only the fields the layer-7
 * reconciler reads are typed; everything else passes through untouched, because Marathon's app
 * document is large, versioned (1.4 and 1.5 shapes differ) and mostly irrelevant here.
 * `null` is accepted wherever a field is optional: Marathon writes `null` for "absent".
 */
import { z } from "zod";

const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

export const MarathonPortDefinition = z.looseObject({
  port: optional(z.number().int()),
  protocol: optional(z.string()),
  name: optional(z.string()),
  labels: optional(z.record(z.string(), z.string())),
});

export const MarathonPortMapping = z.looseObject({
  containerPort: optional(z.number().int()),
  hostPort: optional(z.number().int()),
  servicePort: optional(z.number().int()),
  protocol: optional(z.string()),
  name: optional(z.string()),
  labels: optional(z.record(z.string(), z.string())),
});

export const MarathonHealthCheck = z.looseObject({
  protocol: optional(z.string()),
  path: optional(z.string()),
  portIndex: optional(z.number().int()),
  port: optional(z.number().int()),
  command: optional(z.unknown()),
  gracePeriodSeconds: optional(z.number()),
  intervalSeconds: optional(z.number()),
  timeoutSeconds: optional(z.number()),
  maxConsecutiveFailures: optional(z.number()),
  ignoreHttp1xx: optional(z.boolean()),
});

export const MarathonTask = z.looseObject({
  id: z.string(),
  appId: optional(z.string()),
  host: optional(z.string()),
  slaveId: optional(z.string()),
  agentId: optional(z.string()),
  ports: optional(z.array(z.number().int())),
  ipAddresses: optional(z.array(z.looseObject({ ipAddress: z.string(), protocol: optional(z.string()) }))),
  state: optional(z.string()),
  startedAt: optional(z.string()),
  stagedAt: optional(z.string()),
  version: optional(z.string()),
  healthCheckResults: optional(z.array(z.looseObject({ alive: optional(z.boolean()), taskId: optional(z.string()) }))),
});

export const MarathonApp = z.looseObject({
  id: z.string().min(1),
  labels: optional(z.record(z.string(), z.string())),
  instances: optional(z.number().int()),
  portDefinitions: optional(z.array(MarathonPortDefinition)),
  ports: optional(z.array(z.number().int())),
  container: optional(
    z.looseObject({
      type: optional(z.string()),
      docker: optional(
        z.looseObject({
          network: optional(z.string()),
          portMappings: optional(z.array(MarathonPortMapping)),
        }),
      ),
      portMappings: optional(z.array(MarathonPortMapping)),
    }),
  ),
  networks: optional(z.array(z.looseObject({ mode: optional(z.string()), name: optional(z.string()) }))),
  ipAddress: optional(
    z.looseObject({
      networkName: optional(z.string()),
      discovery: optional(z.looseObject({ ports: optional(z.array(z.looseObject({}))) })),
    }),
  ),
  healthChecks: optional(z.array(MarathonHealthCheck)),
  tasks: optional(z.array(MarathonTask)),
  env: optional(z.record(z.string(), z.unknown())),
  version: optional(z.string()),
  /** When the app was last scaled; tells the colours of a hybrid blue/green deployment apart. */
  versionInfo: optional(z.looseObject({ lastScalingAt: optional(z.string()) })),
});
export type MarathonApp = z.infer<typeof MarathonApp>;
export type MarathonTask = z.infer<typeof MarathonTask>;
