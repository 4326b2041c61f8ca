/**
 * @module
 * The overlay reconciler (the Mesos overlay master module and the agent module's artifacts):
 * snapshot → `overlay.allocations` (sticky, the next snapshot's `previous.overlay`) and
 * `overlay.nodes` (one entry per present agent id and per master, `master@<ip>`).
 *
 * Stages, each its own file: who takes part (members), what stays held (release), what is
 * allocated from (spaces), the allocation fold (allocate), each node's entry, and a check of
 * the running tasks' overlay addresses against their agents' slices (task-addresses).
 */
import type { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { OverlayNode, OverlaySection } from "../../lib/desired/overlay-schema.ts";
import { allocateNodes } from "./allocate.ts";
import { overlayMembers } from "./members.ts";
import { overlayNodeEntry } from "./node-entry.ts";
import { keptAllocations } from "./release.ts";
import { effectiveSpaces, recordSpaces } from "./spaces.ts";
import { tasksOutsideSlices } from "./task-addresses.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/**
 * @example
 * const { allocations, nodes } = overlayState(snapshot);
 * nodes["S1"].overlays[0] // { name: "dcos", subnet: "9.0.1.0/24", mesosBridge: {...}, dockerBridge: {...} }
 */
export function overlayState(snapshot: ClusterSnapshot, provenance?: Provenance): OverlaySection & { diagnostics: Diagnostic[] } {
  const config = snapshot.config.overlay;
  const previous = snapshot.previous.overlay;
  const members = overlayMembers(snapshot);
  const present = new Set(members.members.map((m) => m.ip));
  const released = keptAllocations(previous?.nodes ?? [], previous?.release ?? [], present);
  const spaces = effectiveSpaces(config, previous ?? {}, released.kept);
  const allocated = allocateNodes({ members: members.members, spaces: spaces.spaces, kept: released.kept, macOui: config.vtep_mac_oui });

  const byIp = new Map(allocated.nodes.map((node) => [node.ip, node]));
  const entries: Array<[string, OverlayNode]> = [];
  for (const member of members.members) {
    const allocation = byIp.get(member.ip);
    if (allocation === undefined) continue;
    const entry = overlayNodeEntry(member, allocation, spaces.spaces, config);
    // A node with no enabled overlay has nothing to run: its executor removes the VTEP.
    if (entry.overlays.length === 0) continue;
    for (const key of member.keys) entries.push([key, entry]);
  }
  entries.sort(([a], [b]) => compareStrings(a, b));
  const nodes = Object.fromEntries(entries);
  return {
    allocations: { ...recordSpaces(spaces.spaces), nodes: allocated.nodes },
    nodes,
    diagnostics: [
      ...members.diagnostics,
      ...released.diagnostics,
      ...spaces.diagnostics,
      ...allocated.diagnostics,
      ...tasksOutsideSlices(snapshot, nodes, spaces.spaces, provenance),
    ],
  };
}
