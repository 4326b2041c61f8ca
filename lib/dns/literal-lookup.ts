/**
 * @module
 * The `lookup` for the server's UDP sockets. Every address they send to is an IP literal (a
 * client's source address, a configured upstream), yet Node's default lookup still routes a
 * literal through `dns.lookup` and a `process.nextTick` on every send and connect, which
 * showed as a large share of per-reply CPU and adds an event-loop turn before a forwarded
 * query leaves. This hands the literal straight back, synchronously.
 */

/**
 * @example dgram.createSocket({ type: "udp4", lookup: literalLookup })
 */
export function literalLookup(address: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(":") ? 6 : 4);
}
