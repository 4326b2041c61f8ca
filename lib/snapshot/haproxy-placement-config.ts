/**
 * @module
 * Where each LB group's HAProxy runs (`haproxy.placement`) and the ports a group binds when
 * they are not the shared ones (`haproxy.groupPorts`). In DC/OS every group was its own
 * marathon-lb app, placed by Marathon: the package's default instance on public agents
 * (`acceptedResourceRoles: slave_public`, `--group external`), `marathon-lb-internal` on
 * private agents (`--group internal`), and operators narrowed either with attribute
 * constraints. Here one agent runs every group placed on it, so the same choices are made
 * from the snapshot's agents (their `public` flag and attributes).
 */
import { z } from "zod";

const Port = z.number().int().min(1).max(65535);

/** A Mesos attribute's name as agents report it (`rack`, `lb_role`, `public_ip`). */
const AttributeName = z.string().regex(/^[A-Za-z0-9_.-]+$/, "an attribute name is letters, digits, '_', '.' and '-'");

/**
 * Agents a selector takes: every condition it names must hold; `{}` takes every agent.
 * @example AgentSelector.parse({ public: false, attributes: { rack: ["r1", "r2"] } })
 * @example AgentSelector.parse({ ids: ["c620b0f5-ce56-472b-814a-aa36b40206af-S1"] })
 */
export const AgentSelector = z
  .object({
    /** true: public agents (role `slave_public`) only; false: private agents only; absent: both. */
    public: z.boolean().optional(),
    /** The agent's id is one of these (Mesos agent ids, `...-S3`). */
    ids: z.array(z.string().min(1, "an agent id is not empty")).min(1).optional(),
    /** Attributes the agent must have, each with the value given or one of the values listed. */
    attributes: z.record(AttributeName, z.union([z.string(), z.array(z.string()).min(1)])).optional(),
  })
  .strict();
export type AgentSelector = z.infer<typeof AgentSelector>;

/**
 * A group's placement: the agents any of its selectors takes (`[]`: none, the group is not
 * run). One selector may be written without the list. An agent's `--haproxy-groups` can only
 * narrow what is placed on it, so the control plane sees every clash.
 */
export const GroupPlacement = z.unknown().transform((value, ctx): AgentSelector[] => {
  // Not a union: a union's error is "Invalid input" at the group; this one names the selector's key.
  const parsed = Array.isArray(value) ? z.array(AgentSelector).safeParse(value) : AgentSelector.safeParse(value);
  if (parsed.success) return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  for (const issue of parsed.error.issues) {
    // A bad attribute name: say what a name is rather than "Invalid key in record".
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    ctx.addIssue({ ...issue, message });
  }
  return z.NEVER;
});
export type GroupPlacement = z.infer<typeof GroupPlacement>;

/**
 * The default placement of a group the config does not place: `internal` on private agents
 * (DC/OS's `marathon-lb-internal`), every other group (`external`, `*`, ...) on public agents,
 * where the marathon-lb package ran.
 * @example defaultPlacement("internal") // [{ public: false }]
 */
export function defaultPlacement(group: string): GroupPlacement {
  return group === "internal" ? [{ public: false }] : [{ public: true }];
}

/** The shared frontends' ports, which a group may bind elsewhere. */
export const SHARED_PORT_KEYS = ["httpPort", "httpsPort", "appIdPort", "statsPort"] as const;
export type SharedPortKey = (typeof SHARED_PORT_KEYS)[number];

/** A group's own ports; the ones left out are the shared ones. */
export const GroupPorts = z
  .object({ httpPort: Port.optional(), httpsPort: Port.optional(), appIdPort: Port.optional(), statsPort: Port.optional() })
  .strict();
export type GroupPorts = z.infer<typeof GroupPorts>;
