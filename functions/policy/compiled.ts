/**
 * @module
 * What the config alone decides of a policy, worked out once per config: the settings (rules in
 * decision order, isolated networks), the sets the config fills (overlay subnets, VTEP subnets,
 * address blocks), the admin rules as grantors, and the rules' destination selectors indexed
 * so a task finds the ones it matches without testing each. A change of tasks, apps or agents
 * never changes any of it; a config change derives the policy again whole.
 */
import type { PolicySet, PolicySettings } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { sha256Hex } from "../../lib/net/digest.ts";
import type { OverlayConfig } from "../../lib/snapshot/overlay-config.ts";
import type { PolicyConfig } from "../../lib/snapshot/policy-config.ts";
import { PSEUDO_NETWORKS } from "../../lib/snapshot/policy-config.ts";
import { GrantorIndex, type RuleGrantor } from "./grantors.ts";
import { compileSelector, type CompiledSelector } from "./selectors.ts";

/** A rule's destination selector: its set holds the endpoints it matches. */
export interface Destination {
  key: string;
  selector: CompiledSelector;
}

/** Destinations by how a task finds them: by exact app id, by testing a profile, by testing an address. */
export interface DestinationIndex {
  byApp: Map<string, Destination[]>;
  /** Tested once per profile (no address blocks). */
  others: Destination[];
  /** Tested per address (address blocks beside other fields). */
  blocks: Destination[];
  /** Those a node can match (no task facts). */
  nodes: Destination[];
}

export interface CompiledPolicy {
  config: PolicyConfig;
  settings: PolicySettings;
  /** Every set the config defines, with the elements the config puts in it. */
  sets: Map<string, PolicySet>;
  /** Admin rules in decision order, as grantors of their `from`. */
  rules: readonly RuleGrantor[];
  ruleIndex: GrantorIndex<RuleGrantor>;
  destinations: DestinationIndex;
  /** Isolated network → its member set's key. */
  isolated: Map<string, string>;
  /** Names a `network:` source of an app label may use. */
  networks: ReadonlySet<string>;
  /** The networks every cluster of this config has: its overlays and the pseudo-networks. */
  declared: ReadonlySet<string>;
  /** Rules whose table entry is logged too (two nft rules). */
  logged: ReadonlySet<string>;
}

/**
 * @example compilePolicy(snapshot.config.policy!, snapshot.config.overlay).settings.rules[0]?.name // "no-metadata"
 */
export function compilePolicy(config: PolicyConfig, overlay: OverlayConfig): CompiledPolicy {
  const sets = new Map<string, PolicySet>();
  const put = (key: string, kind: PolicySet["kind"], about: string, elements: Iterable<string>) => {
    if (!sets.has(key)) sets.set(key, { kind, about, elements: normalizeElements(elements) });
    return key;
  };
  const ordered = [...config.rules].sort((a, b) => a.priority - b.priority || compareStrings(a.name, b.name));
  const compiled = ordered.map((rule) => ({ rule, from: compileSelector(rule.from), to: compileSelector(rule.to) }));
  const destinations: Destination[] = [];
  const rules = compiled.map(({ rule, to }) => {
    let key: string | undefined;
    if (!to.any) {
      key = `e-${selectorsHash([to])}`;
      if (!sets.has(key) && !to.blocksOnly) destinations.push({ key, selector: to });
      put(key, "endpoints", to.about, to.blocksOnly ? to.blockElements : []);
    }
    return { name: rule.name, action: rule.action, ...(key === undefined ? {} : { to: key }), ...(rule.ports === undefined ? {} : { ports: rule.ports }), log: rule.log };
  });
  const grantors: RuleGrantor[] = compiled.map(({ rule, from }) => ({ id: rule.name, name: rule.name, selectors: [from], ...optional("outsideFrom", blocksSet([from], put)) }));

  const overlaySubnets = overlay.overlays.flatMap((o) => [o.subnet, o.subnet6].filter((s): s is string => s !== undefined));
  const vteps = [overlay.vtep_subnet, ...(overlay.vtep_subnet6 === null ? [] : [overlay.vtep_subnet6])];
  put("overlay", "addresses", "the overlay subnets", overlaySubnets);
  put("cluster", "addresses", "overlays, VTEPs, agents and masters: judged where they send from", [...overlaySubnets, ...vteps]);
  put("known", "hosts", "the programmed tasks' own addresses", []);
  put("hostports", "endpoints", "the tasks' ports on their agents' addresses", []);
  put("quarantine", "endpoints", "tasks their network's attach ACL refused", []);

  const isolated = new Map<string, string>();
  const networks: PolicySettings["networks"] = [];
  for (const name of Object.keys(config.networks).sort(compareStrings)) {
    const spec = config.networks[name]!;
    if (spec.isolation !== "isolated") continue;
    const own = overlay.overlays.find((o) => o.name === name);
    const members = put(`n-${setSafe(name)}`, "addresses", `network ${name}`, [own?.subnet, own?.subnet6].filter((s): s is string => s !== undefined));
    isolated.set(name, members);
    networks.push({ name, members, allowFrom: [...spec.allowFrom].sort(compareStrings) });
  }
  const declared = new Set<string>([...overlay.overlays.map((o) => o.name), ...PSEUDO_NETWORKS]);
  return {
    config,
    settings: { default: config.default, logDrops: config.logDrops, rules, networks },
    sets,
    rules: grantors,
    ruleIndex: new GrantorIndex(grantors),
    destinations: destinationIndex(destinations),
    isolated,
    networks: new Set<string>([...declared, ...Object.keys(config.networks)]),
    declared,
    logged: new Set(rules.filter((r) => r.log || (config.logDrops && r.action === "deny")).map((r) => r.name)),
  };
}

/**
 * The set of the address blocks among `selectors` that stand alone: what a source outside the
 * cluster is checked against. Undefined when there are none (no such source matches).
 * @example blocksSet([compileSelector({ ipBlocks: [{ cidr: "10.0.0.0/8", except: [] }] })], put) // "a-5f0c1e2d3b4a"
 */
export function blocksSet(selectors: readonly CompiledSelector[], put: (key: string, kind: PolicySet["kind"], about: string, elements: Iterable<string>) => string): string | undefined {
  const only = selectors.filter((s) => s.blocksOnly);
  if (only.length === 0) return undefined;
  return put(`a-${selectorsHash(only)}`, "addresses", only.map((s) => s.about).join(" or "), only.flatMap((s) => s.blockElements));
}

/**
 * A name as part of a set key: lowercase, safe characters, and a hash when it had to change.
 * @example setSafe("/shop/web") // "shop-web-1c2d3e4f"
 */
export function setSafe(name: string): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  return safe === name ? safe : `${safe}-${sha256Hex(name).slice(0, 8)}`;
}

/** `{ [key]: value }`, or nothing when the value is undefined. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function selectorsHash(selectors: readonly CompiledSelector[]): string {
  return sha256Hex(selectors.map((s) => s.key).join(" ")).slice(0, 12);
}

function destinationIndex(list: readonly Destination[]): DestinationIndex {
  const index: DestinationIndex = { byApp: new Map(), others: [], blocks: [], nodes: [] };
  for (const destination of list) {
    const { selector } = destination;
    if (!selector.tasksOnly) index.nodes.push(destination);
    if (selector.blockElements.length > 0) index.blocks.push(destination);
    else if (selector.literalApps === undefined) index.others.push(destination);
    else {
      for (const app of new Set(selector.literalApps)) {
        const at = index.byApp.get(app);
        if (at === undefined) index.byApp.set(app, [destination]);
        else at.push(destination);
      }
    }
  }
  return index;
}
