/**
 * @module
 * The TCP ports a config's frontends bind, so two frontends never share one: HAProxy would
 * split connections between them (marathon-lb#125: `HAPROXY_0_PORT=80` next to the vhost
 * frontend). The shared frontends and the stats listener claim theirs first.
 */
import type { HeadModel, SharedFrontends } from "./model.ts";

const WILDCARD_ADDRESSES = new Set(["*", "0.0.0.0", "::"]);

export class PortTable {
  private readonly byPort = new Map<number, { address: string; owner: string }[]>();

  /**
   * @example new PortTable(frontends, head).claim("*", 80, "web_80") // "*:80 is already bound by the :80 vhost frontend marathon_http_in"
   */
  constructor(frontends: SharedFrontends, head: HeadModel) {
    if (frontends.bindHttpHttps) {
      this.claim(frontends.bindAddress, frontends.httpPort, "the :80 vhost frontend marathon_http_in");
      if (frontends.httpsPort !== frontends.httpPort) this.claim(frontends.bindAddress, frontends.httpsPort, "the :443 vhost frontend marathon_https_in");
    }
    this.claim(frontends.bindAddress, frontends.appIdPort, "the app-id frontend marathon_http_appid_in");
    this.claim(head.statsBindAddress, head.statsPort, "the stats listener");
  }

  /** Takes `address:port` for `owner`; returns why not when another frontend overlaps it. */
  claim(address: string, port: number, owner: string): string | undefined {
    const taken = this.byPort.get(port) ?? [];
    const clash = taken.find((t) => t.address === address || WILDCARD_ADDRESSES.has(t.address) || WILDCARD_ADDRESSES.has(address));
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
