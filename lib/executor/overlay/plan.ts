/**
 * @module
 * The overlay applier's plan: pure, from a node's desired entry and the observed kernel state.
 * Both become entry tables (`entries.ts`) and the plan is their keyed difference, with two
 * rules the kernel imposes: a VTEP whose VXLAN parameters differ is recreated, and deleting or
 * recreating the device takes everything on it along (so those entries are not deleted one by
 * one, and are all added again after a recreate).
 */
import type { OverlayNode } from "../../desired/overlay-schema.ts";
import { VTEP_NAME } from "../../desired/overlay-constants.ts";
import { diffKeyed, type Plan } from "../applier.ts";
import { ENTRY_KINDS, NAT_TABLE, kindOf, linkValue, natValue } from "./entries.ts";
import { installedLinkValue, type InstalledDataplane } from "./observe.ts";

/** The key of the VTEP device itself. */
export const LINK_KEY = `link ${VTEP_NAME}`;

/**
 * Every entry the node should have, the device included; empty when the node runs no overlay.
 * Throws on a node entry without a data plane: only a node view (`nodeView`) has one, and
 * applying a cluster-wide state would delete every route.
 * @example wantedEntries(view.overlay.nodes["S1"]).get("neigh 44.128.0.3") // "70:b3:d5:80:00:03"
 */
export function wantedEntries(node: OverlayNode | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  if (node === undefined) return entries;
  const { dataplane, vtep } = node;
  if (dataplane === undefined) throw new Error("the overlay node entry has no data plane: apply a node view (nodeView), not the cluster's desired state");
  entries.set(LINK_KEY, linkValue(vtep));
  entries.set(`up ${VTEP_NAME}`, "");
  for (const address of [vtep.ip, vtep.ip6]) if (address !== undefined) entries.set(`addr ${address}`, "");
  for (const n of dataplane.neighbours) entries.set(`neigh ${n.ip}`, n.mac);
  for (const f of dataplane.fdb) entries.set(`fdb ${f.mac}`, f.dst);
  for (const r of dataplane.routes) entries.set(`route ${r.table} ${r.dst}`, r.via);
  for (const r of dataplane.rules) entries.set(`rule ${r.from}`, "");
  if (node.masquerade.length > 0) entries.set(`nat ${NAT_TABLE}`, natValue(node.masquerade));
  return entries;
}

/**
 * @example planDataplane(view.overlay.nodes["S1"], await observeDataplane(run)).adds // Map { "fdb 70:b3:d5:80:00:05" → "10.0.0.14", ... }
 */
export function planDataplane(node: OverlayNode | undefined, installed: InstalledDataplane): Plan<string> {
  const wanted = wantedEntries(node);
  const current = new Map(installed.entries);
  if (installed.link !== undefined) current.set(LINK_KEY, installedLinkValue(installed.link, node?.vtep.mtu !== undefined));
  const wantedLink = wanted.get(LINK_KEY);
  const installedLink = current.get(LINK_KEY);
  // Without the device (absent, to be removed, or to be recreated) nothing on it survives.
  if (wantedLink === undefined || installedLink === undefined || installedLink !== wantedLink) {
    for (const key of current.keys()) if (key !== LINK_KEY && ENTRY_KINDS[kindOf(key)].onDevice) current.delete(key);
  }
  return diffKeyed("overlay", wanted, current, new Set(current.keys()));
}
