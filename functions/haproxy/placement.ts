/**
 * @module
 * Which LB groups an agent runs (`haproxy.placement`, `lib/snapshot/haproxy-placement-config.ts`):
 * a group runs on the agents any of its selectors takes, and a group the config does not place
 * runs where marathon-lb's did (`internal` on private agents, any other on public ones). Pure:
 * the agent's id, `public` flag and attributes come from the snapshot. `explainPlacement` says
 * which rule decided each group, for `wayfinder plan --node`.
 */
import { compareStrings } from "../../lib/net/compare.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import { defaultPlacement, type AgentSelector } from "../../lib/snapshot/haproxy-placement-config.ts";
import type { Agent } from "../../lib/snapshot/schema.ts";

/** What placement reads of an agent. */
export type PlacedAgent = Pick<Agent, "id" | "public" | "attributes">;

/**
 * The groups `agent` runs, sorted.
 * @example placedGroups({ id: "S3", public: true, attributes: {} }, config) // ["external"]
 * @example placedGroups({ id: "S1", public: false, attributes: { rack: "r1" } }, { groups: ["external", "internal"], placement: {} }) // ["internal"]
 */
export function placedGroups(agent: PlacedAgent, config: Pick<HaproxyConfig, "groups" | "placement">): string[] {
  return config.groups.filter((group) => (config.placement[group] ?? defaultPlacement(group)).some((selector) => selects(selector, agent))).sort(compareStrings);
}

/**
 * Whether a selector takes the agent: its public flag and id match when given, and so does every attribute it names.
 * @example selects({ attributes: { rack: ["r1", "r2"] } }, { id: "S1", public: false, attributes: { rack: "r2" } }) // true
 */
export function selects(selector: AgentSelector, agent: PlacedAgent): boolean {
  if (selector.public !== undefined && selector.public !== agent.public) return false;
  if (selector.ids !== undefined && !selector.ids.includes(agent.id)) return false;
  for (const [name, wanted] of Object.entries(selector.attributes ?? {})) {
    const value = Object.hasOwn(agent.attributes, name) ? agent.attributes[name] : undefined;
    if (value === undefined || !(typeof wanted === "string" ? wanted === value : wanted.includes(value))) return false;
  }
  return true;
}

/** Whether a group runs on an agent, and why, for `wayfinder plan --node`. */
export interface PlacementReason {
  group: string;
  placed: boolean;
  why: string;
}

/**
 * Each group of the config, whether it runs on `agent`, and the rule that decided it.
 * @example explainPlacement({ id: "S1", public: false, attributes: {} }, config)
 * // [{ group: "external", placed: false, why: "by default on public agents; S1 is private" }]
 */
export function explainPlacement(agent: PlacedAgent, config: Pick<HaproxyConfig, "groups" | "placement">): PlacementReason[] {
  return [...config.groups].sort(compareStrings).map((group) => {
    const selectors = config.placement[group];
    if (selectors === undefined) {
      const wanted = defaultPlacement(group)[0]!.public === true;
      const where = wanted ? "public" : "private";
      return { group, placed: agent.public === wanted, why: `by default on ${where} agents; ${agent.id} is ${agent.public ? "public" : "private"}` };
    }
    const index = selectors.findIndex((selector) => selects(selector, agent));
    if (index >= 0) return { group, placed: true, why: `haproxy.placement.${group}[${index}] ${JSON.stringify(selectors[index])} takes ${agent.id}` };
    return { group, placed: false, why: selectors.length === 0 ? `haproxy.placement.${group} is empty` : `no selector of haproxy.placement.${group} takes ${agent.id}` };
  });
}
