/**
 * @module
 * The overlay master's allocation (spec §2.3), as one pure fold: rebuild the pools from the
 * spaces, reserve everything the previous allocations hold, then give every member, in
 * order, what it lacks: a VTEP IPv4 (+ IPv6) and a slice of each enabled overlay, always the
 * lowest free. So allocations never move while their owner exists, overlays added later reach
 * existing nodes, and freed slots are reused lowest first.
 *
 * Differences from the C++, on purpose: a node whose overlay cannot get both its IPv4 and IPv6
 * slices gives back the one it got (the C++ leaked it); an exhausted IPv6 VTEP pool costs a
 * node its IPv6 overlays only, not its whole registration; and every failure is a diagnostic
 * naming the node and the overlay, where DC/OS bumped a metric and left the task to fail.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { NodeAllocation, OverlaySlice } from "../../lib/desired/overlay-schema.ts";
import { addressAt, blockCount, blockIndex, contains, formatCidr, formatIp, nthBlock, parseCidr, parseIpValue, type Cidr } from "../../lib/net/cidr.ts";
import type { Member } from "./members.ts";
import { slotPool, type SlotPool } from "./slot-pool.ts";
import type { FamilySpace, OverlayDefinition, Spaces } from "./spaces.ts";
import { compareStrings } from "../../lib/net/compare.ts";

export interface AllocationInput {
  /** Present nodes, in allocation order. */
  members: readonly Member[];
  spaces: Spaces;
  /** Previous allocations still held (releases applied), sorted by IP. */
  kept: readonly NodeAllocation[];
  /** `vtep_mac_oui`: `70:B3:D5:00:00:00`. */
  macOui: string;
}

/** What a node holds while allocating: slot numbers, formatted at the end. */
export interface Holding {
  ip: string;
  value: bigint;
  vtep4?: bigint;
  vtep6?: bigint;
  mac?: string;
  /** Overlay name → slot per family. */
  overlays: Map<string, { v4?: bigint; v6?: bigint }>;
}

/** The free slots of every space. */
export interface Pools {
  vtep4: SlotPool;
  vtep6?: SlotPool;
  /** `<overlay>/4`, `<overlay>/6` */
  slices: Map<string, SlotPool>;
}

export interface Allocated {
  /** Every held node, present or not, sorted by IP. */
  nodes: NodeAllocation[];
  /** Members that could not get everything they lack. */
  exhausted: Diagnostic[];
  /** Held nodes not in the snapshot. */
  absent: Diagnostic[];
  /** Previous allocations that did not fit (allocated afresh). */
  invalid: Diagnostic[];
}

/**
 * @example
 * allocateNodes({ members, spaces, kept: [], macOui: "70:B3:D5:00:00:00" }).nodes[0]
 * // { ip: "10.0.0.1", vtep: { ip: "44.128.0.1", ip6: "fd01:a::1", mac: "70:b3:d5:80:00:01" }, overlays: { dcos: { subnet: "9.0.0.0/24" }, ... } }
 */
export function allocateNodes(input: AllocationInput): Allocated {
  const { spaces } = input;
  const pools = buildPools(spaces);
  const holdings = new Map<string, Holding>();
  const invalid: Diagnostic[] = [];
  for (const node of input.kept) {
    const holding = reserveHolding(node, spaces, pools, invalid);
    if (holding !== undefined) holdings.set(node.ip, holding);
  }

  const exhausted: Diagnostic[] = [];
  const present = new Set<string>();
  for (const member of input.members) {
    present.add(member.ip);
    const holding = extendMember(member, holdings.get(member.ip), spaces, pools, input.macOui, exhausted);
    if (holding !== undefined) holdings.set(member.ip, holding);
  }

  const nodes = [...holdings.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const absent = nodes.filter((node) => !present.has(node.ip)).map((node) => ownerAbsent(node.ip));
  return { nodes: nodes.map((node) => formatHolding(node, spaces)), exhausted, absent, invalid };
}

/**
 * Gives a present member what it lacks, each the lowest free slot: a VTEP IPv4 (without one the
 * member gets nothing), a VTEP IPv6 where there is a space for it, and every family of every
 * enabled overlay. Returns its holding, `undefined` when it got no VTEP.
 * @example extendMember(member, undefined, spaces, pools, "70:B3:D5:00:00:00", diagnostics)?.vtep4 // 1n
 */
export function extendMember(member: Member, held: Holding | undefined, spaces: Spaces, pools: Pools, macOui: string, diagnostics: Diagnostic[]): Holding | undefined {
  const holding: Holding = held ?? { ip: member.ip, value: member.value, overlays: new Map() };
  if (holding.vtep4 === undefined) {
    holding.vtep4 = pools.vtep4.take();
    if (holding.vtep4 === undefined) {
      diagnostics.push(exhausted(member.subject, "overlay.vtep-exhausted", `no free VTEP address left in vtep_subnet ${formatCidr(spaces.vtep4)}; the node gets no overlay`));
      return undefined;
    }
    holding.mac = vtepMac(macOui, addressAt(spaces.vtep4, holding.vtep4).value);
  }
  if (pools.vtep6 !== undefined && holding.vtep6 === undefined) {
    holding.vtep6 = pools.vtep6.take();
    if (holding.vtep6 === undefined) {
      diagnostics.push(exhausted(member.subject, "overlay.vtep-exhausted", `no free VTEP address left in vtep_subnet6 ${formatCidr(spaces.vtep6!)}; the node gets no IPv6 overlay`));
    }
  }
  for (const overlay of spaces.overlays) {
    if (overlay.enabled) extend(holding, overlay, pools, member.subject, diagnostics);
  }
  return holding;
}

/**
 * The report of a held node that is not in the snapshot.
 * @example ownerAbsent("10.0.0.12").code // "overlay.owner-absent"
 */
export function ownerAbsent(ip: string): Diagnostic {
  return {
    level: "info",
    code: "overlay.owner-absent",
    subject: `node:${ip}`,
    message: "not in the snapshot: its VTEP and slices stay reserved (it gets them back if it returns) until released with previous.overlay.release",
  };
}

/**
 * The VTEP MAC: the OUI's three bytes, then the VTEP IPv4's low three bytes (DC/OS's rule, so
 * a MAC is unique as long as the VTEP subnet is /8 or longer).
 * @example vtepMac("70:B3:D5:00:00:00", parseIpValue("44.128.0.2")!.value) // "70:b3:d5:80:00:02"
 */
export function vtepMac(oui: string, vtepIp: bigint): string {
  const low = [16n, 8n, 0n].map((shift) => Number((vtepIp >> shift) & 0xffn).toString(16).padStart(2, "0"));
  return [...oui.toLowerCase().split(":").slice(0, 3), ...low].join(":");
}

/**
 * Empty pools over the spaces.
 * @example buildPools(spaces).vtep4.take() // 1n
 */
export function buildPools(spaces: Spaces): Pools {
  // VTEPs take host addresses: the network and broadcast addresses are left out (an open
  // range), where overlay slices use the whole closed range, first and last included.
  const hosts = (cidr: Cidr) => slotPool(1n, blockCount(cidr, cidr.family === 4 ? 32 : 128) - 2n);
  const slices = new Map<string, SlotPool>();
  for (const overlay of spaces.overlays) {
    for (const [family, space] of [[4, overlay.v4], [6, overlay.v6]] as const) {
      if (space !== undefined) slices.set(`${overlay.name}/${family}`, slotPool(0n, blockCount(space.cidr, space.prefix) - 1n));
    }
  }
  return { vtep4: hosts(spaces.vtep4), vtep6: spaces.vtep6 && hosts(spaces.vtep6), slices };
}

/**
 * Reserves what a previous node holds. A VTEP that no longer fits (outside the space, or held
 * twice) invalidates the whole entry: the node is then allocated afresh if present.
 * @example reserveHolding(previous.nodes[0], spaces, pools, diagnostics)?.vtep4 // 1n
 */
export function reserveHolding(node: NodeAllocation, spaces: Spaces, pools: Pools, diagnostics: Diagnostic[]): Holding | undefined {
  const subject = `node:${node.ip}`;
  const invalid = (message: string) => diagnostics.push({ level: "error", code: "overlay.allocation-invalid", subject, message });
  const vtep4 = slotOf(spaces.vtep4, node.vtep.ip);
  if (vtep4 === undefined || !pools.vtep4.reserve(vtep4)) {
    invalid(`its VTEP ${node.vtep.ip} is outside vtep_subnet ${formatCidr(spaces.vtep4)} or held by another node; the node is allocated afresh`);
    return undefined;
  }
  const holding: Holding = { ip: node.ip, value: parseIpValue(node.ip)!.value, vtep4, mac: node.vtep.mac, overlays: new Map() };
  if (spaces.vtep6 !== undefined && node.vtep.ip6 !== undefined) {
    const vtep6 = slotOf(spaces.vtep6, node.vtep.ip6);
    if (vtep6 !== undefined && pools.vtep6!.reserve(vtep6)) holding.vtep6 = vtep6;
    else invalid(`its VTEP ${node.vtep.ip6} is outside vtep_subnet6 ${formatCidr(spaces.vtep6)} or held by another node; it gets another`);
  }
  for (const [name, slice] of Object.entries(node.overlays).sort(([a], [b]) => compareStrings(a, b))) {
    const overlay = spaces.overlays.find((o) => o.name === name);
    const held: { v4?: bigint; v6?: bigint } = {};
    for (const [family, key, space] of [[4, "subnet", overlay?.v4], [6, "subnet6", overlay?.v6]] as const) {
      const text = slice[key];
      if (text === undefined || space === undefined) continue;
      const slot = sliceSlot(space, text);
      if (slot !== undefined && pools.slices.get(`${name}/${family}`)!.reserve(slot)) held[family === 4 ? "v4" : "v6"] = slot;
      else invalid(`its '${name}' slice ${text} is not a /${space.prefix} of ${formatCidr(space.cidr)} or is held by another node; it gets another`);
    }
    if (held.v4 !== undefined || held.v6 !== undefined) holding.overlays.set(name, held);
  }
  return holding;
}

/** Gives a node the families of an enabled overlay it does not hold yet. */
function extend(holding: Holding, overlay: OverlayDefinition, pools: Pools, subject: string, diagnostics: Diagnostic[]): void {
  const had = holding.overlays.get(overlay.name);
  const held = { ...had };
  const taken: Array<[SlotPool, bigint]> = [];
  for (const [family, space] of [[4, overlay.v4], [6, overlay.v6]] as const) {
    const key = family === 4 ? "v4" : "v6";
    if (space === undefined || held[key] !== undefined) continue;
    // Without an IPv6 VTEP there is nothing to route an IPv6 slice through (already reported).
    if (family === 6 && holding.vtep6 === undefined) continue;
    const pool = pools.slices.get(`${overlay.name}/${family}`)!;
    const slot = pool.take();
    if (slot === undefined) {
      diagnostics.push(
        exhausted(subject, "overlay.subnet-exhausted", `no free /${space.prefix} left in overlay '${overlay.name}' (${formatCidr(space.cidr)}); ${had === undefined ? `the node gets no '${overlay.name}' overlay` : `its '${overlay.name}' overlay stays IPv${family === 4 ? 6 : 4}-only`}`),
      );
      // All or nothing for a new overlay: the slice of the other family goes back.
      if (had === undefined) {
        for (const [p, s] of taken) p.release(s);
        return;
      }
      continue;
    }
    taken.push([pool, slot]);
    held[key] = slot;
  }
  if (held.v4 !== undefined || held.v6 !== undefined) holding.overlays.set(overlay.name, held);
}

/**
 * A holding as the allocations record it.
 * @example formatHolding(holding, spaces).vtep.ip // "44.128.0.1"
 */
export function formatHolding(holding: Holding, spaces: Spaces): NodeAllocation {
  const overlays: Record<string, OverlaySlice> = {};
  for (const [name, held] of [...holding.overlays].sort(([a], [b]) => compareStrings(a, b))) {
    const overlay = spaces.overlays.find((o) => o.name === name)!;
    overlays[name] = {
      ...(held.v4 !== undefined && { subnet: formatCidr(nthBlock(overlay.v4!.cidr, overlay.v4!.prefix, held.v4)) }),
      ...(held.v6 !== undefined && { subnet6: formatCidr(nthBlock(overlay.v6!.cidr, overlay.v6!.prefix, held.v6)) }),
    };
  }
  return {
    ip: holding.ip,
    vtep: {
      ip: formatIp(addressAt(spaces.vtep4, holding.vtep4!)),
      ...(holding.vtep6 !== undefined && { ip6: formatIp(addressAt(spaces.vtep6!, holding.vtep6)) }),
      mac: holding.mac!,
    },
    overlays,
  };
}

function slotOf(space: Cidr, ip: string): bigint | undefined {
  const address = parseIpValue(ip);
  if (address === undefined || address.family !== space.family || !contains(space, address.value)) return undefined;
  return address.value - space.base;
}

function sliceSlot(space: FamilySpace, text: string): bigint | undefined {
  const cidr = parseCidr(text);
  if (cidr === undefined || cidr.length !== space.prefix) return undefined;
  return blockIndex(space.cidr, cidr);
}

function exhausted(subject: string, code: string, message: string): Diagnostic {
  return { level: "error", code, subject, message };
}
