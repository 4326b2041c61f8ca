/**
 * @module
 * The backends of every VIP, grouped by VIP key, as tasks offer them (`task-vips.ts`). A
 * group keeps every task's offer per address, so a task can leave and the next-best offer for
 * that address takes its place: one backend per address and port, the serving (higher-weight)
 * task first, then the lowest task id (a re-used host port). The same groups serve a whole
 * snapshot and a change to it; they also count, per name and family, the backends that
 * make a named VIP need an address, and the IP VIPs whose literals no new name may take.
 */
import type { L4Backend } from "../../lib/desired/schema.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { ipSortKey } from "../../lib/net/ip-bigint.ts";
import type { IpFamily } from "../../lib/net/ip-literal.ts";
import type { VipEntry, VipKey } from "./task-vips.ts";

/** One VIP key's offers: address (`ip port`) → task id → the task's backends there, first wins. */
export interface VipGroup {
  readonly id: string;
  readonly key: VipKey;
  readonly offers: Map<string, Map<string, L4Backend[]>>;
}

/**
 * The id of a VIP key's group.
 * @example vipGroupId({ kind: "named", name: "app.marathon", protocol: "tcp", port: 80 }) // "n app.marathon tcp 80"
 */
export function vipGroupId(key: VipKey): string {
  return key.kind === "named" ? `n ${key.name} ${key.protocol} ${key.port}` : `i ${key.ip} ${key.protocol} ${key.port}`;
}

/**
 * The family of an address.
 * @example familyOf("fd01::1") // 6
 */
export function familyOf(ip: string): IpFamily {
  return ip.includes(":") ? 6 : 4;
}

/**
 * @example
 * const groups = new VipGroups();
 * groups.add("web.1", entry);
 * groups.backends(groups.get(vipGroupId(entry.key))!) // [entry.backend]
 */
export class VipGroups {
  readonly #groups = new Map<string, VipGroup>();
  /** `name` → backends of that name per family (offers, counted with repeats). */
  readonly #names = new Map<string, [number, number]>();
  /** Named VIP → the ids of its groups (one per protocol and port). */
  readonly #groupsOfName = new Map<string, Set<string>>();
  /** IP VIP address → its offers. */
  readonly #ipVips = new Map<string, number>();
  /** Group ids and names touched since the last `drainTouched`. */
  #touchedGroups = new Set<string>();
  #touchedNames = new Set<string>();
  #touchedIps = new Set<string>();

  /** Adds one offer of `taskId`. */
  add(taskId: string, entry: VipEntry): void {
    const id = vipGroupId(entry.key);
    let group = this.#groups.get(id);
    if (group === undefined) {
      this.#groups.set(id, (group = { id, key: entry.key, offers: new Map() }));
      if (entry.key.kind === "named") {
        const ids = this.#groupsOfName.get(entry.key.name);
        if (ids === undefined) this.#groupsOfName.set(entry.key.name, new Set([id]));
        else ids.add(id);
      }
    }
    const at = `${entry.backend.ip} ${entry.backend.port}`;
    let byTask = group.offers.get(at);
    if (byTask === undefined) group.offers.set(at, (byTask = new Map()));
    const own = byTask.get(taskId);
    if (own === undefined) byTask.set(taskId, [entry.backend]);
    else own.push(entry.backend);
    this.#count(entry, 1);
  }

  /** Takes back one offer of `taskId` (the same entry it added). */
  remove(taskId: string, entry: VipEntry): void {
    const id = vipGroupId(entry.key);
    const group = this.#groups.get(id);
    const at = `${entry.backend.ip} ${entry.backend.port}`;
    const byTask = group?.offers.get(at);
    const own = byTask?.get(taskId);
    const index = own === undefined ? -1 : own.findIndex((b) => sameBackend(b, entry.backend));
    if (group === undefined || byTask === undefined || own === undefined || index < 0) return;
    own.splice(index, 1);
    if (own.length === 0) byTask.delete(taskId);
    if (byTask.size === 0) group.offers.delete(at);
    if (group.offers.size === 0) {
      this.#groups.delete(id);
      if (group.key.kind === "named") {
        const ids = this.#groupsOfName.get(group.key.name)!;
        ids.delete(id);
        if (ids.size === 0) this.#groupsOfName.delete(group.key.name);
      }
    }
    this.#count(entry, -1);
  }

  get(id: string): VipGroup | undefined {
    return this.#groups.get(id);
  }

  values(): IterableIterator<VipGroup> {
    return this.#groups.values();
  }

  /**
   * The group's backends: per address the best offer (weight, then task id), sorted by address
   * then port.
   */
  backends(group: VipGroup): L4Backend[] {
    const chosen: L4Backend[] = [];
    for (const byTask of group.offers.values()) {
      let best: L4Backend | undefined;
      for (const [taskId, own] of byTask) {
        const offer = own[0]!;
        if (best === undefined || offer.weight > best.weight || (offer.weight === best.weight && compareStrings(taskId, best.taskId) < 0)) best = offer;
      }
      chosen.push(best!);
    }
    return chosen
      .map((b) => [`${ipSortKey(b.ip)} ${String(b.port).padStart(5, "0")}`, b] as const)
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([, b]) => b);
  }

  /** The groups of a named VIP. */
  groupsOfName(name: string): VipGroup[] {
    return [...(this.#groupsOfName.get(name) ?? [])].map((id) => this.#groups.get(id)!);
  }

  /** True when the named VIP has a backend of this family on any protocol and port. */
  hasBackends(name: string, family: IpFamily): boolean {
    const counts = this.#names.get(name);
    return counts !== undefined && counts[family === 4 ? 0 : 1] > 0;
  }

  /** Every name with a backend of the family. */
  namesWithBackends(family: IpFamily): Set<string> {
    const names = new Set<string>();
    for (const [name, counts] of this.#names) if (counts[family === 4 ? 0 : 1] > 0) names.add(name);
    return names;
  }

  /** The addresses IP VIPs are written as: no new named VIP may take one. */
  ipVipAddresses(): IterableIterator<string> {
    return this.#ipVips.keys();
  }

  /** True when an IP VIP is written as this address. */
  isIpVipAddress(ip: string): boolean {
    return this.#ipVips.has(ip);
  }

  /** The groups, names and IP VIP addresses changed since the last call. */
  drainTouched(): { groups: Set<string>; names: Set<string>; ips: Set<string> } {
    const touched = { groups: this.#touchedGroups, names: this.#touchedNames, ips: this.#touchedIps };
    this.#touchedGroups = new Set();
    this.#touchedNames = new Set();
    this.#touchedIps = new Set();
    return touched;
  }

  #count(entry: VipEntry, delta: 1 | -1): void {
    const { key } = entry;
    this.#touchedGroups.add(vipGroupId(key));
    if (key.kind === "ip") {
      const n = (this.#ipVips.get(key.ip) ?? 0) + delta;
      if (n === 0) this.#ipVips.delete(key.ip);
      else this.#ipVips.set(key.ip, n);
      this.#touchedIps.add(key.ip);
      return;
    }
    let counts = this.#names.get(key.name);
    if (counts === undefined) this.#names.set(key.name, (counts = [0, 0]));
    counts[familyOf(entry.backend.ip) === 4 ? 0 : 1] += delta;
    if (counts[0] === 0 && counts[1] === 0) this.#names.delete(key.name);
    this.#touchedNames.add(key.name);
  }
}

function sameBackend(a: L4Backend, b: L4Backend): boolean {
  return a.ip === b.ip && a.port === b.port && a.weight === b.weight && a.taskId === b.taskId && a.local?.ip === b.local?.ip && a.local?.port === b.local?.port;
}
