/**
 * @module
 * Which LB groups this node's HAProxy runs: the groups its view places on it
 * (`placed-groups.ts`), narrowed by `wayfinder agent --haproxy-groups`, less the groups whose
 * configs bind a port another of them binds. HAProxy binds with `SO_REUSEPORT`, so two such
 * groups would both start and silently share the port's connections; instead both are held:
 * the node keeps running what it runs of them (their last good configs), starts neither's new
 * config, and says why. The control plane reports the same clash as an error diagnostic
 * (`haproxy.group-clash`); this check is the node's own, on the configs it would run.
 */
import type { DesiredState, HaproxyGroup } from "../../desired/schema.ts";
import { clashingGroups, configListeners, type GroupClash } from "../../render/haproxy/listeners.ts";
import { placedGroupNames } from "../../render/haproxy/placed-groups.ts";

/** What the node runs of the desired groups. */
export interface GroupChoice {
  /** The groups to install and run, with their rendered configs. */
  readonly run: Readonly<Record<string, HaproxyGroup>>;
  /** Groups placed here that clash with another placed here: left as they are. */
  readonly held: ReadonlySet<string>;
  /** Each two clashing groups and the lowest port they share. */
  readonly clashes: readonly GroupClash[];
}

/**
 * @example groupChoice(nodeView(desired, "S3"), undefined).run // { external: { config: "..." } }
 * @example groupChoice(view, ["internal"]).run // the internal group alone, when placed here
 */
export function groupChoice(desired: Pick<DesiredState, "node" | "haproxy">, narrow: readonly string[] | undefined): GroupChoice {
  const placed = placedGroupNames(desired).filter((group) => narrow === undefined || narrow.includes(group));
  const clashes = clashingGroups(new Map(placed.map((group) => [group, configListeners(desired.haproxy.groups[group]!.config)])));
  const held = new Set(clashes.flatMap((clash) => clash.groups));
  return { run: Object.fromEntries(placed.filter((group) => !held.has(group)).map((group) => [group, desired.haproxy.groups[group]!])), held, clashes };
}

/**
 * What the agent logs for a clash.
 * @example clashMessage({ groups: ["external", "internal"], port: 80 }) // "groups external and internal both bind port 80 on this node: ..."
 */
export function clashMessage(clash: GroupClash): string {
  const [a, b] = clash.groups;
  return `groups ${a} and ${b} both bind port ${clash.port} on this node: HAProxy would share its connections between them, so neither's new config is started and what runs of both is kept; place them apart (haproxy.placement) or give one its own ports (haproxy.groupPorts)`;
}
