/**
 * @module
 * The elements of the policy's address sets, as text in the desired state and as ranges for
 * whoever reads them. Two kinds:
 * - an *address* element is an address, a CIDR block or a range `a-b`: who a source is;
 * - an *endpoint* element is an address element, alone (every port) or followed by a port or
 *   port range (`10.0.1.11 31000-31001`): where a connection goes. A host-network task is only
 *   the ports it holds on its agent's address; a container is its whole address.
 * nftables refuses overlapping elements in an interval set, so sets are normalised here, once:
 * overlapping ranges merge, and a port range inside a whole address it shares a set with goes.
 * The same text is rendered into the kernel and read back by `explain`, so both see one set.
 */
import { FAMILY_BITS, formatCidr, formatIp, parseCidr, parseIpValue, type IpAddress } from "../net/cidr.ts";
import type { IpFamily } from "../net/ip-literal.ts";

/** One element as numbers: an inclusive address range and an inclusive port range. */
export interface ElementRange {
  family: IpFamily;
  lo: bigint;
  hi: bigint;
  portLo: number;
  portHi: number;
}

const ALL_PORTS = { portLo: 0, portHi: 65535 } as const;

/**
 * Parses an address or endpoint element; undefined when it is neither.
 * @example parseElement("10.0.1.11 31000-31001") // { family: 4, lo: 167772427n, hi: 167772427n, portLo: 31000, portHi: 31001 }
 * @example parseElement("10.0.0.0/8") // { family: 4, lo: 167772160n, hi: 184549375n, portLo: 0, portHi: 65535 }
 */
export function parseElement(text: string): ElementRange | undefined {
  const [address, ports, extra] = text.split(" ");
  if (address === undefined || extra !== undefined) return undefined;
  const range = addressRange(address);
  if (range === undefined) return undefined;
  if (ports === undefined) return { ...range, ...ALL_PORTS };
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(ports);
  if (match === null) return undefined;
  const portLo = Number(match[1]);
  const portHi = Number(match[2] ?? match[1]);
  return portHi > 65535 || portLo > portHi ? undefined : { ...range, portLo, portHi };
}

function addressRange(text: string): Omit<ElementRange, "portLo" | "portHi"> | undefined {
  if (text.includes("/")) {
    const cidr = parseCidr(text);
    if (cidr === undefined || cidr.address !== cidr.base) return undefined;
    const size = 1n << BigInt(FAMILY_BITS[cidr.family] - cidr.length);
    return { family: cidr.family, lo: cidr.base, hi: cidr.base + size - 1n };
  }
  const dash = text.indexOf("-");
  const lo = parseIpValue(dash < 0 ? text : text.slice(0, dash));
  const hi = dash < 0 ? lo : parseIpValue(text.slice(dash + 1));
  if (lo === undefined || hi === undefined || lo.family !== hi.family || hi.value < lo.value) return undefined;
  return { family: lo.family, lo: lo.value, hi: hi.value };
}

/**
 * The text of a range: a single address, a CIDR block when the range is exactly one, else `a-b`;
 * then the ports unless they are all of them.
 * @example formatElement({ family: 4, lo: 167772160n, hi: 184549375n, portLo: 0, portHi: 65535 }) // "10.0.0.0/8"
 */
export function formatElement(range: ElementRange): string {
  const ports = range.portLo === 0 && range.portHi === 65535 ? "" : range.portLo === range.portHi ? ` ${range.portLo}` : ` ${range.portLo}-${range.portHi}`;
  return `${addressText(range)}${ports}`;
}

function addressText({ family, lo, hi }: ElementRange): string {
  if (lo === hi) return formatIp({ family, value: lo });
  const size = hi - lo + 1n;
  const bits = size.toString(2).length - 1;
  // A power-of-two block aligned on its size is a CIDR block.
  if (size === 1n << BigInt(bits) && lo % size === 0n) return formatCidr({ family, base: lo, length: FAMILY_BITS[family] - bits });
  return `${formatIp({ family, value: lo })}-${formatIp({ family, value: hi })}`;
}

/**
 * A set's elements made valid for nftables and canonical: whole-address ranges that overlap
 * merge; port ranges inside a whole address go; port ranges of one address that overlap merge.
 * Sorted by family, address and port, so equal sets have equal text.
 * @example normalizeElements(["10.0.0.0/8", "10.1.0.0/16", "10.0.1.11 80", "9.0.0.2"]) // ["9.0.0.2", "10.0.0.0/8"]
 */
export function normalizeElements(texts: Iterable<string>): string[] {
  const whole: ElementRange[] = [];
  const ported: ElementRange[] = [];
  for (const text of texts) {
    const range = parseElement(text);
    if (range === undefined) throw new Error(`not a policy set element: ${JSON.stringify(text)}`);
    (range.portLo === 0 && range.portHi === 65535 ? whole : ported).push(range);
  }
  const merged = mergeRanges(whole, (r) => [r.lo, r.hi], (a, b) => ({ ...a, hi: b.hi > a.hi ? b.hi : a.hi }));
  const outside = ported.filter((p) => !covers(merged, p));
  // Ported elements are single addresses (an agent's), so merging is per address.
  const ports = mergeRanges(
    outside,
    (r) => [r.lo * 65536n + BigInt(r.portLo), r.hi * 65536n + BigInt(r.portHi)],
    (a, b) => ({ ...a, portHi: Math.max(a.portHi, b.portHi) }),
  );
  return [...merged, ...ports].sort(compareRanges).map(formatElement);
}

/**
 * Whether one of `merged` (sorted by family and address, disjoint) holds all of `range`'s
 * addresses: only the last one starting at or before it can, so it is found by bisection (a set
 * holds tens of thousands of elements; testing each against each would cost their product).
 */
function covers(merged: readonly ElementRange[], range: ElementRange): boolean {
  let lo = 0;
  let hi = merged.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const w = merged[mid]!;
    if (w.family < range.family || (w.family === range.family && w.lo <= range.lo)) lo = mid + 1;
    else hi = mid;
  }
  const w = merged[lo - 1];
  return w !== undefined && w.family === range.family && range.hi <= w.hi;
}

/** Sorts by family then `key`, and merges neighbours whose keys overlap (same family). */
function mergeRanges(list: ElementRange[], key: (r: ElementRange) => [bigint, bigint], merge: (a: ElementRange, b: ElementRange) => ElementRange): ElementRange[] {
  const sorted = [...list].sort((a, b) => a.family - b.family || cmp(key(a)[0], key(b)[0]));
  const out: ElementRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.family === range.family && key(range)[0] <= key(last)[1]) out[out.length - 1] = merge(last, range);
    else out.push(range);
  }
  return out;
}

/**
 * A normalised set after removing `removed` and adding `added` (canonical texts no other member
 * still puts there), found by bisection, when that needs no normalising: each is a single
 * address (every port) that either lies inside a larger whole range of the set (which then
 * stays as it is: only ranges that overlap merge, so another element holds that address too)
 * or overlaps nothing else, a removed one having stood for itself alone (`portedAt`: whether
 * the set holds an element with ports on that address, which the address hid). Undefined
 * otherwise: the caller normalises the set again (`normalizeElements`). Costs the change and
 * one copy of the list.
 * @example elementsAfter(["9.0.0.2", "9.0.0.7"], ["9.0.0.2"], ["9.0.0.5"], () => false) // ["9.0.0.5", "9.0.0.7"]
 * @example elementsAfter(["9.0.0.0/24"], [], ["9.0.0.5"], () => false) // ["9.0.0.0/24"]: inside a block
 * @example elementsAfter(["10.0.0.11 7000"], [], ["10.0.0.11"], () => false) // undefined: it hides the ports
 */
export function elementsAfter(sorted: readonly string[], removed: readonly string[], added: readonly string[], portedAt: (address: string) => boolean): string[] | undefined {
  const out = [...sorted];
  const single = (text: string) => {
    const range = parseElement(text);
    return range !== undefined && range.lo === range.hi && range.portLo === 0 && range.portHi === 65535 ? range : undefined;
  };
  const place = (range: ElementRange) => {
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareRanges(parseElement(out[mid]!)!, range) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const overlaps = (a: ElementRange | undefined, b: ElementRange) => a !== undefined && a.family === b.family && a.lo <= b.hi && b.lo <= a.hi;
  const widerWhole = (a: ElementRange | undefined, b: ElementRange) => overlaps(a, b) && a!.portLo === 0 && a!.portHi === 65535 && a!.lo <= b.lo && b.hi <= a!.hi && a!.hi - a!.lo > b.hi - b.lo;
  /** Sorted by address, and what lies inside a whole range was merged into it: only the neighbours can overlap (every element on the same address sorts at or after `at`). */
  const neighbours = (range: ElementRange) => {
    const at = place(range);
    return { at, next: out[at] === undefined ? undefined : parseElement(out[at]!), previous: at > 0 ? parseElement(out[at - 1]!) : undefined };
  };
  for (const text of removed) {
    const range = single(text);
    if (range === undefined) return undefined;
    const { at, next, previous } = neighbours(range);
    if (widerWhole(previous, range) || widerWhole(next, range)) continue;
    if (out[at] !== text || portedAt(text)) return undefined;
    out.splice(at, 1);
  }
  for (const text of added) {
    const range = single(text);
    if (range === undefined) return undefined;
    const { at, next, previous } = neighbours(range);
    if (widerWhole(previous, range) || widerWhole(next, range)) continue;
    if (overlaps(next, range) || overlaps(previous, range)) return undefined;
    out.splice(at, 0, text);
  }
  return out;
}

function compareRanges(a: ElementRange, b: ElementRange): number {
  return a.family - b.family || cmp(a.lo, b.lo) || a.portLo - b.portLo;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A parsed set, for membership questions (`explain`, `matrix`). */
export interface ElementIndex {
  /** True when the address (and port, if given) falls in an element; a parsed address saves parsing it again. */
  has(address: string | IpAddress, port?: number): boolean;
}

/**
 * Whole-address ranges merged and sorted (a binary search), ported elements by address: a
 * question costs a log of the set's size, since a matrix asks millions of them.
 * @example elementIndex(["10.0.0.0/8", "10.0.1.11 80"]).has("10.0.1.11", 81) // true: inside 10.0.0.0/8
 */
export function elementIndex(texts: readonly string[]): ElementIndex {
  const ranges = texts.map((t) => parseElement(t)).filter((r): r is ElementRange => r !== undefined);
  const isWhole = (r: ElementRange) => r.portLo === 0 && r.portHi === 65535;
  const whole = mergeRanges(ranges.filter(isWhole), (r) => [r.lo, r.hi], (a, b) => ({ ...a, hi: b.hi > a.hi ? b.hi : a.hi }));
  // Ported elements of one address, by family then address (bigint keys: no text per question).
  const byAddress = { 4: new Map<bigint, ElementRange[]>(), 6: new Map<bigint, ElementRange[]>() };
  const spans: ElementRange[] = [];
  for (const r of ranges) {
    if (isWhole(r)) continue;
    if (r.lo !== r.hi) spans.push(r);
    else byAddress[r.family].set(r.lo, [...(byAddress[r.family].get(r.lo) ?? []), r]);
  }
  const inPorts = (r: ElementRange, ip: IpAddress, port: number) => r.family === ip.family && r.lo <= ip.value && ip.value <= r.hi && r.portLo <= port && port <= r.portHi;
  return {
    has(address, port) {
      const ip = typeof address === "string" ? parseIpValue(address) : address;
      if (ip === undefined) return false;
      if (inWhole(whole, ip.family, ip.value)) return true;
      if (port === undefined) return false;
      const exact = byAddress[ip.family].get(ip.value);
      return (exact !== undefined && exact.some((r) => inPorts(r, ip, port))) || (spans.length > 0 && spans.some((r) => inPorts(r, ip, port)));
    },
  };
}

/** Whether `value` lies in one of `sorted` (merged, so no two overlap). */
function inWhole(sorted: readonly ElementRange[], family: IpFamily, value: bigint): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = sorted[mid]!;
    const before = r.family < family || (r.family === family && r.hi < value);
    const after = r.family > family || (r.family === family && r.lo > value);
    if (before) lo = mid + 1;
    else if (after) hi = mid - 1;
    else return true;
  }
  return false;
}
