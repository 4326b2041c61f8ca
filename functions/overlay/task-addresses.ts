/**
 * @module
 * A check DC/OS never made: a running task whose overlay address lies outside its agent's
 * slice is unreachable (every node routes that address to the slice's owner). It happens when
 * allocations were lost or edited, or when wayfinder takes over a cluster without importing the
 * overlay master's state, so each such task is reported with what its agent holds instead.
 */
import type { ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { OverlayNode } from "../../lib/desired/overlay-schema.ts";
import { contains, formatCidr, parseCidr, parseIpValue } from "../../lib/net/cidr.ts";
import type { FamilySpace, Spaces } from "./spaces.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";
import { isTerminal } from "../task-facts/task-networks.ts";

/**
 * @example tasksOutsideSlices(snapshot, nodes, spaces) // [{ level: "warning", code: "overlay.task-outside-slice", subject: "task:db.1", ... }]
 */
export function tasksOutsideSlices(snapshot: ClusterSnapshot, nodes: Readonly<Record<string, OverlayNode>>, spaces: Spaces): Diagnostic[] {
  const families = overlayFamilies(spaces);
  if (families.length === 0) return [];
  return snapshot.tasks.flatMap((task) => taskOutsideSlices(task, nodes[task.agentId], families));
}

/** One family of one overlay: where a task address may fall. */
export interface OverlayFamily {
  name: string;
  key: "subnet" | "subnet6";
  space: FamilySpace;
}

/**
 * Every family of every overlay.
 * @example overlayFamilies(spaces).map((f) => `${f.name} ${f.key}`) // ["dcos subnet", "dcos6 subnet6"]
 */
export function overlayFamilies(spaces: Spaces): OverlayFamily[] {
  return spaces.overlays.flatMap((o) =>
    ([["subnet", o.v4], ["subnet6", o.v6]] as const).flatMap(([key, space]) => (space === undefined ? [] : [{ name: o.name, key, space }])),
  );
}

/**
 * The reports of one task's overlay addresses outside its agent's slice (`entry` is its agent's
 * overlay node entry, if it has one). `provenance` is told each address in an overlay, or why
 * the task has none.
 * @example taskOutsideSlices(task, nodes[task.agentId], overlayFamilies(spaces)) // []
 */
export function taskOutsideSlices(task: Task, entry: OverlayNode | undefined, families: readonly OverlayFamily[], provenance?: Provenance): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  if (families.length === 0) return diagnostics;
  if (isTerminal(task)) {
    provenance?.skipped(`task:${task.id}`, "overlay", `${task.state}: a finished task holds no overlay address`);
    return diagnostics;
  }
  const addresses = latestAddresses(task);
  let inOverlay = false;
  for (const text of addresses) {
    const address = parseIpValue(text);
    const family = address && families.find((f) => f.space.cidr.family === address.family && contains(f.space.cidr, address.value));
    if (address === undefined || family === undefined) continue;
    inOverlay = true;
    const slice = entry?.overlays.find((o) => o.name === family.name)?.[family.key];
    const sliceCidr = slice === undefined ? undefined : parseCidr(slice);
    const routed = sliceCidr !== undefined && contains(sliceCidr, address.value);
    provenance?.overlayAddress(task.id, { overlay: family.name, address: text, space: formatCidr(family.space.cidr), ...(slice === undefined ? {} : { slice }), routed });
    if (routed) continue;
    diagnostics.push({
      level: "warning",
      code: "overlay.task-outside-slice",
      subject: `task:${task.id}`,
      message: `its address ${text} is in overlay '${family.name}' (${formatCidr(family.space.cidr)}), but its agent ${task.agentId} holds ${slice ?? "no slice of it"}: every node routes that address elsewhere (lost allocations? import DC/OS's overlay master state with wayfinder snapshot --previous)`,
    });
  }
  if (!inOverlay && provenance !== undefined) {
    const which = addresses.length === 0 ? "its latest status reports no address" : `none of its addresses (${addresses.join(", ")}) is in an overlay`;
    provenance.skipped(`task:${task.id}`, "overlay", which);
  }
  return diagnostics;
}

/** The addresses of the task's latest status (by timestamp). */
function latestAddresses(task: Task): string[] {
  let latest = task.statuses[0];
  for (const status of task.statuses) if (latest === undefined || status.timestamp > latest.timestamp) latest = status;
  return [...new Set((latest?.networkInfos ?? []).flatMap((n) => n.ipAddresses))].sort();
}
