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
import { compareStrings } from "../../lib/net/compare.ts";
import { allocateNodes, type Allocated } from "./allocate.ts";
import { overlayMembers, type Member, type Members } from "./members.ts";
import { overlayNodeEntry } from "./node-entry.ts";
import { keptAllocations } from "./release.ts";
import { effectiveSpaces, HeldCounts, recordSpaces, type Spaces } from "./spaces.ts";
import { overlayFamilies, taskOutsideSlices } from "./task-addresses.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/**
 * @example
 * const { allocations, nodes } = overlayState(snapshot);
 * nodes["S1"].overlays[0] // { name: "dcos", subnet: "9.0.1.0/24", mesosBridge: {...}, dockerBridge: {...} }
 */
export function overlayState(snapshot: ClusterSnapshot): OverlaySection & { diagnostics: Diagnostic[] } {
  const parts = overlayParts(snapshot);
  const nodes = Object.fromEntries(parts.entries);
  return {
    allocations: { ...recordSpaces(parts.spaces), nodes: parts.allocated.nodes },
    nodes,
    diagnostics: [
      ...parts.members.agentDiagnostics,
      ...parts.members.masterDiagnostics,
      ...parts.members.sharedDiagnostics,
      ...parts.releaseDiagnostics,
      ...parts.spaceDiagnostics,
      ...parts.allocated.invalid,
      ...parts.allocated.exhausted,
      ...parts.allocated.absent,
      ...[...parts.taskDiagnostics.values()].flat(),
    ],
  };
}

/** The overlay of a snapshot, stage by stage. */
export interface OverlayParts {
  members: Members;
  /** Releases applied (or refused) and previous entries listed twice. */
  releaseDiagnostics: Diagnostic[];
  spaces: Spaces;
  spaceDiagnostics: Diagnostic[];
  allocated: Allocated;
  /** Node key → entry, sorted by key; only nodes with an enabled overlay. */
  entries: Array<[string, OverlayNode]>;
  /** Task id → its addresses outside its agent's slice. */
  taskDiagnostics: Map<string, Diagnostic[]>;
}

/**
 * @example overlayParts(snapshot).entries.map(([key]) => key) // ["S1", "S2", "master@10.0.0.1"]
 */
export function overlayParts(snapshot: ClusterSnapshot, provenance?: Provenance): OverlayParts {
  const config = snapshot.config.overlay;
  const previous = snapshot.previous.overlay;
  const members = overlayMembers(snapshot);
  const present = new Set(members.members.map((m) => m.ip));
  const released = keptAllocations(previous?.nodes ?? [], previous?.release ?? [], present);
  const spaces = effectiveSpaces(config, previous ?? {}, HeldCounts.of(released.kept));
  const allocated = allocateNodes({ members: members.members, spaces: spaces.spaces, kept: released.kept, macOui: config.vtep_mac_oui });

  const byIp = new Map(allocated.nodes.map((node) => [node.ip, node]));
  const entries: Array<[string, OverlayNode]> = [];
  for (const member of members.members) for (const entry of memberEntries(member, byIp.get(member.ip), snapshot, spaces.spaces)) entries.push(entry);
  entries.sort(([a], [b]) => compareStrings(a, b));
  const nodes = Object.fromEntries(entries);
  const families = overlayFamilies(spaces.spaces);
  const taskDiagnostics = new Map<string, Diagnostic[]>();
  for (const task of snapshot.tasks) {
    const found = taskOutsideSlices(task, nodes[task.agentId], families, provenance);
    if (found.length > 0) taskDiagnostics.set(task.id, [...(taskDiagnostics.get(task.id) ?? []), ...found]);
  }
  return { members, releaseDiagnostics: released.diagnostics, spaces: spaces.spaces, spaceDiagnostics: spaces.diagnostics, allocated, entries, taskDiagnostics };
}

/**
 * A member's node entries, one per key (agent ids sharing its IP share the entry); none when
 * it holds nothing or no enabled overlay (its executor then removes the VTEP).
 * @example memberEntries(member, allocation, snapshot, spaces) // [["S1", { ip: "10.0.0.11", ... }]]
 */
export function memberEntries(
  member: Member,
  allocation: Parameters<typeof overlayNodeEntry>[1] | undefined,
  snapshot: Pick<ClusterSnapshot, "config">,
  spaces: Spaces,
): Array<[string, OverlayNode]> {
  if (allocation === undefined) return [];
  const entry = overlayNodeEntry(member, allocation, spaces, snapshot.config.overlay);
  if (entry.overlays.length === 0) return [];
  return member.keys.map((key) => [key, entry]);
}
