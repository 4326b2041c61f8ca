/**
 * @module
 * The `policy` section of `wayfinder.yaml`: which tasks may attach to which network
 * (`networks.<net>.attach`, Mesos ACL style, first match wins), which networks are isolated
 * from the others (`isolation`, `allowFrom`), the admin rules (`rules`, lowest priority first;
 * allow and deny are final, pass hands over to the next tier) and the baseline (`default`).
 * Everything is strict: an unknown key, an invalid CIDR, port range or glob is an error with
 * its path, never a setting silently ignored, because an ignored policy field fails open.
 * Cross-checks against the rest of the config (which networks exist) live in `config.ts`.
 */
import { z } from "zod";
import { contains, parseCidr } from "../net/cidr.ts";
import { PortSpec } from "../desired/policy-ports.ts";
import { RuleName } from "../desired/policy-schema.ts";

/** Networks every cluster has without configuring them: agents' own addresses, Docker/Mesos bridges, and public agents (the HAProxy edge). */
export const PSEUDO_NETWORKS = ["host", "bridge", "edge"] as const;

/** A glob over app ids: `/shop/web`, `/shop/*` (one level), `/shop/**` (any depth). */
const AppGlob = z.string().regex(/^\/[A-Za-z0-9_.*?/-]*$/, "an app-id glob starts with '/' and holds letters, digits, '.', '-', '_', '/', '*' and '?'");
/** Roles, principals and framework names: plain names or globs of them. */
const NameGlob = z.string().regex(/^[A-Za-z0-9_.*?/-]+$/, "a name or glob of letters, digits, '.', '-', '_', '/', '*' and '?'");
/** Names a network: an overlay, one declared under `policy.networks`, or host, bridge, edge (checked in `config.ts`). */
const NetworkRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "a network name is letters, digits, '-' and '_'");

const Cidr = z.string().superRefine((text, ctx) => {
  const cidr = parseCidr(text);
  if (cidr === undefined) ctx.addIssue({ code: "custom", message: `'${text}' is not a CIDR block (address/length, e.g. 10.0.0.0/8 or fd00::/8)` });
  else if (cidr.address !== cidr.base) ctx.addIssue({ code: "custom", message: `'${text}' has host bits set after /${cidr.length}` });
});

/** `{cidr, except}` as Kubernetes' ipBlock: every `except` lies inside `cidr`, in its family. */
export const IpBlock = z
  .object({ cidr: Cidr, except: z.array(Cidr).default([]) })
  .strict()
  .superRefine((block, ctx) => {
    const outer = parseCidr(block.cidr);
    if (outer === undefined) return;
    block.except.forEach((text, i) => {
      const inner = parseCidr(text);
      if (inner === undefined) return;
      const inside = inner.family === outer.family && inner.length >= outer.length && contains(outer, inner.base);
      if (!inside) ctx.addIssue({ code: "custom", path: ["except", i], message: `'${text}' is not inside ${block.cidr}` });
    });
  });
export type IpBlock = z.infer<typeof IpBlock>;

/**
 * Who a rule is about. Fields are AND'ed, the values of one field OR'ed; an empty selector (or
 * an absent `from`/`to`) is everyone. `apps`, `labels` and `roles` select tasks; `networks`
 * selects the tasks and agents on a network; `ipBlocks` alone selects addresses (inside the
 * cluster or not), and beside other fields narrows their tasks to those addresses.
 */
export const Selector = z
  .object({
    apps: z.array(AppGlob).min(1).optional(),
    networks: z.array(NetworkRef).min(1).optional(),
    /** Marathon app labels (the task's own labels for tasks of no known app), all of which must match exactly. */
    labels: z.record(z.string().min(1), z.string()).optional(),
    roles: z.array(NameGlob).min(1).optional(),
    ipBlocks: z.array(IpBlock).min(1).optional(),
  })
  .strict();
export type Selector = z.infer<typeof Selector>;

export const AdminRule = z
  .object({
    name: RuleName,
    /** Lower first; equal priorities go in name order (AdminNetworkPolicy leaves them undefined). */
    priority: z.number().int().min(0).max(65535),
    /** allow and deny decide; pass skips the remaining admin rules (network isolation decides next). */
    action: z.enum(["allow", "deny", "pass"]),
    from: Selector.optional(),
    to: Selector.optional(),
    /** Absent: every protocol and port (ICMP included). An empty list would be ambiguous, so it is refused. */
    ports: z.array(PortSpec).min(1, "list at least one port, or leave 'ports' out for all of them").optional(),
    /** Log every connection this rule decides, prefixed with its name. */
    log: z.boolean().default(false),
  })
  .strict();
export type AdminRule = z.infer<typeof AdminRule>;

/** One entry of a network's attach ACL; every condition given must match (an entry without any matches every task). */
export const AttachEntry = z
  .object({
    action: z.enum(["allow", "deny"]),
    apps: z.array(AppGlob).min(1).optional(),
    roles: z.array(NameGlob).min(1).optional(),
    principals: z.array(NameGlob).min(1).optional(),
    /** Framework names (or ids). */
    frameworks: z.array(NameGlob).min(1).optional(),
  })
  .strict();
export type AttachEntry = z.infer<typeof AttachEntry>;

export const NetworkPolicy = z
  .object({
    /** First match wins, as in Mesos ACLs; no match allows. */
    attach: z.array(AttachEntry).default([]),
    /** `isolated`: tasks on other networks may not connect, except those in `allowFrom`. */
    isolation: z.enum(["open", "isolated"]).default("open"),
    allowFrom: z.array(NetworkRef).default([]),
  })
  .strict()
  .superRefine((network, ctx) => {
    if (network.isolation === "open" && network.allowFrom.length > 0) {
      ctx.addIssue({ code: "custom", path: ["allowFrom"], message: "allowFrom only means something on an isolated network (isolation: isolated)" });
    }
  });
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;

export const PolicyConfig = z
  .object({
    /** Per network (an overlay, host, bridge, edge, or a CNI network wayfinder does not manage). */
    networks: z.record(NetworkRef, NetworkPolicy).default({}),
    rules: z.array(AdminRule).default([]),
    /** The baseline after every tier. */
    default: z.enum(["allow", "deny"]).default("allow"),
    /** Log every dropped connection with the name of what dropped it (rate-limited). */
    logDrops: z.boolean().default(false),
    /**
     * A node's rule budget. A node whose table would need more is reported (an error
     * diagnostic naming it); its applier keeps the last table the kernel accepted.
     */
    maxRulesPerNode: z.number().int().min(1).default(50_000),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seen = new Map<string, number>();
    policy.rules.forEach((rule, i) => {
      const first = seen.get(rule.name);
      if (first !== undefined) ctx.addIssue({ code: "custom", path: ["rules", i, "name"], message: `rule '${rule.name}' is already defined at rules[${first}]` });
      else seen.set(rule.name, i);
    });
  });
export type PolicyConfig = z.infer<typeof PolicyConfig>;

/**
 * Every network name a policy refers to, with its path, for the cross-check against the
 * networks that exist.
 * @example policyNetworkRefs(policy) // [{ name: "dcos-db", path: ["networks", "dcos", "allowFrom", 0] }]
 */
export function policyNetworkRefs(policy: PolicyConfig): Array<{ name: string; path: PropertyKey[] }> {
  const refs: Array<{ name: string; path: PropertyKey[] }> = [];
  for (const [network, spec] of Object.entries(policy.networks)) {
    spec.allowFrom.forEach((name, i) => refs.push({ name, path: ["networks", network, "allowFrom", i] }));
  }
  policy.rules.forEach((rule, i) => {
    for (const side of ["from", "to"] as const) {
      rule[side]?.networks?.forEach((name, j) => refs.push({ name, path: ["rules", i, side, "networks", j] }));
    }
  });
  return refs;
}
