/**
 * @module
 * Why a task is no backend (or less of one) of the VIPs, for `explain`: not running, no VIP
 * label, weight 0, or its address and port served by another task. Told from the groups the
 * L4 stage built, so the reasons are the stage's own decisions.
 */
import type { Provenance } from "../../lib/desired/provenance.ts";
import { addressForPort } from "../../lib/net/ip-literal.ts";
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { carriesVips } from "./index.ts";
import type { VipEntry } from "./task-vips.ts";
import type { VipGroups } from "./vip-groups.ts";

/** The reason most tasks have no VIP backend, one string for all of them. */
const NO_VIP_LABEL = "no VIP label on any of its ports (DiscoveryInfo port labels VIP_*, or VIP_PORT<n> task labels)";

/**
 * @example reportVipProvenance(snapshot, vipGroupsOf(snapshot), ledger); ledger.skipsOf("task:web.3") // [{ artifact: "l4lb", reason: "TASK_FAILED: ..." }]
 */
export function reportVipProvenance(snapshot: ClusterSnapshot, stage: { groups: VipGroups; offers: ReadonlyMap<string, readonly VipEntry[]> }, provenance: Provenance): void {
  for (const task of snapshot.tasks) {
    const offers = stage.offers.get(task.id);
    if (offers === undefined) {
      // An unknown agent or framework is a diagnostic already; these are the silent cases.
      if (!carriesVips(task)) provenance.skipped(`task:${task.id}`, "l4lb", NO_VIP_LABEL);
      else if (task.state !== "TASK_RUNNING" && task.state !== "TASK_KILLING") provenance.skipped(`task:${task.id}`, "l4lb", `${task.state}: only TASK_RUNNING and TASK_KILLING tasks are VIP backends`);
      continue;
    }
    if (offers.some((e) => e.backend.weight === 0)) {
      const why = task.state === "TASK_KILLING" ? "TASK_KILLING" : "its health check fails (or has not passed yet)";
      provenance.skipped(`task:${task.id}`, "l4lb", `weight 0 on its VIPs: ${why} (it keeps its connections, gets no new ones)`);
    }
  }
  for (const group of stage.groups.values()) {
    const { key } = group;
    const vip = key.kind === "named" ? `${key.name}:${key.port}/${key.protocol}` : `${key.ip}:${key.port}/${key.protocol}`;
    const chosen = new Map(stage.groups.backends(group).map((b) => [`${b.ip} ${b.port}`, b.taskId]));
    for (const [at, byTask] of group.offers) {
      if (byTask.size < 2) continue;
      const winner = chosen.get(at)!;
      for (const [taskId, backends] of byTask) {
        if (taskId === winner) continue;
        const { ip, port } = backends[0]!;
        provenance.skipped(`task:${taskId}`, "l4lb", `its backend ${addressForPort(ip)}:${port} of VIP ${vip} is served by task ${winner} (same address and port)`);
      }
    }
  }
}
