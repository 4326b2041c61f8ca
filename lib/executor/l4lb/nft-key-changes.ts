/**
 * @module
 * The VIP services a batch's changed `l4lb/...` keys move, for the nftables applier's partial
 * sync: each changed key's service as this node programs it (`nodeServices`: its own backends
 * at their container address), against what the record says is installed under the service
 * key the view key last stood for. A named VIP whose address moved is its old service deleted
 * and its new one added. Pure, and as costly as the changed keys.
 */
import { nodeServices } from "../../../functions/l4lb/node-services.ts";
import type { L4Service } from "../../desired/schema.ts";
import type { KeyChanges } from "../keyed-applier.ts";
import { installedService, sameInstall, type InstalledService, type NftServiceChange } from "./installed-service.ts";
import { serviceKey } from "./service-key.ts";

/**
 * @example
 * keyedServiceChanges(changes, "S1", record.services, viewKeys)
 * // { changes: [{ key: "tcp 11.0.0.1:80", before, after }], viewKeys: Map { "l4lb/ip/11.0.0.1/tcp/80" → "tcp 11.0.0.1:80" } }
 */
export function keyedServiceChanges(
  changes: KeyChanges,
  node: string,
  installed: ReadonlyMap<string, InstalledService>,
  viewKeys: ReadonlyMap<string, string>,
): { changes: NftServiceChange[]; viewKeys: Map<string, string> } {
  const next = new Map(viewKeys);
  const moves = new Map<string, NftServiceChange>();
  const remove = (viewKey: string) => {
    const old = next.get(viewKey);
    next.delete(viewKey);
    if (old !== undefined && !moves.has(old)) moves.set(old, { key: old, before: installed.get(old) });
  };
  for (const key of changes.deletes) remove(key);
  for (const [key, change] of changes.upserts) {
    const service = nodeServices([change.value as L4Service], node)[0]!;
    const key2 = serviceKey(service);
    if (next.get(key) !== key2) remove(key);
    next.set(key, key2);
    const before = installed.get(key2);
    if (before !== undefined && sameInstall(before, service) && !moves.has(key2)) continue;
    moves.set(key2, { key: key2, before, after: installedService(service, key2) });
  }
  // A key removed and another added under the same service in one batch is one change.
  return { changes: [...moves.values()].filter((c) => c.before !== undefined || c.after !== undefined), viewKeys: next };
}

/**
 * The service key each `l4lb/...` key of a view stands for.
 * @example viewServiceKeys(view.valuesUnder("l4lb/"), "S1").get("l4lb/ip/11.0.0.1/tcp/80") // "tcp 11.0.0.1:80"
 */
export function viewServiceKeys(values: Iterable<[string, L4Service]>, node: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [key, service] of values) keys.set(key, serviceKey(nodeServices([service], node)[0]!));
  return keys;
}
