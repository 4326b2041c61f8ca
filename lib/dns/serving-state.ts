/**
 * @module
 * Everything the server answers from: the zone index, the router, the access list and the
 * compiled answers. A whole new zone set is built off to the side and swapped in with one
 * assignment; a batch of keyed changes (`keyed-zones.ts`) updates the index in place, between
 * two queries, and drops only the compiled answers that read a touched name. Either way a
 * query sees the zones before a change or after it, never a mix.
 */
import type { DnsAlias, DnsForwarding, DnsZone } from "../desired/schema.ts";
import { AccessList } from "./access-control.ts";
import { AnswerCache } from "./answer-cache.ts";
import { planAnswer, type AnswerSource } from "./authoritative.ts";
import { compileAnswer, type CompiledAnswer } from "./compiled-answer.ts";
import { Router, type Route } from "./router.ts";
import { soaToken, ZoneIndex, type IndexedZone, type NameNode, type Touched } from "./zone-index.ts";

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

export type Lookup = CompiledAnswer | Exclude<Route, { kind: "local" }>;

export class ServingState {
  readonly #cache: AnswerCache;
  readonly router: Router;
  readonly access: AccessList;
  /** True when some name can be forwarded: the RA bit of local answers. */
  readonly recursionAvailable: boolean;

  /**
   * @example new ServingState("9f86…", ZoneIndex.build(zones).index, effectiveForwarding(f, {}), Date.now(), [])
   */
  constructor(
    /** The version of the zones served (the desired state's hash, the keyed view's DNS hash). */
    public version: string,
    readonly index: ZoneIndex,
    readonly forwarding: DnsForwarding,
    public loadedAt: number,
    aliases: readonly DnsAlias[],
    /** Answers compiled from `index` under the same forwarding, when this state replaces one that had them. */
    cache: AnswerCache = new AnswerCache(),
  ) {
    this.#cache = cache;
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
   * answers are cached (`answer-cache.ts` says why).
   */
  lookup(key: string, qtype: number): Lookup {
    const found = this.#cache.get(key, qtype);
    if (found !== undefined) return found;
    const route = this.router.route(key);
    if (route.kind !== "local") return route;
    const source = new RecordingSource(this.index);
    const plan = planAnswer(source, route.key, qtype, route.alias);
    const compiled = compileAnswer(key, plan);
    // A negative answer or an SOA answer carries the zone's SOA, which changes on its own.
    const soa = [...plan.rrset, ...plan.authority].some((r) => r.data.kind === "soa");
    this.#cache.set(key, qtype, compiled, soa ? [...source.reads, ...source.zones.map(soaToken)] : source.reads);
    return compiled;
  }

  /** Drops the compiled answers an in-place change of the index may have altered. */
  invalidate(touched: Touched): number {
    return this.#cache.invalidate(touched);
  }

  /** The same index and answers under other forwarding settings or aliases. */
  withForwarding(forwarding: DnsForwarding, aliases: readonly DnsAlias[]): ServingState {
    // Routes do not go into the cache, but an alias can turn a forwarded name local: start afresh.
    return new ServingState(this.version, this.index, forwarding, this.loadedAt, aliases);
  }

  /** Compiled answers held (for metrics). */
  get cachedAnswers(): number {
    return this.#cache.size;
  }
}

/** The index as an answer sees it, noting every name and zone it read. */
class RecordingSource implements AnswerSource {
  readonly reads: string[] = [];
  readonly zones: string[] = [];

  constructor(private readonly index: ZoneIndex) {}

  zoneFor(key: string): IndexedZone | undefined {
    const zone = this.index.zoneFor(key);
    if (zone !== undefined) this.zones.push(zone.key);
    return zone;
  }

  node(key: string): NameNode | undefined {
    this.reads.push(key);
    return this.index.node(key);
  }

  exists(key: string): boolean {
    this.reads.push(key);
    return this.index.exists(key);
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
