/**
 * @module
 * The network policy of a snapshot: admin rules → network isolation → the app tier → the
 * default, as keyed data every node renders into one nftables table and `explain` reads
 * (`decide.ts`). Stages: endpoints (`endpoints.ts`), selectors (`selectors.ts`), address sets
 * (`sets.ts`), identities (`identities.ts`), app labels (`app-tier.ts`). Pure and total: an app
 * label it cannot read is a diagnostic, and the rest of the policy stands.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import type { AppTier, IsolatedNetwork, NodePolicy, PolicyRule, PolicySection } from "../../lib/desired/policy-schema.ts";
import { normalizeElements } from "../../lib/desired/policy-elements.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { sha256Hex } from "../../lib/net/digest.ts";
import type { PolicyConfig } from "../../lib/snapshot/policy-config.ts";
import { PSEUDO_NETWORKS } from "../../lib/snapshot/policy-config.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { appTier } from "./app-tier.ts";
import { clusterEndpoints, type Endpoints, type TaskEndpoint } from "./endpoints.ts";
import { Identities, type AppGrantor } from "./identities.ts";
import { compileSelector } from "./selectors.ts";
import { EndpointIndex, SetCollector } from "./sets.ts";

export interface PolicyInput {
  /** The admitted snapshot (`functions/admission`). */
  snapshot: ClusterSnapshot;
  /** The snapshot's tasks that were quarantined: kept off every network. */
  quarantined: ClusterSnapshot["tasks"];
  /** The overlay's node entries: slices, VTEP and bridge addresses, masters. */
  overlayNodes: Readonly<Record<string, OverlayNode>>;
}

export interface PolicyResult {
  /** Absent when the config has no `policy`. */
  policy?: PolicySection;
  diagnostics: Diagnostic[];
}

/**
 * @example policyState({ snapshot, quarantined: [], overlayNodes: desired.overlay.nodes }).policy?.rules[0]?.name // "web-to-db"
 */
export function policyState(input: PolicyInput): PolicyResult {
  const config = input.snapshot.config.policy;
  if (config === undefined) return { diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const endpoints = clusterEndpoints(input.snapshot, input.overlayNodes);
  const quarantined = clusterEndpoints({ ...input.snapshot, tasks: input.quarantined }, input.overlayNodes).tasks;
  const index = new EndpointIndex(endpoints);
  const sets = new SetCollector();

  const ordered = [...config.rules].sort((a, b) => a.priority - b.priority || compareStrings(a.name, b.name));
  const compiled = ordered.map((rule) => ({ rule, from: compileSelector(rule.from), to: compileSelector(rule.to) }));
  const rules: PolicyRule[] = compiled.map(({ rule, to }) => ({
    name: rule.name,
    action: rule.action,
    ...(to.any ? {} : { to: sets.destinations(to, index) }),
    ...(rule.ports === undefined ? {} : { ports: rule.ports }),
    log: rule.log,
  }));
  const ruleGrantors = compiled.map(({ rule, from }) => ({ name: rule.name, selectors: [from], ...optional("outsideFrom", sets.blocks([from])) }));
  const { apps, grantors } = appTiers(config, input.snapshot, index, sets, diagnostics);
  const identities = new Identities(ruleGrantors, grantors, index);

  const overlaySubnets = input.snapshot.config.overlay.overlays.flatMap((o) => [o.subnet, o.subnet6].filter((s): s is string => s !== undefined));
  fixedSets(input, endpoints, quarantined, sets, overlaySubnets);
  const networks = isolatedNetworks(config, input.snapshot, endpoints, sets);
  const nodes = nodePolicies(input, endpoints, quarantined, identities);
  const outside = identities.outside();
  diagnostics.push(...unusedNetworks(config, input.snapshot, endpoints));

  const policy: PolicySection = {
    default: config.default,
    logDrops: config.logDrops,
    rules,
    sets: Object.fromEntries([...sets.sets].sort(([a], [b]) => compareStrings(a, b))),
    identities: Object.fromEntries([...identities.identities].sort(([a], [b]) => compareStrings(a, b))),
    outside,
    networks,
    apps,
    nodes,
  };
  diagnostics.push(...overBudget(policy, config));
  return { policy, diagnostics };
}

/** The sets every node's table has (see `FIXED_SETS`). */
function fixedSets(input: PolicyInput, endpoints: Endpoints, quarantined: readonly TaskEndpoint[], sets: SetCollector, overlaySubnets: readonly string[]): void {
  const overlay = input.snapshot.config.overlay;
  const nodeAddresses = endpoints.nodes.flatMap((n) => n.addresses);
  sets.put("overlay", "addresses", "the overlay subnets", overlaySubnets);
  const vteps = [overlay.vtep_subnet, ...(overlay.vtep_subnet6 === null ? [] : [overlay.vtep_subnet6])];
  sets.put("cluster", "addresses", "overlays, VTEPs, agents and masters: judged where they send from", [...overlaySubnets, ...vteps, ...nodeAddresses]);
  sets.put("known", "hosts", "the programmed tasks' own addresses", endpoints.tasks.filter((e) => e.own && e.network !== "bridge").map((e) => e.address));
  sets.put("hostports", "endpoints", "the tasks' ports on their agents' addresses", endpoints.tasks.filter((e) => !e.own).flatMap((e) => e.elements));
  sets.put("quarantine", "endpoints", "tasks their network's attach ACL refused", quarantined.flatMap((e) => e.elements));
}

/** Networks with `isolation: isolated`, by name, with the addresses that are on them. */
function isolatedNetworks(config: PolicyConfig, snapshot: ClusterSnapshot, endpoints: Endpoints, sets: SetCollector): IsolatedNetwork[] {
  const out: IsolatedNetwork[] = [];
  for (const name of Object.keys(config.networks).sort(compareStrings)) {
    const spec = config.networks[name]!;
    if (spec.isolation !== "isolated") continue;
    const overlay = snapshot.config.overlay.overlays.find((o) => o.name === name);
    const elements = [overlay?.subnet, overlay?.subnet6].filter((s): s is string => s !== undefined);
    for (const e of endpoints.tasks) if (e.own && e.network === name && name !== "bridge") elements.push(e.address);
    for (const node of endpoints.nodes) if (node.network === name) elements.push(...node.addresses);
    const members = sets.put(`n-${setSafe(name)}`, "addresses", `network ${name}`, elements);
    out.push({ name, members, allowFrom: [...spec.allowFrom].sort(compareStrings) });
  }
  return out;
}

/** Each app with policy labels: where it is reached, its entries, and who each entry lets in. */
function appTiers(config: PolicyConfig, snapshot: ClusterSnapshot, index: EndpointIndex, sets: SetCollector, diagnostics: Diagnostic[]) {
  const known = new Set<string>([...snapshot.config.overlay.overlays.map((o) => o.name), ...PSEUDO_NETWORKS, ...Object.keys(config.networks)]);
  const byApp = new Map<string, TaskEndpoint[]>();
  for (const e of index.endpoints.tasks) {
    if (e.task.appId === undefined) continue;
    const list = byApp.get(e.task.appId);
    if (list === undefined) byApp.set(e.task.appId, [e]);
    else list.push(e);
  }
  const apps: AppTier[] = [];
  const grantors: AppGrantor[] = [];
  for (const appId of [...byApp.keys()].sort(compareStrings)) {
    const members = byApp.get(appId)!;
    const first = [...members].sort((a, b) => compareStrings(a.task.taskId, b.task.taskId))[0]!;
    const spec = appTier(appId, first.task.labels, known);
    diagnostics.push(...spec.diagnostics);
    if (spec.entries === undefined) continue;
    spec.entries.forEach((entry, i) => {
      if (entry.sources === undefined) return;
      const selectors = entry.sources.map(compileSelector);
      grantors.push({ app: appId, entry: i, selectors, ...optional("outsideFrom", sets.blocks(selectors)) });
    });
    const key = sets.put(`m-${setSafe(appId)}`, "endpoints", `app ${appId}`, members.flatMap((e) => e.elements));
    apps.push({ appId, members: key, entries: spec.entries.map((e) => ({ ...(e.ports === undefined ? {} : { ports: e.ports }), anyone: e.sources === undefined })) });
  }
  return { apps, grantors };
}

/** Each node's part: its identity, its tasks' identities, its endpoints and slices. */
function nodePolicies(input: PolicyInput, endpoints: Endpoints, quarantined: readonly TaskEndpoint[], identities: Identities): Record<string, NodePolicy> {
  const nodes: Record<string, NodePolicy> = {};
  const byNode = new Map<string, TaskEndpoint[]>();
  for (const e of endpoints.tasks) {
    const list = byNode.get(e.task.node);
    if (list === undefined) byNode.set(e.task.node, [e]);
    else list.push(e);
  }
  const blocked = new Map<string, string[]>();
  for (const e of quarantined) {
    if (e.own) blocked.set(e.task.node, [...(blocked.get(e.task.node) ?? []), e.address]);
  }
  for (const node of [...endpoints.nodes].sort((a, b) => compareStrings(a.node, b.node))) {
    const local = byNode.get(node.node) ?? [];
    const sources: Record<string, string> = {};
    // Task ids in order, so a reused address is the same task's on every run.
    for (const e of [...local].sort((a, b) => compareStrings(a.task.taskId, b.task.taskId))) {
      if (e.own && !Object.hasOwn(sources, e.address)) sources[e.address] = identities.ofTask(e);
    }
    const overlay = input.overlayNodes[node.node];
    nodes[node.node] = {
      network: node.network,
      identity: identities.ofNode(node),
      addresses: [...node.addresses].sort(compareStrings),
      sources: Object.fromEntries(Object.entries(sources).sort(([a], [b]) => compareStrings(a, b))),
      local: normalizeElements(local.flatMap((e) => e.elements)),
      slices: normalizeElements((overlay?.overlays ?? []).flatMap((o) => [o.subnet, o.subnet6].filter((s): s is string => s !== undefined))),
      blocked: normalizeElements(blocked.get(node.node) ?? []),
    };
  }
  return nodes;
}

/** A network under `policy.networks` that is no overlay, no pseudo-network and has no task: probably a typo. */
function unusedNetworks(config: PolicyConfig, snapshot: ClusterSnapshot, endpoints: Endpoints): Diagnostic[] {
  const used = new Set<string>([...snapshot.config.overlay.overlays.map((o) => o.name), ...PSEUDO_NETWORKS, ...endpoints.tasks.map((e) => e.network)]);
  return Object.keys(config.networks)
    .filter((name) => !used.has(name))
    .map((name) => ({ level: "warning" as const, code: "policy.unused-network", subject: `network:${name}`, message: `policy.networks.${name} names no overlay and no task is on it; check the name` }));
}

/** One error per node whose table would need more rules than `maxRulesPerNode`. */
function overBudget(policy: PolicySection, config: PolicyConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  const logged = new Set(policy.rules.filter((r) => r.log || (policy.logDrops && r.action === "deny")).map((r) => r.name));
  const sharedRules = policy.networks.length * 4 + policy.apps.reduce((n, a) => n + a.entries.length + 1, 0) + 40;
  for (const [key, node] of Object.entries(policy.nodes)) {
    const ids = new Set([node.identity, policy.outside, ...Object.values(node.sources)]);
    let rules = sharedRules;
    for (const id of ids) {
      const identity = policy.identities[id]!;
      for (const r of identity.rules) rules += logged.has(r.name) ? 2 : 1;
      rules += identity.grants.length + 4;
    }
    // Both families carry the same chains.
    rules *= 2;
    if (rules > config.maxRulesPerNode) {
      out.push({ level: "error", code: "policy.node-over-budget", subject: `agent:${key}`, message: `its policy table needs about ${rules} rules, more than policy.maxRulesPerNode (${config.maxRulesPerNode}); narrow the rules' selectors or raise the budget` });
    }
  }
  return out;
}

/** `{ [key]: value }`, or nothing when the value is undefined. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A name as part of a set key: lowercase, safe characters, and a hash when it had to change. */
function setSafe(name: string): string {
  const safe = name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 24);
  return safe === name ? safe : `${safe}-${sha256Hex(name).slice(0, 8)}`;
}
