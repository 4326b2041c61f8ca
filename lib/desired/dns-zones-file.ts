/**
 * @module
 * How the DNS applier hands the DNS server its zones: the keyed zones store (`DNS_ZONES_STORE`)
 * it writes and the server follows, and `zones.json` (`kind: DnsZones`), the `dns` part of a
 * desired state with its hash, which earlier agents wrote and the server still reads
 * (`wayfinder dns --desired zones.json`, `lib/dns/zone-set-reader.ts`). The contract sits below
 * both sides.
 */
import { z } from "zod";
import { DesiredState } from "./schema.ts";

/**
 * The keyed store (`lib/journal/store-format.ts`) the DNS applier hands the server its zones
 * in, as `<dns dir>/zones.current`, `zones.<epoch>.snapshot` and `zones.<epoch>.journal`: the
 * `dns/...` keys of the node's view, each with its value, so a change costs what it changed.
 */
export const DNS_ZONES_STORE = "zones";

/** `zones.json`: a whole zone set in one file, for `wayfinder dns --desired`. */
export const DnsZonesFile = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("DnsZones"),
  /** The hash of the desired state the zones were taken from. */
  hash: z.string(),
  dns: DesiredState.shape.dns,
});
export type DnsZonesFile = z.infer<typeof DnsZonesFile>;
