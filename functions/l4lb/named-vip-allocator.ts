/**
 * @module
 * Named-VIP addresses kept up to date one change at a time: the incremental form of
 * `allocateNamedVips`. After each `step` its state equals what `allocateNamedVips` gives for the
 * changed snapshot whose `previous` is the state before the step (the chain of
 * docs/delta-path.md §5), at the cost of the names the change touches:
 *
 * - a name that loses its backends of a family keeps its address through the grace period
 *   (last seen now), and the address stays barred to new names;
 * - a name that gains backends takes back the address it had if it still fits and no smaller
 *   name claims it too (the contest `namedVipAddresses` settles in name order), else it is new;
 * - new names, and names still without an address, probe from their home in name order over
 *   every address taken or barred (kept, kept through grace, written as an IP VIP);
 * - a kept address past its grace period frees up.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { PreviousNamedVip } from "../../lib/desired/previous-l4lb.ts";
import { compareStrings } from "../../lib/net/compare.ts";
import { bigIntToIp, ipToBigInt } from "../../lib/net/ip-bigint.ts";
import { parseIp, type IpFamily } from "../../lib/net/ip-literal.ts";
import type { L4lbConfig } from "../../lib/snapshot/config.ts";
import { freeOffset, homeOffset, keptOffset, namedVipMoved, outOfAddresses, type VipRange } from "./named-vip-addresses.ts";
import { compareNamedVips, withinGrace, type NamedVipAllocation } from "./named-vip-allocation.ts";
import { familyOf } from "./vip-groups.ts";

/** What the allocator reads of the VIP groups. */
export interface BackendPresence {
  hasBackends(name: string, family: IpFamily): boolean;
  isIpVipAddress(ip: string): boolean;
}

/** A kept address: the name, its address, when it was last seen with backends (ms too, for order). */
interface Retained {
  name: string;
  ip: string;
  lastSeen: string;
  ms: number;
}

/** One family's addresses. */
class FamilyState {
  readonly addresses = new Map<string, string>();
  readonly holderAt = new Map<bigint, string>();
  /** Names with backends of the family and no address (the range was full). */
  readonly unallocated = new Set<string>();
  /** Offset → how many addresses take or bar it (addresses, kept ones, IP VIP literals). */
  readonly taken = new Map<bigint, number>();
  readonly min: bigint;
  readonly span: bigint;

  constructor(readonly range: VipRange) {
    this.min = ipToBigInt(range.min);
    this.span = ipToBigInt(range.max) - this.min;
  }

  offsetOf(ip: string): bigint {
    return ipToBigInt(ip) - this.min;
  }

  /** Counts `ip` as taken (or not); an address of another family, or no address, counts nowhere. */
  bar(ip: string, delta: 1 | -1): void {
    const parsed = parseIp(ip);
    if (parsed?.family !== this.range.family) return;
    const offset = this.offsetOf(parsed.address);
    const n = (this.taken.get(offset) ?? 0) + delta;
    if (n === 0) this.taken.delete(offset);
    else this.taken.set(offset, n);
  }

  assign(name: string, offset: bigint): void {
    const ip = bigIntToIp(this.min + offset, this.range.family);
    this.addresses.set(name, ip);
    this.holderAt.set(offset, name);
    this.bar(ip, 1);
  }

  release(name: string): string | undefined {
    const ip = this.addresses.get(name);
    if (ip === undefined) return undefined;
    this.addresses.delete(name);
    const offset = this.offsetOf(ip);
    if (this.holderAt.get(offset) === name) this.holderAt.delete(offset);
    this.bar(ip, -1);
    return ip;
  }
}

/** What a step changed. */
export interface AllocatorStep {
  /** Names whose addresses (or kept addresses) changed: their allocation objects. */
  changed: Set<string>;
  /** Names whose address of a family changed: their services move. */
  moved: Set<string>;
  /** Names whose diagnostics may have changed, with their diagnostics now (possibly none). */
  diagnostics: Map<string, Diagnostic[]>;
}

/**
 * @example
 * const allocator = new NamedVipAllocator(config.l4lb, allocateSnapshotVips(snapshot, groups), groups);
 * allocator.step(now, touched.names, touched.ips).changed // Set {"app.marathon"}
 */
export class NamedVipAllocator {
  readonly #families: Record<IpFamily, FamilyState>;
  /** Kept addresses, oldest first. */
  readonly #retained: Retained[] = [];
  readonly #literals = new Set<string>();
  #diagnosed = new Set<string>();

  constructor(
    private readonly config: L4lbConfig,
    initial: NamedVipAllocation,
    private readonly groups: BackendPresence & { ipVipAddresses(): Iterable<string>; namesWithBackends(family: IpFamily): Set<string> },
  ) {
    this.#families = { 4: new FamilyState({ family: 4, ...config.ipv4Range }), 6: new FamilyState({ family: 6, ...config.ipv6Range }) };
    for (const family of [4, 6] as const) {
      const state = this.#families[family];
      for (const [name, ip] of initial.addresses[family]) state.assign(name, state.offsetOf(ip));
      for (const name of groups.namesWithBackends(family)) if (!state.addresses.has(name)) state.unallocated.add(name);
    }
    for (const entry of initial.retained) this.#retain(entry.name, entry.ip, entry.lastSeen ?? "");
    for (const ip of groups.ipVipAddresses()) this.#literal(ip, true);
    for (const d of initial.diagnostics) this.#diagnosed.add(d.subject.slice("vip:".length));
  }

  /** The name's entries as `namedVips` lists them: its address per family and its kept ones, by address. */
  entries(name: string): PreviousNamedVip[] {
    const out: PreviousNamedVip[] = [];
    for (const r of this.#retained) if (r.name === name) out.push({ name, ip: r.ip, lastSeen: r.lastSeen });
    for (const family of [4, 6] as const) {
      const ip = this.#families[family].addresses.get(name);
      if (ip !== undefined) out.push({ name, ip });
    }
    return out.sort(compareNamedVips);
  }

  /** The name's address of a family. */
  address(name: string, family: IpFamily): string | undefined {
    return this.#families[family].addresses.get(name);
  }

  /**
   * Takes one change: `now` is its time, `names` the names whose backends it touched, `ips` the
   * IP VIP addresses whose groups it touched.
   */
  step(now: string, names: Iterable<string>, ips: Iterable<string>): AllocatorStep {
    const changed = new Set<string>();
    const moved = new Set<string>();
    const diagnostics = new Map<string, Diagnostic[]>();
    for (const ip of ips) this.#literal(ip, this.groups.isIpVipAddress(ip));
    const touched = [...new Set(names)].sort(compareStrings);
    const gaining: Record<IpFamily, string[]> = { 4: [], 6: [] };
    for (const family of [4, 6] as const) {
      const state = this.#families[family];
      for (const name of touched) {
        const had = state.addresses.has(name) || state.unallocated.has(name);
        const has = this.groups.hasBackends(name, family);
        if (had && !has) {
          state.unallocated.delete(name);
          const ip = state.release(name);
          if (ip === undefined) continue;
          changed.add(name);
          moved.add(name);
          if (withinGrace(now, now, this.config.namedVipGraceSeconds)) this.#retain(name, ip, now);
        } else if (!had && has) gaining[family].push(name);
      }
    }
    // Names that come back take their kept address before kept addresses expire: they are in
    // the previous list, so they claim it whatever its age.
    const claims: Record<IpFamily, Map<string, string>> = { 4: new Map(), 6: new Map() };
    for (const family of [4, 6] as const) {
      for (const name of gaining[family]) {
        const kept = this.#takeRetained(name, family);
        if (kept !== undefined) claims[family].set(name, kept);
        changed.add(name);
        moved.add(name);
      }
    }
    this.#expire(now, changed);
    for (const family of [4, 6] as const) this.#allocate(family, gaining[family], claims[family], { changed, moved, diagnostics });
    for (const name of this.#diagnosed) if (!diagnostics.has(name)) diagnostics.set(name, []);
    this.#diagnosed = new Set([...diagnostics].filter(([, list]) => list.length > 0).map(([name]) => name));
    return { changed, moved, diagnostics };
  }

  /** Gives the gaining names their claimed addresses, settling contests, then places the new ones. */
  #allocate(family: IpFamily, gaining: readonly string[], claims: Map<string, string>, out: AllocatorStep): void {
    const state = this.#families[family];
    const fresh = new Set<string>(state.unallocated);
    state.unallocated.clear();
    const report = (name: string, diagnostic: Diagnostic) => {
      const list = out.diagnostics.get(name);
      if (list === undefined) out.diagnostics.set(name, [diagnostic]);
      else list.push(diagnostic);
    };
    const byOffset = new Map<bigint, string[]>();
    for (const name of gaining) {
      const previous = claims.get(name);
      const offset = keptOffset(previous, family, state.min, state.span);
      if (offset === undefined) {
        if (previous !== undefined) report(name, namedVipMoved(name, previous, true, state.range));
        fresh.add(name);
        continue;
      }
      const list = byOffset.get(offset);
      if (list === undefined) byOffset.set(offset, [name]);
      else list.push(name);
    }
    for (const [offset, claimants] of byOffset) {
      const holder = state.holderAt.get(offset);
      const contenders = [...claimants, ...(holder === undefined ? [] : [holder])].sort(compareStrings);
      const winner = contenders[0]!;
      for (const loser of contenders.slice(1)) {
        const previous = loser === holder ? state.addresses.get(loser)! : claims.get(loser)!;
        report(loser, namedVipMoved(loser, previous, false, state.range));
        if (loser === holder) {
          state.release(loser);
          out.changed.add(loser);
          out.moved.add(loser);
        }
        fresh.add(loser);
      }
      if (winner !== holder) state.assign(winner, offset);
    }
    const taken = { has: (offset: bigint) => state.taken.has(offset), get size() { return state.taken.size; } };
    for (const name of [...fresh].sort(compareStrings)) {
      const offset = freeOffset(homeOffset(name, family, state.span), state.span, taken);
      if (offset === undefined) {
        state.unallocated.add(name);
        report(name, outOfAddresses(name, state.range));
        continue;
      }
      state.assign(name, offset);
      out.changed.add(name);
      out.moved.add(name);
    }
  }

  #retain(name: string, ip: string, lastSeen: string): void {
    const entry = { name, ip, lastSeen, ms: Date.parse(lastSeen) };
    let at = this.#retained.length;
    while (at > 0 && this.#retained[at - 1]!.ms > entry.ms) at--;
    this.#retained.splice(at, 0, entry);
    this.#families[familyOf(ip)].bar(ip, 1);
  }


  /** Removes the name's kept addresses of a family; returns the one it claims back (the last in address order). */
  #takeRetained(name: string, family: IpFamily): string | undefined {
    let claim: string | undefined;
    for (let i = this.#retained.length - 1; i >= 0; i--) {
      const r = this.#retained[i]!;
      if (r.name !== name || familyOf(r.ip) !== family) continue;
      if (claim === undefined || compareStrings(r.ip, claim) > 0) claim = r.ip;
      this.#retained.splice(i, 1);
      this.#families[family].bar(r.ip, -1);
    }
    return claim;
  }

  #expire(now: string, changed: Set<string>): void {
    while (this.#retained.length > 0 && !withinGrace(this.#retained[0]!.lastSeen, now, this.config.namedVipGraceSeconds)) {
      const r = this.#retained.shift()!;
      this.#families[familyOf(r.ip)].bar(r.ip, -1);
      changed.add(r.name);
    }
  }

  #literal(ip: string, present: boolean): void {
    if (this.#literals.has(ip) === present) return;
    const parsed = parseIp(ip);
    if (present) this.#literals.add(ip);
    else this.#literals.delete(ip);
    if (parsed !== undefined) this.#families[parsed.family].bar(parsed.address, present ? 1 : -1);
  }
}
