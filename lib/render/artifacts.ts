/**
 * @module
 * Every file a DesiredState renders to, keyed by its path under the output directory. This is
 * the one list of renderers: `wayfinder render` writes it and the filesystem applier installs
 * it. Paths follow DESIGN.md (`dns/<zone>.zone`, `l4lb/ruleset.nft`, `haproxy/<group>.cfg`,
 * `overlay/<agent>/...`, `policy/<node>.nft`, `desired.json`).
 */
import type { DesiredState } from "../desired/schema.ts";
import { canonicalJsonPretty } from "../net/canonical-json.ts";
import { renderZoneFile } from "./zone-file.ts";
import { haproxyGroupFiles } from "./haproxy/group-files.ts";
import { placedGroupsOf } from "./haproxy/placed-groups.ts";
import { renderIpvsadm } from "./ipvsadm.ts";
import { renderNftables } from "./nftables.ts";
import { renderOverlayFiles } from "./overlay.ts";
import { policyFiles } from "./policy-nftables.ts";
import { compareStrings } from "../net/compare.ts";

/**
 * @example renderArtifacts(desired).get("dns/mesos.zone") // "; zone mesos, ...\n$ORIGIN mesos.\n..."
 */
export function renderArtifacts(desired: DesiredState): Map<string, string> {
  const files = new Map<string, string>();
  for (const zone of desired.dns.zones) files.set(`dns/${zone.origin}.zone`, renderZoneFile(zone));
  for (const [path, text] of haproxyGroupFiles(placedGroupsOf(desired))) files.set(`haproxy/${path}`, text);
  files.set("l4lb/ruleset.nft", renderNftables(desired));
  files.set("l4lb/ipvsadm.rules", renderIpvsadm(desired));
  for (const [path, text] of renderOverlayFiles(desired)) files.set(path, text);
  for (const [path, text] of policyFiles(desired)) files.set(path, text);
  files.set("desired.json", canonicalJsonPretty(desired));
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}
