/**
 * @module
 * The two zones every dcos-dns node serves without any cluster state: `spartan` (the resolver's
 * own names) and `zk` (the ZooKeeper ensemble, which runs on the masters).
 */
import type { IpLiteral } from "../../lib/net/ip-literal.ts";
import type { ZoneBuilder } from "./zone-builder.ts";
import type { Provenance } from "../../lib/desired/provenance.ts";

/** The first address of the `spartan` dummy interface, where every node's resolver listens. */
export const SPARTAN_NS_IP = "198.51.100.1";

/** dcos-dns always published five ZooKeeper names, whatever the number of masters. */
const ZK_NAMES = 5;

/**
 * `ready.spartan` (a liveness probe name) and `ns.spartan`.
 * @example addSpartanRecords(zone); zone.values("ready.spartan", "A") // Set {"127.0.0.1"}
 */
export function addSpartanRecords(zone: ZoneBuilder, provenance?: Provenance): void {
  for (const [name, ip] of [[`ready.${zone.origin}`, "127.0.0.1"], [`ns.${zone.origin}`, SPARTAN_NS_IP]] as const) {
    zone.add(name, "A", ip);
    provenance?.dnsRecord(`zone:${zone.origin}`, name, "A", ip);
  }
}

/**
 * `zk-1.zk` … `zk-5.zk`, the masters assigned round-robin: three masters give m1, m2, m3, m1, m2.
 * No masters, no records.
 * @example addZkRecords(zone, [m1, m2, m3]); zone.values("zk-4.zk", "A") // Set {m1.address}
 */
export function addZkRecords(zone: ZoneBuilder, masters: readonly IpLiteral[], provenance?: Provenance): void {
  if (masters.length === 0) return;
  for (let i = 0; i < ZK_NAMES; i++) {
    const ip = masters[i % masters.length]!;
    const name = `zk-${i + 1}.${zone.origin}`;
    const type = ip.family === 4 ? "A" : "AAAA";
    zone.add(name, type, ip.address);
    provenance?.dnsRecord(`master:${ip.address}`, name, type, ip.address);
  }
}
