/**
 * @module
 * The sticky allocations among the keyed desired objects (named-VIP addresses, overlay
 * subnets and VTEPs with the spaces they were cut from, HAProxy server slots): which keys hold
 * them, and the `previous` allocations of a snapshot rebuilt from those objects. The store
 * keeps these objects with every generation, so a control plane that restarts derives the
 * same addresses it handed out before (DESIGN principle 4).
 */
import { KeyPrefix, ObjectKeys, idOfSegment } from "../desired/object-keys.ts";
import { compareStrings } from "../net/compare.ts";
import { parseIpValue } from "../net/cidr.ts";
import { previousFromDocument } from "../snapshot/previous.ts";
import type { PreviousAllocations } from "../snapshot/schema.ts";

const PREFIXES = [KeyPrefix.namedVipAllocation, KeyPrefix.overlayAllocation, KeyPrefix.haproxySlots];

/**
 * @example isAllocationKey("control/overlay/allocation/10.0.1.1") // true
 * @example isAllocationKey("dns/aliases") // false
 */
export function isAllocationKey(key: string): boolean {
  return key === ObjectKeys.overlaySpaces || PREFIXES.some((prefix) => key.startsWith(prefix));
}

/**
 * The `previous` a snapshot needs to derive the same allocations again (validated like any
 * `previous`: a damaged object is an error naming it).
 * @example previousFromAllocations(new Map([["control/l4lb/named/app.marathon", '[{"name":"app.marathon","ip":"11.0.0.1"}]']]))
 * // { l4lb: { namedVips: [{ name: "app.marathon", ip: "11.0.0.1" }] } }
 */
export function previousFromAllocations(objects: ReadonlyMap<string, string>): PreviousAllocations {
  const namedVips: unknown[] = [];
  const nodes: Array<{ ip: string }> = [];
  const backends: Array<[string, unknown]> = [];
  let spaces: Record<string, unknown> | undefined;
  for (const [key, json] of [...objects].sort(([a], [b]) => compareStrings(a, b))) {
    const value = JSON.parse(json) as unknown;
    if (key === ObjectKeys.overlaySpaces) spaces = value as Record<string, unknown>;
    else if (key.startsWith(KeyPrefix.namedVipAllocation)) namedVips.push(...(value as unknown[]));
    else if (key.startsWith(KeyPrefix.overlayAllocation)) nodes.push(value as { ip: string });
    else if (key.startsWith(KeyPrefix.haproxySlots)) backends.push([idOfSegment(key.slice(KeyPrefix.haproxySlots.length)), value]);
  }
  nodes.sort((a, b) => compareIp(a.ip, b.ip));
  const document = {
    apiVersion: "wayfinder/v1",
    l4lb: { services: [], namedVips },
    ...(spaces === undefined ? {} : { overlay: { allocations: { ...spaces, nodes } } }),
    haproxy: { allocations: { backends: Object.fromEntries(backends) } },
  };
  return previousFromDocument(document, "the stored allocations");
}

function compareIp(a: string, b: string): number {
  const x = parseIpValue(a)?.value ?? 0n;
  const y = parseIpValue(b)?.value ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
}
