/**
 * @module
 * The one decision function: reads a DesiredState's `policy` (the data every node renders
 * into its nftables table) and answers, for a connection, allow or deny and what decided.
 * It walks the same steps in the same order as the rendered table (`lib/render/policy-*`), so
 * `explain`, `matrix` and the kernel cannot disagree:
 *
 * 1. quarantine: a task its network refused sends and receives nothing;
 * 2. where it is judged: a task's connection on its own node, the node's own traffic there
 *    too (when it goes to a task), a source outside the cluster on the node of the task it
 *    reaches; a connection with no task at either end is none of the policy's business;
 * 3. an overlay address no task holds yet is closed (`unprogrammed`): nothing is open before
 *    its policy is;
 * 4. admin rules, in order (allow and deny decide; pass skips to step 5);
 * 5. network isolation, 6. the destination app's own tier, 7. the default.
 */
import type { PolicyIdentity, PolicySection } from "../../lib/desired/policy-schema.ts";
import { elementIndex, type ElementIndex } from "../../lib/desired/policy-elements.ts";
import { parseIpValue, type IpAddress } from "../../lib/net/cidr.ts";
import { portsMatch } from "../../lib/desired/policy-ports.ts";

export type Tier = "quarantine" | "scope" | "guard" | "admin" | "network" | "app" | "default";

export interface Decision {
  verdict: "allow" | "deny";
  tier: Tier;
  /** The rule's name, `network:<name>`, `app:<id>`, `default`, `quarantine`, `unprogrammed` or `no-task`. */
  by: string;
}

/** Where a connection comes from, as the node that judges it sees it. */
export type Source =
  | { kind: "task"; node: string; address: string }
  | { kind: "node"; node: string; address: string }
  | { kind: "unprogrammed"; node: string; address: string }
  | { kind: "cluster"; address: string }
  | { kind: "outside"; address: string };

/**
 * @example
 * const decider = new PolicyDecider(desired.policy);
 * decider.decide(decider.source("9.0.1.2"), "9.0.2.5", "tcp", 5432) // { verdict: "allow", tier: "admin", by: "web-to-db" }
 */
export class PolicyDecider {
  readonly #policy: PolicySection;
  readonly #sets = new Map<string, ElementIndex>();
  readonly #owners = new Map<string, Source>();
  readonly #rules: Map<string, PolicySection["rules"][number]>;
  readonly #apps: Map<string, PolicySection["apps"][number]>;
  /** Every quarantined task's own address, on whichever node it is blocked. */
  readonly #blocked = new Set<string>();

  constructor(policy: PolicySection) {
    this.#policy = policy;
    this.#rules = new Map(policy.rules.map((r) => [r.name, r]));
    this.#apps = new Map(policy.apps.map((a) => [a.appId, a]));
    for (const [node, entry] of Object.entries(policy.nodes)) {
      for (const address of entry.blocked) this.#blocked.add(address);
      for (const address of entry.addresses) this.#owners.set(address, { kind: "node", node, address });
      for (const address of Object.keys(entry.sources)) this.#owners.set(address, { kind: "task", node, address });
    }
  }

  /** Who sends from `address`: a task, a node, an address of a node's slice no task holds, another cluster address, or the outside. */
  source(address: string): Source {
    const owner = this.#owners.get(address);
    if (owner !== undefined) return owner;
    for (const [node, entry] of Object.entries(this.#policy.nodes)) {
      if (elementIndex(entry.slices).has(address)) return { kind: "unprogrammed", node, address };
    }
    return this.#set("cluster").has(address) ? { kind: "cluster", address } : { kind: "outside", address };
  }

  /** The verdict for a new connection from `source` to `address`:`port`. */
  decide(source: Source, destination: string, protocol: string, port: number): Decision {
    const p = this.#policy;
    // Parsed once: a decision asks a set about each address many times (each admin rule's).
    const address = parseIpValue(destination) ?? destination;
    const from = parseIpValue(source.address) ?? source.address;
    if (this.#set("quarantine").has(address, port) || this.#blocked.has(source.address)) {
      return { verdict: "deny", tier: "quarantine", by: "quarantine" };
    }
    const unprogrammed = this.#set("overlay").has(address) && !this.#set("known").has(address);
    switch (source.kind) {
      case "unprogrammed":
        return { verdict: "deny", tier: "guard", by: "unprogrammed" };
      case "cluster":
        return unprogrammed ? { verdict: "deny", tier: "guard", by: "unprogrammed" } : noTask();
      case "outside": {
        const local = Object.values(p.nodes).some((n) => elementIndex(n.local).has(address, port));
        if (local) return this.#judge(p.outside, from, address, protocol, port);
        return unprogrammed ? { verdict: "deny", tier: "guard", by: "unprogrammed" } : noTask();
      }
      case "task":
        if (unprogrammed) return { verdict: "deny", tier: "guard", by: "unprogrammed" };
        return this.#judge(p.nodes[source.node]!.sources[source.address]!, from, address, protocol, port);
      case "node": {
        if (unprogrammed) return { verdict: "deny", tier: "guard", by: "unprogrammed" };
        const toTask = this.#set("overlay").has(address) || this.#set("known").has(address) || this.#set("hostports").has(address, port);
        return toTask ? this.#judge(p.nodes[source.node]!.identity, from, address, protocol, port) : noTask();
      }
    }
  }

  #judge(identityKey: string, from: Address, address: Address, protocol: string, port: number): Decision {
    const identity: PolicyIdentity = this.#policy.identities[identityKey]!;
    for (const { name, from: checked } of identity.rules) {
      const rule = this.#rules.get(name)!;
      if (checked !== undefined && !this.#set(checked).has(from)) continue;
      if (rule.to !== undefined && !this.#set(rule.to).has(address, port)) continue;
      if (!portsMatch(rule.ports, protocol, port)) continue;
      if (rule.action === "pass") break;
      return { verdict: rule.action, tier: "admin", by: name };
    }
    return this.#tiers(identity, from, address, protocol, port);
  }

  /** After the admin rules: isolation (for sources on a network), the app tier, the default. */
  #tiers(identity: PolicyIdentity, from: Address, address: Address, protocol: string, port: number): Decision {
    const p = this.#policy;
    const network = identity.network;
    if (network !== undefined) {
      for (const isolated of p.networks) {
        if (isolated.name === network || isolated.allowFrom.includes(network)) continue;
        if (this.#set(isolated.members).has(address)) return { verdict: "deny", tier: "network", by: `network:${isolated.name}` };
      }
    }
    for (const grant of identity.grants) {
      const app = this.#apps.get(grant.app)!;
      if (grant.from !== undefined && !this.#set(grant.from).has(from)) continue;
      if (this.#set(app.members).has(address, port) && portsMatch(app.entries[grant.entry]!.ports, protocol, port)) {
        return { verdict: "allow", tier: "app", by: `app:${app.appId}` };
      }
    }
    const app = p.apps.find((a) => this.#set(a.members).has(address, port));
    if (app !== undefined) {
      const anyone = app.entries.some((e) => e.anyone && portsMatch(e.ports, protocol, port));
      return { verdict: anyone ? "allow" : "deny", tier: "app", by: `app:${app.appId}` };
    }
    return { verdict: p.default, tier: "default", by: "default" };
  }

  #set(key: string): ElementIndex {
    let index = this.#sets.get(key);
    if (index === undefined) this.#sets.set(key, (index = elementIndex(this.#policy.sets[key]?.elements ?? [])));
    return index;
  }
}

/** An address as a set is asked about it: parsed, or the text when it is none (it matches nothing). */
type Address = IpAddress | string;

function noTask(): Decision {
  return { verdict: "allow", tier: "scope", by: "no-task" };
}
