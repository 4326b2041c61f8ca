/**
 * @module
 * Who may have queries forwarded (BCP 140 / RFC 5358: a recursive service serves only its
 * intended clients, or it becomes an amplifier for anyone who can reach it). Decisions are
 * cached per client address, since a node's clients are few and repeat.
 */
import type { Cidr } from "../net/cidr.ts";
import { networkContains, parseNetwork } from "../net/networks.ts";

/** Addresses remembered; beyond it the cache starts over (a scan cannot grow it unbounded). */
const CACHE_LIMIT = 10_000;

export class AccessList {
  readonly #blocks: Cidr[];
  readonly #cache = new Map<string, boolean>();

  /**
   * Blocks that do not parse are ignored: the list comes from a validated desired state or a
   * validated flag, so that only happens by mistake, and ignoring one allows less, not more.
   * @example new AccessList(["127.0.0.0/8"]).allows("127.0.0.2") // true
   */
  constructor(readonly networks: readonly string[]) {
    this.#blocks = networks.map(parseNetwork).filter((c): c is Cidr => c !== undefined);
  }

  allows(address: string): boolean {
    let allowed = this.#cache.get(address);
    if (allowed === undefined) {
      allowed = networkContains(this.#blocks, address);
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(address, allowed);
    }
    return allowed;
  }
}
