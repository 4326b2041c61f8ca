/**
 * @module
 * Placement, one change at a time: an agent that comes, goes or changes gets its
 * `node/<agent>/haproxy` object and its clash report again; a service joining or leaving a
 * group moves that group's listeners (`GroupListeners`, which costs what is on the port), and
 * only when the lowest port two groups share changes are the agents running both reported
 * again. A group's "no agent runs it" warning follows the number of agents running it and of
 * its services. The reports are those of a whole derivation (`functions/haproxy/placement-report.ts`).
 */
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { HaproxyNode } from "../../lib/desired/schema.ts";
import { GroupListeners, type Listener } from "../../lib/render/haproxy/listeners.ts";
import type { HaproxyConfig } from "../../lib/snapshot/config.ts";
import type { Agent } from "../../lib/snapshot/schema.ts";
import { placedGroups } from "../haproxy/placement.ts";
import { clashDiagnostics, unplacedDiagnostic } from "../haproxy/placement-report.ts";
import { Part, setDiagnostics } from "../keyed/diagnostic-objects.ts";
import type { KeyedObjects } from "../keyed/object-store.ts";

const AGENT = "agent:";
const GROUP = "group:";

/**
 * @example
 * const placement = new PlacementTracker(objects, config);
 * placement.setAgent("S1", agent); placement.setService("external", "web_10000", { address: "*", port: 10000 }); placement.flush();
 */
export class PlacementTracker {
  readonly #listeners = new GroupListeners();
  readonly #placed = new Map<string, readonly string[]>();
  /** Group → the agents running it. */
  readonly #agentsOf = new Map<string, Set<string>>();
  /** `group\0backend` → the listener its service adds to the group. */
  readonly #services = new Map<string, Listener>();
  readonly #servicesOf = new Map<string, number>();
  /** Pair key → the lowest port it shared when its agents were last reported. */
  readonly #reported = new Map<string, number>();
  #due = new Set<string>();

  constructor(
    private readonly objects: KeyedObjects,
    private readonly config: HaproxyConfig,
  ) {}

  /** Subjects to report again at the next flush (a whole derivation's, at the first change). */
  reportAgain(subjects: Iterable<string>): void {
    for (const subject of subjects) this.#due.add(subject);
  }

  /** An agent as it is now: its node object is written at once, its reports at the flush. */
  setAgent(id: string, agent: Agent | undefined): void {
    const before = this.#placed.get(id) ?? [];
    const after = agent === undefined ? [] : placedGroups(agent, this.config);
    const hadAgents = this.#placed.size > 0;
    for (const group of before) this.#agentsOf.get(group)?.delete(id);
    for (const group of after) this.#agentsOf.set(group, (this.#agentsOf.get(group) ?? new Set<string>()).add(id));
    if (agent === undefined) this.#placed.delete(id);
    else this.#placed.set(id, after);
    this.objects.set(ObjectKeys.nodeHaproxy(id), agent === undefined ? undefined : ({ groups: [...after] } satisfies HaproxyNode));
    this.#due.add(AGENT + id);
    const groups = hadAgents !== this.#placed.size > 0 ? this.config.groups : [...before, ...after];
    for (const group of groups) this.#due.add(GROUP + group);
  }

  /** A group's shared frontends and stats listener (its settings' ports). */
  setShared(group: string, listeners: readonly Listener[]): void {
    for (const listener of listeners) this.#listeners.add(group, listener);
  }

  /** A service's place in a group (`undefined`: not in it). */
  setService(group: string, backend: string, listener: Listener | undefined): void {
    const key = `${group}\u0000${backend}`;
    const before = this.#services.get(key);
    if (before !== undefined) {
      this.#listeners.remove(group, before);
      this.#services.delete(key);
      this.#count(group, -1);
    }
    if (listener !== undefined) {
      this.#listeners.add(group, listener);
      this.#services.set(key, listener);
      this.#count(group, 1);
    }
  }

  /** Writes the reports a change reached. */
  flush(): void {
    for (const [a, b] of this.#listeners.takeTouchedPairs()) {
      const key = `${a}\u0000${b}`;
      const lowest = this.#listeners.lowestSharedPort(a, b);
      if (lowest === this.#reported.get(key)) continue;
      if (lowest === undefined) this.#reported.delete(key);
      else this.#reported.set(key, lowest);
      const [few, many] = [this.#agentsOf.get(a) ?? new Set<string>(), this.#agentsOf.get(b) ?? new Set<string>()].sort((x, y) => x.size - y.size);
      for (const id of few!) if (many!.has(id)) this.#due.add(AGENT + id);
    }
    for (const subject of this.#due) {
      if (subject.startsWith(AGENT)) {
        const id = subject.slice(AGENT.length);
        setDiagnostics(this.objects, Part.haproxyPlacement, subject, clashDiagnostics(id, this.#placed.get(id) ?? [], this.#listeners));
      } else {
        const group = subject.slice(GROUP.length);
        const unplaced = this.#placed.size > 0 && (this.#servicesOf.get(group) ?? 0) > 0 && (this.#agentsOf.get(group)?.size ?? 0) === 0;
        setDiagnostics(this.objects, Part.haproxyPlacement, subject, unplaced ? [unplacedDiagnostic(group, this.config)] : []);
      }
    }
    this.#due = new Set();
  }

  /** The node objects it holds. */
  keys(): string[] {
    return [...this.#placed.keys()].map(ObjectKeys.nodeHaproxy);
  }

  #count(group: string, delta: number): void {
    const before = this.#servicesOf.get(group) ?? 0;
    const after = before + delta;
    if (after === 0) this.#servicesOf.delete(group);
    else this.#servicesOf.set(group, after);
    if ((before === 0) !== (after === 0)) this.#due.add(GROUP + group);
  }
}
