/**
 * @module
 * The two zones every dcos-dns node serves without any cluster state: `spartan` (the resolver's
 * own names) and `zk` (the ZooKeeper ensemble, which runs on the masters).
 */
import type { DnsRecord } from "../../lib/desired/schema.ts";
import type { IpLiteral } from "../../lib/net/ip-literal.ts";
import type { RecordSink } from "./zone-builder.ts";

/** The first address of the `spartan` dummy interface, where every node's resolver listens. */
export const SPARTAN_NS_IP = "198.51.100.1";

/** dcos-dns always published five ZooKeeper names, whatever the number of masters. */
const ZK_NAMES = 5;

/**
 * `ready.spartan` (a liveness probe name) and `ns.spartan`: records of the zone itself.
 * @example spartanRecords("spartan", 5)[0] // { name: "ready.spartan", type: "A", ttl: 5, data: "127.0.0.1" }
 */
export function spartanRecords(origin: string, ttl: number): DnsRecord[] {
  return [
    { name: `ready.${origin}`, type: "A", ttl, data: "127.0.0.1" },
    { name: `ns.${origin}`, type: "A", ttl, data: SPARTAN_NS_IP },
  ];
}

/**
 * `zk-1.zk` … `zk-5.zk`, the masters assigned round-robin: three masters give m1, m2, m3, m1, m2.
 * No masters, no records.
 * @example addZkRecords(zone, "zk", [m1, m2, m3]); // zk-4.zk A m1.address
 */
export function addZkRecords(sink: RecordSink, origin: string, masters: readonly IpLiteral[]): void {
  if (masters.length === 0) return;
  for (let i = 0; i < ZK_NAMES; i++) {
    const ip = masters[i % masters.length]!;
    sink.add(`zk-${i + 1}.${origin}`, ip.family === 4 ? "A" : "AAAA", ip.address);
  }
}
