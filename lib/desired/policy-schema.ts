/**
 * @module
 * The `policy` section of a DesiredState: the network policy as keyed, node-projectable data.
 * Address sets are objects of their own, keyed by what selects them, so a task that comes or
 * goes changes only the sets it is in; each node has its own entry (which local addresses are
 * which identity); everything else (rules, identities, isolated networks, app tiers) is shared.
 * `lib/render/policy-nftables.ts` turns a node's view of it into one nftables table, and
 * `functions/policy/decide.ts` answers `explain` and `matrix` by reading the same data.
 */
import { z } from "zod";
import { parseElement } from "./policy-elements.ts";
import { PortSpec } from "./policy-ports.ts";

const Element = z.string().refine((text) => parseElement(text) !== undefined, "an address, CIDR block or range, optionally followed by a port or port range");

/** What selects a set's members, and its normalised elements. */
export const PolicySet = z
  .object({
    /**
     * `addresses`: addresses, blocks and ranges (matched on an address); `hosts`: single
     * addresses only, a plain hash set that a change updates without reading the set back;
     * `endpoints`: destinations (address and port).
     */
    kind: z.enum(["addresses", "hosts", "endpoints"]),
    /** What the set stands for, for people reading `nft list` or the desired state. */
    about: z.string(),
    elements: z.array(Element),
  })
  .refine((set) => set.kind !== "hosts" || set.elements.every((e) => /^[0-9a-f.:]+$/i.test(e)), { message: "a hosts set holds single addresses", path: ["elements"] });
export type PolicySet = z.infer<typeof PolicySet>;

const SetKey = z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, "a set key is lowercase letters, digits and '-'");

/**
 * A rule name: it names counters, log prefixes and `by` in answers, so it is kept to a safe
 * alphabet (the config refuses anything else; a desired state from elsewhere is checked too).
 */
export const RuleName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, "a rule name is lowercase letters, digits, '.' and '-' (at most 63, starting and ending with a letter or digit)");

/** An identity's key names its chains: `i-` and a content hash. */
const IdentityKey = z.string().regex(/^i-[0-9a-f]{12}$/, "an identity key is 'i-' and 12 hex digits");

/** An admin rule as the data plane applies it: its destination resolved to a set (its source is the identities'). */
export const PolicyRule = z.object({
  name: RuleName,
  action: z.enum(["allow", "deny", "pass"]),
  /** An `endpoints` set; absent: any destination. */
  to: SetKey.optional(),
  /** Absent: every protocol and port. */
  ports: z.array(PortSpec).optional(),
  log: z.boolean(),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

/**
 * What can decide for one kind of source. A source on a node is one identity: the admin rules
 * whose `from` it matches, and the app-tier entries whose sources it is, are known when the
 * table is built, so they are not checked per packet. `from` is checked only where the source
 * is matched by address (sources outside the cluster, matched by address blocks).
 */
export const PolicyIdentity = z.object({
  /** The network isolation checks the source against; absent for sources outside the cluster. */
  network: z.string().optional(),
  /** Admin rules, in decision order. */
  rules: z.array(z.object({ name: RuleName, from: SetKey.optional() })),
  /** App-tier entries that let this source in: `apps[app]`'s entry `entry`. */
  grants: z.array(z.object({ app: z.string(), entry: z.number().int().min(0), from: SetKey.optional() })),
});
export type PolicyIdentity = z.infer<typeof PolicyIdentity>;

/** An isolated network: who is on it, and which other networks may still connect. */
export const IsolatedNetwork = z.object({
  name: z.string(),
  /** An `addresses` set. */
  members: SetKey,
  allowFrom: z.array(z.string()),
});
export type IsolatedNetwork = z.infer<typeof IsolatedNetwork>;

/** One app's own tier (its `WAYFINDER_POLICY_ALLOW_FROM*` labels): entries in label order. */
export const AppTier = z.object({
  appId: z.string(),
  /** An `endpoints` set: where the app's tasks are reached. */
  members: SetKey,
  /** In label order; which sources an entry lets in is in the identities' `grants`. */
  entries: z.array(
    z.object({
      /** Absent: every port. */
      ports: z.array(PortSpec).optional(),
      /** `*`: anyone, whatever their identity. */
      anyone: z.boolean(),
    }),
  ),
});
export type AppTier = z.infer<typeof AppTier>;

/** One node's part: which of its addresses are which identity. */
export const NodePolicy = z.object({
  /** `edge` on public agents (HAProxy runs there), else `host`. */
  network: z.enum(["host", "edge"]),
  /** The identity of what the node itself sends (host-network tasks, HAProxy). */
  identity: IdentityKey,
  /** The addresses it sends from: underlay, VTEP and bridge gateways. */
  addresses: z.array(z.string()),
  /** Local task address → identity key. */
  sources: z.record(z.string(), IdentityKey),
  /** Endpoint elements of the node's own tasks: what a source outside the cluster may be judged reaching here. */
  local: z.array(Element),
  /** The node's overlay slices: an unknown source in them is a task not programmed yet. */
  slices: z.array(Element),
  /** Own addresses of the node's quarantined tasks: nothing they send leaves. */
  blocked: z.array(Element),
});
export type NodePolicy = z.infer<typeof NodePolicy>;

export const PolicySection = z.object({
  default: z.enum(["allow", "deny"]),
  logDrops: z.boolean(),
  /** Admin rules in decision order (priority, then name). */
  rules: z.array(PolicyRule),
  sets: z.record(SetKey, PolicySet),
  identities: z.record(IdentityKey, PolicyIdentity),
  /** The identity of sources outside the cluster. */
  outside: IdentityKey,
  /** Sorted by name. */
  networks: z.array(IsolatedNetwork),
  /** Sorted by app id. */
  apps: z.array(AppTier),
  /** Agent id (or `master@<ip>`) → its part. A node view keeps only its own. */
  nodes: z.record(z.string(), NodePolicy),
});
export type PolicySection = z.infer<typeof PolicySection>;

/**
 * The section's keyed pieces (docs/delta-path.md §1) that are not parts of it as they are.
 * `policy/settings` is what only the config decides; the outside identity and the app tiers,
 * which come and go with apps, are objects of their own, so a change to one app never
 * rewrites the rules.
 */
export const PolicySettings = PolicySection.pick({ default: true, logDrops: true, rules: true, networks: true });
export type PolicySettings = z.infer<typeof PolicySettings>;

/** `policy/outside`: which identity sources outside the cluster are. */
export const PolicyOutside = z.object({ identity: IdentityKey });
export type PolicyOutside = z.infer<typeof PolicyOutside>;

/**
 * `policy/member/task/<id>` and `policy/member/node/<id>`: what one task or node adds to the
 * address sets, by set key. A set is its own elements (`policy/set/<key>`: what the config
 * puts in it) and its members', so a task that comes or goes changes its own object, never a
 * set that lists the cluster.
 */
export const PolicyMembership = z.record(SetKey, z.array(Element).min(1));
export type PolicyMembership = z.infer<typeof PolicyMembership>;

/**
 * Sets every policy has, by fixed key: `overlay` (overlay subnets), `cluster` (addresses that
 * are judged where they send from: overlays, VTEPs, agents, masters), `known` (the programmed
 * tasks' own addresses), `hostports` (tasks' ports on their agents' addresses), `quarantine`
 * (endpoints of tasks their network refused). A task that comes or goes changes `known` (a hash
 * set) and, with host ports, the small `hostports`.
 */
export const FIXED_SETS = ["overlay", "cluster", "known", "hostports", "quarantine"] as const;
