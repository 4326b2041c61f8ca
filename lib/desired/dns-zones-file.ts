/**
 * @module
 * `dns/zones.json` (`kind: DnsZones`): the `dns` part of a node's desired state with its hash,
 * so the file changes exactly when the node's DNS does. The DNS applier writes it
 * (`lib/render/dns-zones-file.ts` renders it) and the DNS server reads it
 * (`lib/dns/zone-set-reader.ts`); the contract sits below both.
 */
import { z } from "zod";
import { DesiredState } from "./schema.ts";

/** `dns/zones.json`: what the DNS applier installs and the server watches. */
export const DnsZonesFile = z.object({
  apiVersion: z.literal("wayfinder/v1"),
  kind: z.literal("DnsZones"),
  /** The hash of the desired state the zones were taken from. */
  hash: z.string(),
  dns: DesiredState.shape.dns,
});
export type DnsZonesFile = z.infer<typeof DnsZonesFile>;
