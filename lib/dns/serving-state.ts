/**
 * @module
 * Everything the server answers from, for one desired state: the zone index, the router, the
 * access list and a cache of compiled answers. It is built off to the side and swapped in
 * with one assignment, so a query sees the old zone set or the new one, never a mix; the
 * cache goes with its state, so no answer outlives the zones it came from.
 */
import type { DnsAlias, DnsForwarding, DnsZone } from "../desired/schema.ts";
import { AccessList } from "./access-control.ts";
import { planAnswer } from "./authoritative.ts";
import { compileAnswer, type CompiledAnswer } from "./compiled-answer.ts";
import { Router, type Route } from "./router.ts";
import { ZoneIndex } from "./zone-index.ts";

/** What the zones come from: a desired state (or the DNS applier's copy of its `dns` part). */
export interface ZoneSet {
  /** The desired state's hash. */
  version: string;
  zones: readonly DnsZone[];
  forwarding: DnsForwarding | undefined;
  /** Suffixes answered from another local zone (`mesos.thisdcos.directory` → `mesos`). */
  aliases?: readonly DnsAlias[] | undefined;
}

/** Flags that replace the desired state's forwarding settings (`wayfinder dns --upstream/--allow/--timeout-ms`). */
export interface ForwardingOverrides {
  upstreams?: DnsForwarding["upstreams"] | undefined;
  allowedNetworks?: readonly string[] | undefined;
  timeoutMs?: number | undefined;
}

/** Forwarding when a desired state has none: nothing forwarded, only loopback would be allowed. */
const NO_FORWARDING: DnsForwarding = { upstreams: [], zones: [], allowedNetworks: ["127.0.0.0/8", "::1/128"], timeoutMs: 2000 };

/** Compiled answers kept per state; a flood of random names cannot grow it further. */
const CACHE_LIMIT = 200_000;

export type Lookup = CompiledAnswer | Exclude<Route, { kind: "local" }>;

export class ServingState {
  /** name key → qtype → compiled answer: two levels, so the per-query key is the question's own string. */
  readonly #cache = new Map<string, Map<number, CompiledAnswer>>();
  #cached = 0;
  readonly router: Router;
  readonly access: AccessList;
  /** True when some name can be forwarded: the RA bit of local answers. */
  readonly recursionAvailable: boolean;

  private constructor(
    readonly version: string,
    readonly index: ZoneIndex,
    readonly forwarding: DnsForwarding,
    readonly loadedAt: number,
    aliases: readonly DnsAlias[],
  ) {
    this.router = new Router(index, forwarding, aliases);
    this.access = new AccessList(forwarding.allowedNetworks);
    this.recursionAvailable = forwarding.upstreams.length > 0 || forwarding.zones.length > 0;
  }

  /**
   * @example const { state, problems } = ServingState.build({ version: desired.hash, zones, forwarding }, {}, Date.now());
   */
  static build(source: ZoneSet, overrides: ForwardingOverrides, loadedAt: number): { state: ServingState; problems: string[] } {
    const { index, problems } = ZoneIndex.build(source.zones);
    const forwarding = effectiveForwarding(source.forwarding, overrides);
    return { state: new ServingState(source.version, index, forwarding, loadedAt, source.aliases ?? []), problems };
  }

  /**
   * The compiled local answer for (name, type), or where the question goes instead. Only local
   * answers are cached: a route elsewhere costs less to find again than to remember, and
   * forwarded names are open-ended (every name under `.com`), so caching them would fill the
   * cache with names asked once and hand the garbage collector long-lived objects to move.
   */
  lookup(key: string, qtype: number): Lookup {
    let byType = this.#cache.get(key);
    const found = byType?.get(qtype);
    if (found !== undefined) return found;
    const route = this.router.route(key);
    if (route.kind !== "local") return route;
    const lookup = compileAnswer(key, planAnswer(this.index, route.key, qtype, route.alias));
    if (this.#cached >= CACHE_LIMIT) {
      // Starting over is O(1) per insert on average and keeps the hot path free of LRU
      // bookkeeping; a working set this large recompiles at a few microseconds a name.
      this.#cache.clear();
      this.#cached = 0;
      byType = undefined;
    }
    if (byType === undefined) this.#cache.set(key, (byType = new Map()));
    byType.set(qtype, lookup);
    this.#cached++;
    return lookup;
  }
}

/**
 * The desired state's forwarding with the command line's overrides applied.
 * @example effectiveForwarding(desired.dns.forwarding, { upstreams: [{ ip: "127.0.0.1", port: 5300 }] }).upstreams
 */
export function effectiveForwarding(forwarding: DnsForwarding | undefined, overrides: ForwardingOverrides): DnsForwarding {
  const base = forwarding ?? NO_FORWARDING;
  return {
    upstreams: overrides.upstreams ?? base.upstreams,
    zones: base.zones,
    allowedNetworks: overrides.allowedNetworks === undefined ? base.allowedNetworks : [...overrides.allowedNetworks],
    timeoutMs: overrides.timeoutMs ?? base.timeoutMs,
  };
}
