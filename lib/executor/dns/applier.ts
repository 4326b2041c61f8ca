/**
 * @module
 * The DNS applier: installs a node's zones as `<dir>/zones.json` (`lib/desired/dns-zones-file.ts`),
 * through the files applier, so the file is replaced atomically (rename) and untouched when
 * the zones have not changed. A `wayfinder dns --desired <dir>/zones.json` server follows the
 * file and swaps its whole zone set when it changes; after a restart it serves the last file
 * installed, so DNS keeps working while the control plane is away (static stability).
 */
import type { DesiredState } from "../../desired/schema.ts";
import { renderDnsZonesFile } from "../../render/dns-zones-file.ts";
import type { Applier } from "../applier.ts";
import { createFilesApplier } from "../files/applier.ts";
import type { InstalledFiles } from "../files/observe.ts";

/** The file name the DNS server is pointed at, inside the applier's directory. */
export const DNS_ZONES_FILE = "zones.json";

/**
 * @example createDnsApplier({ dir: "/var/lib/wayfinder/dns" }) // then: wayfinder dns --desired /var/lib/wayfinder/dns/zones.json
 */
export function createDnsApplier(options: { dir: string }): Applier<InstalledFiles, string> {
  return createFilesApplier({ name: "dns", dir: options.dir, files: dnsFiles });
}

function dnsFiles(desired: DesiredState): ReadonlyMap<string, string> {
  return new Map([[DNS_ZONES_FILE, renderDnsZonesFile(desired)]]);
}
