/**
 * @module
 * The TCP ports a config's frontends bind, so two frontends never share one: HAProxy would
 * split connections between them (marathon-lb#125: `HAPROXY_0_PORT=80` next to the vhost
 * frontend). The shared frontends and the stats listener claim theirs first.
 */
import { addressesOverlap, sharedListeners } from "./listeners.ts";
import type { HeadModel, SharedFrontends } from "./model.ts";

export class PortTable {
  private readonly byPort = new Map<number, { address: string; owner: string }[]>();

  /**
   * @example new PortTable(frontends, head).claim("*", 80, "web_80") // "*:80 is already bound by the :80 vhost frontend marathon_http_in"
   */
  constructor(frontends: SharedFrontends, head: HeadModel) {
    for (const { address, port, owner } of sharedListeners(frontends, head)) this.claim(address, port, owner);
  }

  /** Takes `address:port` for `owner`; returns why not when another frontend overlaps it. */
  claim(address: string, port: number, owner: string): string | undefined {
    const taken = this.byPort.get(port) ?? [];
    const clash = taken.find((t) => addressesOverlap(t.address, address));
    if (clash !== undefined) return `${address}:${port} is already bound by ${clash.owner}`;
    taken.push({ address, owner });
    this.byPort.set(port, taken);
    return undefined;
  }

  release(address: string, port: number): void {
    const taken = this.byPort.get(port) ?? [];
    const index = taken.findIndex((t) => t.address === address);
    if (index >= 0) taken.splice(index, 1);
  }
}
