/**
 * @module
 * The overlay objects, one change at a time. Only the underlay IPs a change touches are
 * looked at again: the member there now (the agents at the IP, or a master), what it lacks
 * taken from pools that persist between changes (the lowest free slot, as in a whole run), its
 * allocation, entries and peers. A member that did not change takes nothing: whatever it could
 * not get before, it cannot get now, since no change ever frees a slot (only a release in
 * `previous` does, and that comes with a whole snapshot). Held nodes stay held when their
 * member leaves, reported absent.
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { NodeAllocation, OverlayAllocations, OverlayNode } from "../../lib/desired/overlay-schema.ts";
import { parseIpValue } from "../../lib/net/cidr.ts";
import type { Agent, ClusterSnapshot, Task } from "../../lib/snapshot/schema.ts";
import { buildPools, extendMember, formatHolding, ownerAbsent, reserveHolding, type Holding, type Pools } from "../overlay/allocate.ts";
import { memberEntries, type OverlayParts } from "../overlay/index.ts";
import { agentMember, agentUnderlay, compareMembers, masterMember, masterUnderlay, sharedUnderlay, type Member } from "../overlay/members.ts";
import { overlayPeer } from "../overlay/peer.ts";
import { effectiveSpaces, HeldCounts, recordSpaces, type Spaces } from "../overlay/spaces.ts";
import { overlayFamilies, taskOutsideSlices, type OverlayFamily } from "../overlay/task-addresses.ts";
import { Part, setDiagnostics, setProducerDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";

/**
 * @example
 * const overlay = new OverlayState(objects, snapshot, derivation.overlay);
 * overlay.setAgent(agent.id, agent);
 * overlay.flush() // the node keys whose entries changed
 */
export class OverlayState {
  readonly #spaces: Spaces;
  readonly #recorded: Pick<OverlayAllocations, "vtep" | "overlays">;
  readonly #families: OverlayFamily[];
  readonly #pools: Pools;
  readonly #holdings = new Map<string, Holding>();
  readonly #held: HeldCounts;
  readonly #members = new Map<string, Member>();
  readonly #masters = new Set<string>();
  readonly #underlayOf = new Map<string, string>();
  readonly #agentsAt = new Map<string, Set<string>>();
  #touched = new Set<string>();
  #previousSubjects: Set<string>;
  #spaceSubjects: Set<string>;

  constructor(
    private readonly objects: KeyedObjects,
    private readonly snapshot: Pick<ClusterSnapshot, "config" | "masters" | "agents">,
    parts: OverlayParts,
  ) {
    this.#spaces = parts.spaces;
    this.#recorded = recordSpaces(parts.spaces);
    this.#families = overlayFamilies(parts.spaces);
    this.#pools = buildPools(parts.spaces);
    for (const node of parts.allocated.nodes) {
      const holding = reserveHolding(node, parts.spaces, this.#pools, []);
      if (holding !== undefined) this.#holdings.set(node.ip, holding);
    }
    this.#held = HeldCounts.of(parts.allocated.nodes);
    for (const member of parts.members.members) this.#members.set(member.ip, member);
    for (const entry of snapshot.masters) {
      const underlay = masterUnderlay(entry);
      if (!("diagnostic" in underlay)) this.#masters.add(underlay.ip);
    }
    for (const agent of snapshot.agents) this.#placeAgent(agent.id, agent);
    const subjects = (list: readonly Diagnostic[]) => new Set(list.map((d) => d.subject));
    this.#previousSubjects = subjects([...parts.releaseDiagnostics, ...parts.allocated.invalid]);
    this.#spaceSubjects = subjects(parts.spaceDiagnostics);
  }

  /** An agent as it is now (`undefined`: gone). */
  setAgent(id: string, agent: Agent | undefined): void {
    const underlay = agent === undefined ? undefined : agentUnderlay(agent);
    setDiagnostics(this.objects, Part.overlayAgent, `agent:${id}`, underlay !== undefined && "diagnostic" in underlay ? [underlay.diagnostic] : []);
    const before = this.#underlayOf.get(id);
    this.#unplaceAgent(id);
    if (agent !== undefined) this.#placeAgent(id, agent);
    const after = this.#underlayOf.get(id);
    if (before !== after) {
      if (before !== undefined) this.#touched.add(before);
      if (after !== undefined) this.#touched.add(after);
    }
  }

  /** Rewrites the members at the touched IPs; returns the node keys whose entries changed. */
  flush(): Set<string> {
    this.#writeSpaceDiagnostics();
    const changedKeys = new Set<string>();
    const now = [...this.#touched].map((ip) => ({ ip, member: this.#memberAt(ip) }));
    this.#touched = new Set();
    // Members take slots in the order a whole run gives them (masters, then agents, by IP);
    // members that left take nothing, so where they come makes no difference.
    const gone = now.filter((m) => m.member === undefined);
    const present = now.filter((m): m is { ip: string; member: Member } => m.member !== undefined).sort((a, b) => compareMembers(a.member, b.member));
    const changed = [...gone, ...present].filter(({ ip, member }) => !sameMember(this.#members.get(ip), member));
    // What the members before held goes first: an agent id may move to another IP's member.
    for (const { ip } of changed) {
      const before = this.#members.get(ip);
      if (before === undefined) continue;
      for (const key of before.keys) {
        changedKeys.add(key);
        this.objects.delete(ObjectKeys.nodeOverlay(key));
        this.objects.delete(ObjectKeys.overlayPeer(key));
      }
      setDiagnostics(this.objects, Part.overlayExhausted, before.subject, []);
      setDiagnostics(this.objects, Part.overlaySharedIp, before.subject, []);
      this.#members.delete(ip);
    }
    for (const { ip, member } of changed) {
      if (member !== undefined) this.#place(member, changedKeys);
      setDiagnostics(this.objects, Part.overlayAbsent, `node:${ip}`, this.#holdings.has(ip) && member === undefined ? [ownerAbsent(ip)] : []);
    }
    return changedKeys;
  }

  /** The overlay reports of a task, against its agent's entry as it is now. */
  setTask(id: string, task: Task | undefined, entryOf: (key: string) => OverlayNode | undefined): void {
    const found = task === undefined ? [] : taskOutsideSlices(task, entryOf(task.agentId), this.#families);
    setDiagnostics(this.objects, Part.overlayTasks, `task:${id}`, found);
  }

  #place(member: Member, changedKeys: Set<string>): void {
    this.#members.set(member.ip, member);
    const exhausted: Diagnostic[] = [];
    const before = this.#allocationAt(member.ip);
    const holding = extendMember(member, this.#holdings.get(member.ip), this.#spaces, this.#pools, this.snapshot.config.overlay.vtep_mac_oui, exhausted);
    if (holding !== undefined) this.#holdings.set(member.ip, holding);
    const after = this.#allocationAt(member.ip);
    if (before !== undefined) this.#held.add(before, -1);
    if (after !== undefined) this.#held.add(after, 1);
    this.objects.set(ObjectKeys.overlayAllocation(member.ip), after);
    setDiagnostics(this.objects, Part.overlayExhausted, member.subject, exhausted);
    const shared = sharedUnderlay(member);
    setDiagnostics(this.objects, Part.overlaySharedIp, member.subject, shared === undefined ? [] : [shared]);
    for (const [key, entry] of memberEntries(member, after, this.snapshot, this.#spaces)) {
      changedKeys.add(key);
      this.objects.set(ObjectKeys.nodeOverlay(key), entry);
      this.objects.set(ObjectKeys.overlayPeer(key), overlayPeer(entry));
    }
  }

  /** The spaces' reports, against the nodes held before this change; the previous allocations' reports are gone after the first. */
  #writeSpaceDiagnostics(): void {
    const { diagnostics } = effectiveSpaces(this.snapshot.config.overlay, this.#recorded, this.#held);
    setProducerDiagnostics(this.objects, Part.overlaySpaces, this.#spaceSubjects, diagnostics);
    this.#spaceSubjects = new Set(diagnostics.map((d) => d.subject));
    setProducerDiagnostics(this.objects, Part.overlayPrevious, this.#previousSubjects, []);
    this.#previousSubjects = new Set();
  }

  #allocationAt(ip: string): NodeAllocation | undefined {
    const holding = this.#holdings.get(ip);
    return holding === undefined ? undefined : formatHolding(holding, this.#spaces);
  }

  #memberAt(ip: string): Member | undefined {
    const ids = this.#agentsAt.get(ip);
    const value = parseIpValue(ip)!.value;
    if (ids !== undefined && ids.size > 0) return agentMember(ip, value, [...ids]);
    return this.#masters.has(ip) ? masterMember(ip, value) : undefined;
  }

  #placeAgent(id: string, agent: Agent): void {
    const underlay = agentUnderlay(agent);
    if ("diagnostic" in underlay) return;
    this.#underlayOf.set(id, underlay.ip);
    const ids = this.#agentsAt.get(underlay.ip);
    if (ids === undefined) this.#agentsAt.set(underlay.ip, new Set([id]));
    else ids.add(id);
  }

  #unplaceAgent(id: string): void {
    const ip = this.#underlayOf.get(id);
    if (ip === undefined) return;
    this.#underlayOf.delete(id);
    const ids = this.#agentsAt.get(ip)!;
    ids.delete(id);
    if (ids.size === 0) this.#agentsAt.delete(ip);
  }
}

function sameMember(a: Member | undefined, b: Member | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.role === b.role && a.keys.length === b.keys.length && a.keys.every((key, i) => key === b.keys[i]);
}
