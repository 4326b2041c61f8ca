/**
 * @module
 * One node's policy as an nftables table model: named sets (one per selector and family),
 * verdict maps, a named counter per rule, and the chains. The rule count follows the
 * identities and rules, never tasks × rules: tasks are set and map elements. What no task
 * changes (a source's address blocks, a rule's ports) is written into the rules instead, so
 * nft has fewer objects to read back before each batch. Chains mirror
 * `functions/policy/decide.ts` step for step:
 *
 * - `prerouting` (before any DNAT): sources outside the cluster reaching a task here;
 * - `forward` and `input` (after DNAT, so a VIP is judged at its real backend): this node's
 *   tasks, through `sources`, a verdict map from address to identity chain;
 * - `output`: what the node itself sends (host-network tasks, HAProxy) to a task;
 * - `id-<identity>`: the admin rules that can decide for that identity, then `tiers-`:
 *   isolation (`iso-<network>`), the app-tier entries that let it in, the `apps` map to each
 *   tier-isolated app's chain, the default.
 * An unknown address in this node's slices (a task not programmed yet) sends nothing, and an
 * overlay address no task holds is reached by nothing: nothing is open before its policy is.
 * Pure.
 */
import type { PolicyIdentity, PolicySection, PolicySet } from "../desired/policy-schema.ts";
import type { PortSpec } from "../desired/policy-ports.ts";
import { compareStrings } from "../net/compare.ts";
import { sha256Hex } from "../net/digest.ts";
import { appCounter, FIXED_COUNTERS, networkCounter, policyCounters, ruleCounter } from "./policy-names.ts";

export type PolicyFamily = "ip" | "ip6";
export const POLICY_FAMILIES: readonly PolicyFamily[] = ["ip", "ip6"];

/** What differs between IPv4 and IPv6: a few words. */
const WORDS: Record<PolicyFamily, { addr: string; saddr: string; daddr: string; suffix: string; version: 4 | 6 }> = {
  ip: { addr: "ipv4_addr", saddr: "ip saddr", daddr: "ip daddr", suffix: "4", version: 4 },
  ip6: { addr: "ipv6_addr", saddr: "ip6 saddr", daddr: "ip6 daddr", suffix: "6", version: 6 },
};
type Words = (typeof WORDS)[PolicyFamily];

/** A named set or map of the table: its declaration and its elements as nft writes them. */
export interface TableSet {
  name: string;
  /** `set x {\n type ...; flags interval` without the elements and the closing brace. */
  head: string;
  elements: string[];
}

export interface TableChain {
  name: string;
  rules: string[];
}

/** A base chain: its hook, and the one rule that sends each family to its own chain. */
export interface BaseChain {
  name: string;
  hook: string;
}

/** The whole table: what `renderPolicyTable` prints and the applier remembers. */
export interface PolicyTable {
  node: string;
  counters: string[];
  sets: TableSet[];
  base: readonly BaseChain[];
  chains: TableChain[];
}

/**
 * Where packets enter, one base chain per hook (each family then has chains of its own):
 * before DNAT for sources outside the cluster (conntrack runs at -200, DNAT at -100), the
 * usual filter slot after it for the rest.
 */
export const BASE_CHAINS: readonly BaseChain[] = [
  { name: "prerouting", hook: "type filter hook prerouting priority -150; policy accept;" },
  { name: "forward", hook: "type filter hook forward priority filter; policy accept;" },
  { name: "input", hook: "type filter hook input priority filter; policy accept;" },
  { name: "output", hook: "type filter hook output priority filter; policy accept;" },
];

/** The chain of `family` that base chain `base` sends its packets to. @example familyChain("forward", "ip6") // "forward-6" */
export function familyChain(base: string, family: PolicyFamily): string {
  return `${base}-${WORDS[family].suffix}`;
}

/** Per-packet logging is rate-limited in a rule of its own: a limit that ran out must not skip the verdict. */
const LOG_LIMIT = "limit rate 10/second burst 20 packets";

/**
 * The table for `node` from a policy (a node view, or the whole cluster's).
 * @example policyTable(nodeView(desired, "S1").policy!, "S1").chains.map((c) => c.name) // ["prerouting", "forward", ...]
 */
export function policyTable(policy: PolicySection, node: string): PolicyTable {
  const own = policy.nodes[node];
  if (own === undefined) throw new Error(`the policy has no entry for node '${node}'`);
  const identities = [...new Set([own.identity, policy.outside, ...Object.values(own.sources)])].sort(compareStrings);
  const sets: TableSet[] = [];
  const chains: TableChain[] = [];
  const rules = new Map(policy.rules.map((r) => [r.name, r]));

  for (const family of POLICY_FAMILIES) {
    const w = WORDS[family];
    const ref = (key: string) => `@${setName(key, w)}`;
    // What cannot match in this family is left out: a rule whose set has no address of it, the
    // chains no source of it reaches, the sets nothing refers to. An IPv4-only cluster's IPv6
    // half is then a few fixed chains, and nft has half the objects to read on every change.
    const has = familyFilter(policy, w);
    const familyIds = identities.filter((id) => id === own.identity || id === policy.outside || Object.entries(own.sources).some(([a, s]) => s === id && family4or6(a) === w.version));

    // Quarantine comes before established flows: a refused task keeps none.
    const quarantine = [`${w.daddr} . th dport ${ref("quarantine")} ${counted(FIXED_COUNTERS.quarantine.name, "drop")}`, `${w.saddr} @blocked${w.suffix} ${counted(FIXED_COUNTERS.quarantine.name, "drop")}`];
    const established = "ct state established,related accept";
    const unprogrammedTo = [...logged(policy.logDrops, `${w.daddr} ${ref("overlay")} ${w.daddr} != ${ref("known")} `, "deny unprogrammed"), `${w.daddr} ${ref("overlay")} ${w.daddr} != ${ref("known")} ${counted(FIXED_COUNTERS.unprogrammed.name, "drop")}`];
    const unprogrammedFrom = [...logged(policy.logDrops, `${w.saddr} @slices${w.suffix} `, "deny unprogrammed"), `${w.saddr} @slices${w.suffix} ${counted(FIXED_COUNTERS.unprogrammed.name, "drop")}`];
    const node = identityChain(own.identity, w);
    const familyChains: TableChain[] = [
      { name: familyChain("prerouting", family), rules: [...quarantine, established, `${w.saddr} ${ref("cluster")} accept`, `${w.daddr} . th dport @local${w.suffix} jump ${identityChain(policy.outside, w)}`] },
      { name: familyChain("forward", family), rules: [...quarantine, established, ...unprogrammedTo, `${w.saddr} vmap @sources${w.suffix}`, ...unprogrammedFrom] },
      // The node's own addresses (a bridge's, say) lie in its slices but are no unknown task.
      { name: familyChain("input", family), rules: [...quarantine, established, `${w.saddr} vmap @sources${w.suffix}`, "fib saddr type local accept", ...unprogrammedFrom] },
      {
        name: familyChain("output", family),
        rules: [...quarantine, established, ...unprogrammedTo, `${w.daddr} ${ref("overlay")} jump ${node}`, `${w.daddr} ${ref("known")} jump ${node}`, `${w.daddr} . th dport ${ref("hostports")} jump ${node}`],
      },
    ];
    for (const id of familyIds) familyChains.push(...identityChains(id, policy.identities[id]!, policy, rules, w, has));
    const isolating = new Set(familyIds.map((id) => policy.identities[id]!.network).filter((n): n is string => n !== undefined));
    for (const network of [...isolating].sort(compareStrings)) {
      const chain = isolationChain(network, policy, w, has);
      if (chain.rules.length > 0) familyChains.push(chain);
    }
    const apps = policy.apps.filter((app) => has(app.members));
    for (const app of apps) {
      const entries = app.entries.filter((e) => e.anyone).map((e) => `${portsMatch(e.ports)}${counted(appCounter(app.members, "allow"), "accept")}`);
      familyChains.push({ name: appChain(app.members, w), rules: [...entries, ...logged(policy.logDrops, "", `deny app:${safeText(app.appId)}`), counted(appCounter(app.members, "deny"), "drop")] });
    }

    const referenced = new Set(familyChains.flatMap((c) => c.rules.flatMap((r) => [...r.matchAll(/@([a-z0-9-]+)/g)].map((m) => m[1]!))));
    for (const [key, set] of Object.entries(policy.sets).sort(([a], [b]) => compareStrings(a, b))) {
      if (referenced.has(setName(key, w))) sets.push(setOf(setName(key, w), set.kind, set.elements, w));
    }
    sets.push(setOf(`local${w.suffix}`, "endpoints", own.local, w));
    sets.push(setOf(`slices${w.suffix}`, "addresses", own.slices, w));
    sets.push(setOf(`blocked${w.suffix}`, "addresses", own.blocked, w));
    sets.push({
      name: `sources${w.suffix}`,
      head: `map sources${w.suffix} {\n\t\ttype ${w.addr} : verdict`,
      elements: Object.entries(own.sources)
        .filter(([address]) => family4or6(address) === w.version)
        .map(([address, id]) => `${address} : jump ${identityChain(id, w)}`),
    });
    sets.push({
      name: `apps${w.suffix}`,
      head: `map apps${w.suffix} {\n\t\ttype ${w.addr} . inet_service : verdict\n\t\tflags interval`,
      elements: apps.flatMap((app) => endpointElements(policy.sets[app.members]!.elements, w).map((e) => `${e} : goto ${appChain(app.members, w)}`)),
    });
    chains.push(...familyChains);
  }
  return { node, counters: [...policyCounters(policy).keys()].sort(), sets, base: BASE_CHAINS, chains };
}

/** An identity's admin rules (`id-`) and what follows them (`tiers-`). */
function identityChains(key: string, identity: PolicyIdentity, policy: PolicySection, rules: Map<string, PolicySection["rules"][number]>, w: Words, has: (key: string) => boolean): TableChain[] {
  const tiers = `tiers-${key}-${w.suffix}`;
  const admin: string[] = [];
  for (const { name, from } of identity.rules) {
    const rule = rules.get(name)!;
    if ((from !== undefined && !has(from)) || (rule.to !== undefined && !has(rule.to))) continue;
    const match = [
      from === undefined ? "" : sourceBlocks(policy, from, w),
      rule.to === undefined ? "" : `${w.daddr} . th dport @${setName(rule.to, w)} `,
      portsMatch(rule.ports),
    ].join("");
    const verdict = rule.action === "allow" ? "accept" : rule.action === "deny" ? "drop" : `goto ${tiers}`;
    admin.push(...logged(rule.log || (policy.logDrops && rule.action === "deny"), match, `${rule.action} ${name}`));
    admin.push(`${match}${counted(ruleCounter(name), verdict)}`);
  }
  admin.push(`goto ${tiers}`);
  const after: string[] = [];
  if (identity.network !== undefined && isolationRules(identity.network, policy, w, has).length > 0) after.push(`jump ${isolationName(identity.network, w)}`);
  for (const grant of identity.grants) {
    const app = policy.apps.find((a) => a.appId === grant.app)!;
    if (!has(app.members) || (grant.from !== undefined && !has(grant.from))) continue;
    const from = grant.from === undefined ? "" : sourceBlocks(policy, grant.from, w);
    after.push(`${from}${w.daddr} . th dport @${setName(app.members, w)} ${portsMatch(app.entries[grant.entry]!.ports)}${counted(appCounter(app.members, "allow"), "accept")}`);
  }
  after.push(`${w.daddr} . th dport vmap @apps${w.suffix}`);
  const verdict = policy.default === "allow" ? "accept" : "drop";
  after.push(...logged(policy.logDrops && policy.default === "deny", "", "deny default"), counted(FIXED_COUNTERS.default.name, verdict));
  return [
    { name: identityChain(key, w), rules: admin },
    { name: tiers, rules: after },
  ];
}

/** A source network's isolation: a drop for every isolated network it may not reach. */
function isolationChain(network: string, policy: PolicySection, w: Words, has: (key: string) => boolean): TableChain {
  return { name: isolationName(network, w), rules: isolationRules(network, policy, w, has) };
}

function isolationRules(network: string, policy: PolicySection, w: Words, has: (key: string) => boolean): string[] {
  return policy.networks
    .filter((n) => n.name !== network && !n.allowFrom.includes(network) && has(n.members))
    .flatMap((n) => [...logged(policy.logDrops, `${w.daddr} @${setName(n.members, w)} `, `deny network:${n.name}`), `${w.daddr} @${setName(n.members, w)} ${counted(networkCounter(n.name), "drop")}`]);
}

/**
 * `ip saddr 203.0.113.0/24 ` (with a trailing space): the address blocks a source outside the
 * cluster is matched by, written into the rule (an anonymous set when there are several).
 * These sets come from the config alone, never from tasks, so they change only with the rules
 * that use them, and those chains are refilled then anyway. As named interval sets they cost
 * every batch: before it changes any element, nft 1.0 reads back every element of every named
 * single-field interval set of the table (81 such sets in bench:policy's table, about a third
 * of a one-task batch).
 */
function sourceBlocks(policy: PolicySection, key: string, w: Words): string {
  const blocks = policy.sets[key]!.elements.filter((e) => family4or6(e) === w.version);
  return blocks.length === 1 ? `${w.saddr} ${blocks[0]} ` : `${w.saddr} { ${blocks.join(", ")} } `;
}

function counted(counter: string, verdict: string): string {
  return `counter name "${counter}" ${verdict}`;
}

/** The rate-limited log rule before a verdict, when logging is on. */
function logged(on: boolean, match: string, what: string): string[] {
  return on ? [`${match}${LOG_LIMIT} log prefix "wayfinder ${what}: " level info`] : [];
}

/**
 * `meta l4proto tcp th dport 80 ` for one port spec, `meta l4proto . th dport { tcp . 80, udp .
 * 53-60 } ` for several (with a trailing space), or "" for every port. One spec, what nearly
 * every rule has, is two comparisons rather than an anonymous set: each such set is one more
 * kernel object that a rule change creates and destroys and that nft lists back before every
 * batch (at 10k rules, 800 of them tripled the cost of a rule change). Both match the same
 * packets: a port range is compared as a range, and every port is `0-65535` as before.
 */
function portsMatch(ports: readonly PortSpec[] | undefined): string {
  if (ports === undefined) return "";
  const range = (p: PortSpec) => (p.port === undefined ? "0-65535" : p.endPort === undefined || p.endPort === p.port ? `${p.port}` : `${p.port}-${p.endPort}`);
  if (ports.length === 1) return `meta l4proto ${ports[0]!.protocol} th dport ${range(ports[0]!)} `;
  return `meta l4proto . th dport { ${ports.map((p) => `${p.protocol} . ${range(p)}`).join(", ")} } `;
}

function setOf(name: string, kind: PolicySet["kind"], elements: readonly string[], w: Words): TableSet {
  if (kind === "hosts") return { name, head: `set ${name} {\n\t\ttype ${w.addr}`, elements: elements.filter((e) => family4or6(e) === w.version) };
  if (kind === "addresses") {
    return { name, head: `set ${name} {\n\t\ttype ${w.addr}\n\t\tflags interval`, elements: elements.filter((e) => family4or6(e) === w.version) };
  }
  return { name, head: `set ${name} {\n\t\ttype ${w.addr} . inet_service\n\t\tflags interval`, elements: endpointElements(elements, w) };
}

/** Endpoint elements of one family as nft writes them: `addr . ports`. */
function endpointElements(elements: readonly string[], w: Words): string[] {
  return elements.filter((e) => family4or6(e) === w.version).map((e) => {
    const [address, ports] = e.split(" ");
    return `${address} . ${ports ?? "0-65535"}`;
  });
}

/**
 * What set `key` holds in `family`'s table set, and that set's name: its elements as nft
 * writes them (a partial sync of changed memberships rebuilds only the sets they name).
 * @example tableSetOf("known", { kind: "hosts", about: "", elements: ["9.0.0.2", "fd00::2"] }, "ip") // { name: "known-4", elements: ["9.0.0.2"] }
 */
export function tableSetOf(key: string, set: PolicySet, family: PolicyFamily): { name: string; elements: string[] } {
  const w = WORDS[family];
  return { name: setName(key, w), elements: setOf(setName(key, w), set.kind, set.elements, w).elements };
}

/**
 * The `apps` map's elements for one tier-isolated app, in `family`, and the map's name.
 * @example appMapElementsOf("a-1f2e3d4c5b6a", ["9.0.0.2"], "ip") // { name: "apps4", elements: ["9.0.0.2 . 0-65535 : goto app-a-1f2e3d4c5b6a-4"] }
 */
export function appMapElementsOf(members: string, elements: readonly string[], family: PolicyFamily): { name: string; elements: string[] } {
  const w = WORDS[family];
  return { name: `apps${w.suffix}`, elements: endpointElements(elements, w).map((e) => `${e} : goto ${appChain(members, w)}`) };
}

/** Whether a set has an element of the family (memoised: sets are asked many times). */
function familyFilter(policy: PolicySection, w: Words): (key: string) => boolean {
  const known = new Map<string, boolean>();
  return (key) => {
    let has = known.get(key);
    if (has === undefined) known.set(key, (has = (policy.sets[key]?.elements ?? []).some((e) => family4or6(e) === w.version)));
    return has;
  };
}

/** Elements are validated text (`PolicySet`): only IPv6 ones hold a colon. */
function family4or6(element: string): 4 | 6 {
  return element.includes(":") ? 6 : 4;
}

/** @example setName("a-1f2e3d4c5b6a", WORDS.ip) // "a-1f2e3d4c5b6a-4" */
function setName(key: string, w: Words): string {
  return `${key}-${w.suffix}`;
}

function identityChain(key: string, w: Words): string {
  return `id-${key}-${w.suffix}`;
}

/** Network names come from tasks' `NetworkInfo`s as well as the config: a name that is not a safe word becomes its hash. */
function isolationName(network: string, w: Words): string {
  const word = /^[A-Za-z0-9_-]{1,32}$/.test(network) ? network : `h${sha256Hex(network).slice(0, 12)}`;
  return `iso-${word}-${w.suffix}`;
}

function appChain(members: string, w: Words): string {
  return `app-${members}-${w.suffix}`;
}

/** Text from the snapshot inside a quoted log prefix: only characters that cannot end the string. */
function safeText(text: string): string {
  return text.replace(/[^A-Za-z0-9_./:-]/g, "?");
}
