/**
 * @module
 * Where a question goes (dcos-dns's `dcos_dns_router`, specs/dns.md §3.4): a local zone
 * (through the renames first), a forward zone, the default upstreams, or nowhere (REFUSED:
 * no upstream is configured for it). Zones are matched label by label from the question up,
 * so the longest suffix wins explicitly, where dcos-dns relied on map iteration order. A
 * forward zone and a local zone with the same name: the forward zone wins, because it was
 * configured on purpose (e.g. the `mesos` domain sent to the masters).
 */
import type { DnsAlias, DnsForwarding, DnsUpstream } from "../desired/schema.ts";
import { aliasFor, aliasTable, type Alias, type AliasTable } from "./aliases.ts";
import { nameKey, parentKey } from "./wire/names.ts";
import type { ZoneIndex } from "./zone-index.ts";

export type Route =
  | { kind: "local"; key: string; alias: Alias | undefined }
  | { kind: "forward"; zone: string; upstreams: readonly DnsUpstream[] }
  | { kind: "refused" };

export class Router {
  readonly #forwardZones = new Map<string, Route>();
  readonly #defaultRoute: Route;
  readonly #aliases: AliasTable;

  /**
   * @example new Router(index, desired.dns.forwarding).route(nameKey("example.org")!) // { kind: "forward", zone: ".", ... }
   */
  constructor(
    private readonly index: ZoneIndex,
    forwarding: Pick<DnsForwarding, "upstreams" | "zones">,
    aliases: readonly DnsAlias[] = [],
  ) {
    this.#aliases = aliasTable(aliases);
    for (const { zone, upstreams } of forwarding.zones) {
      const key = nameKey(zone);
      if (key !== undefined && upstreams.length > 0) this.#forwardZones.set(key, { kind: "forward", zone, upstreams });
    }
    this.#defaultRoute = forwarding.upstreams.length > 0 ? { kind: "forward", zone: ".", upstreams: forwarding.upstreams } : { kind: "refused" };
  }

  route(key: string): Route {
    const alias = aliasFor(key, this.#aliases);
    if (alias !== undefined && this.index.zoneFor(alias.key) !== undefined) return { kind: "local", key: alias.key, alias };
    for (let current: string | undefined = key; current !== undefined; current = parentKey(current)) {
      const forward = this.#forwardZones.get(current);
      if (forward !== undefined) return forward;
      if (this.index.zone(current) !== undefined) return { kind: "local", key, alias: undefined };
    }
    return this.#defaultRoute;
  }
}
