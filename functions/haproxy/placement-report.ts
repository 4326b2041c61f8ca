/**
 * @module
 * What the control plane says about placement: two groups placed on one agent whose listeners
 * overlap (the agent then runs neither's new config, see `lib/executor/haproxy/plan.ts`), and a
 * group with services that no agent runs. Listeners come from the groups' models: the shared
 * frontends and stats listener of the group's settings, and each member service's frontend
 * (`lib/render/haproxy/listeners.ts`). A whole derivation and a change call the same functions.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { GroupListeners, sharedListeners, type Listener } from "../../lib/render/haproxy/listeners.ts";
import type { HaproxyGroupModel, ServiceModel } from "../../lib/render/haproxy/model.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";

/**
 * The frontend a service binds in every group it is in.
 * @example serviceListener(model) // { address: "*", port: 10000 }
 */
export function serviceListener(model: Pick<ServiceModel, "bindAddr" | "servicePort">): Listener {
  return { address: model.bindAddr, port: model.servicePort };
}

/**
 * The listeners of every group, from its model.
 * @example groupListenersOf(models.groups).lowestSharedPort("external", "*") // 80
 */
export function groupListenersOf(groups: readonly HaproxyGroupModel[]): GroupListeners {
  const table = new GroupListeners();
  for (const group of groups) {
    for (const listener of sharedListeners(group.frontends, group.head)) table.add(group.group, listener);
    for (const service of group.services) table.add(group.group, serviceListener(service));
  }
  return table;
}

/**
 * One error per two groups placed on the agent that share a port.
 * @example clashDiagnostics("S1", ["*", "external"], table)[0].message // "groups * and external are both placed on agent S1 and both listen on port 80: ..."
 */
export function clashDiagnostics(agentId: string, placed: readonly string[], table: GroupListeners): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (let i = 0; i < placed.length; i++) {
    for (let j = i + 1; j < placed.length; j++) {
      const port = table.lowestSharedPort(placed[i]!, placed[j]!);
      if (port === undefined) continue;
      out.push({
        level: "error",
        code: "haproxy.group-clash",
        subject: `agent:${agentId}`,
        message: `groups ${placed[i]} and ${placed[j]} are both placed on agent ${agentId} and both listen on port ${port}: HAProxy would share its connections between them, so the agent keeps what it runs of both and starts neither's new config; place them apart (haproxy.placement) or give one its own ports (haproxy.groupPorts)`,
      });
    }
  }
  return out;
}

/**
 * The warning for a group with services that no agent runs, naming its placement.
 * @example unplacedDiagnostic("external", config).message // "group external has services but no agent runs it: it is placed on public agents (the default) and the snapshot has none; ..."
 */
export function unplacedDiagnostic(group: string, config: Pick<HaproxyConfig, "placement">): Diagnostic {
  const where = config.placement[group] !== undefined ? "it is placed by haproxy.placement" : `it is placed on ${group === "internal" ? "private" : "public"} agents (the default)`;
  return {
    level: "warning",
    code: "haproxy.group-unplaced",
    subject: `group:${group}`,
    message: `group ${group} has services but no agent runs it: ${where} and the snapshot has none of those; set haproxy.placement to agents the cluster has`,
  };
}
