/**
 * @module
 * The text of `dns/zones.json` (`lib/desired/dns-zones-file.ts`), as the DNS applier installs
 * it: canonical JSON, so the same zones always give the same bytes and the file is rewritten
 * only when they change.
 */
import type { DesiredState } from "../desired/schema.ts";
import type { DnsZonesFile } from "../desired/dns-zones-file.ts";
import { canonicalJsonPretty } from "../net/canonical-json.ts";

/**
 * The applier's file for a desired state, as canonical JSON.
 * @example renderDnsZonesFile(nodeView(desired, "S1")) // '{\n  "apiVersion": "wayfinder/v1", ...'
 */
export function renderDnsZonesFile(desired: DesiredState): string {
  const file: DnsZonesFile = { apiVersion: "wayfinder/v1", kind: "DnsZones", hash: desired.hash, dns: desired.dns };
  return canonicalJsonPretty(file);
}
