/**
 * @module
 * Addresses for named VIPs (specs/overlay_l4lb.md §4.5). The home address is DC/OS's:
 * `min + phash2(name, max − min)` for IPv4 (Erlang's hash, so a VIP keeps the address it had
 * under DC/OS) and `min + SHA-1(name) mod (max − min)` for IPv6. A taken home probes upwards,
 * wrapping from `max` to `min`.
 *
 * Where dcos-l4lb resolved collisions in each node's insertion order (two nodes could disagree),
 * this is a pure function of the inputs: names that already had an address keep it (previous
 * allocations are an input, so adding or removing other VIPs never moves one), and new names
 * are placed in code-unit order of their name. Every node computing from the same snapshot agrees.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import { sha1Bytes } from "../../lib/net/digest.ts";
import { bigIntToIp, ipToBigInt } from "../../lib/net/ip-bigint.ts";
import { parseIp, type IpFamily } from "../../lib/net/ip-literal.ts";
import { phash2 } from "../../lib/net/phash2.ts";

/** An inclusive address range of one family. */
export interface VipRange {
  family: IpFamily;
  min: string;
  max: string;
}

export interface NamedVipRequest {
  range: VipRange;
  /** Names (`app.marathon`) that need an address of this family. */
  names: readonly string[];
  /** Name → address from the previous desired state. */
  previous: ReadonlyMap<string, string>;
  /** Addresses not free for new names (IP VIPs written as literals); names that had them keep them. */
  reserved: ReadonlySet<string>;
}

export interface NamedVipAddresses {
  addresses: Map<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * @example
 * namedVipAddresses({ range: { family: 4, min: "11.0.0.0", max: "11.255.255.255" }, names: ["app.marathon"], previous: new Map(), reserved: new Set() })
 *   .addresses.get("app.marathon") // "11.171.172.79"
 */
export function namedVipAddresses(request: NamedVipRequest): NamedVipAddresses {
  const { range } = request;
  const min = ipToBigInt(range.min);
  const span = ipToBigInt(range.max) - min;
  const addresses = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const taken = new Set<bigint>();
  const names = [...new Set(request.names)].sort();

  const fresh: string[] = [];
  for (const name of names) {
    const kept = keptOffset(request.previous.get(name), range.family, min, span);
    if (kept !== undefined && !taken.has(kept)) {
      taken.add(kept);
      addresses.set(name, bigIntToIp(min + kept, range.family));
      continue;
    }
    if (request.previous.has(name)) diagnostics.push(namedVipMoved(name, request.previous.get(name)!, kept === undefined, range));
    fresh.push(name);
  }
  // Reserved addresses only bar new names: a VIP that already has an address keeps it.
  for (const ip of request.reserved) {
    const parsed = parseIp(ip);
    if (parsed?.family === range.family) taken.add(ipToBigInt(parsed.address) - min);
  }

  for (const name of fresh) {
    const offset = freeOffset(homeOffset(name, range.family, span), span, taken);
    if (offset === undefined) {
      diagnostics.push(outOfAddresses(name, range));
      continue;
    }
    taken.add(offset);
    addresses.set(name, bigIntToIp(min + offset, range.family));
  }
  return { addresses, diagnostics };
}

/**
 * The report of a name whose previous address it cannot keep.
 * @example namedVipMoved("app.marathon", "12.0.0.1", true, range).code // "l4lb.named-vip-moved"
 */
export function namedVipMoved(name: string, previous: string, outside: boolean, range: VipRange): Diagnostic {
  return {
    level: "warning",
    code: "l4lb.named-vip-moved",
    subject: `vip:${name}`,
    message: `previous address ${previous} is ${outside ? `outside ${range.min}-${range.max}` : "taken by another VIP"}; a new one is allocated`,
  };
}

/**
 * The report of a name that finds no free address.
 * @example outOfAddresses("app.marathon", range).code // "l4lb.out-of-addresses"
 */
export function outOfAddresses(name: string, range: VipRange): Diagnostic {
  return {
    level: "error",
    code: "l4lb.out-of-addresses",
    subject: `vip:${name}`,
    message: `every address of ${range.min}-${range.max} is taken; the VIP gets no IPv${range.family} address`,
  };
}

/**
 * DC/OS's home offset of a name inside a range of `span + 1` addresses.
 * @example homeOffset("app.marathon", 4, 16777215n) // 11250767n (11.171.172.79 from 11.0.0.0)
 */
export function homeOffset(name: string, family: IpFamily, span: bigint): bigint {
  if (span === 0n) return 0n;
  if (family === 4) return BigInt(phash2(new TextEncoder().encode(name), Number(span)));
  let digest = 0n;
  for (const byte of sha1Bytes(name)) digest = (digest << 8n) | BigInt(byte);
  return digest % span;
}

/**
 * The offset of a previous address inside the range, `undefined` when it is not of the family
 * or lies outside.
 * @example keptOffset("11.0.0.9", 4, ipToBigInt("11.0.0.0"), 255n) // 9n
 */
export function keptOffset(previous: string | undefined, family: IpFamily, min: bigint, span: bigint): bigint | undefined {
  if (previous === undefined) return undefined;
  const ip = parseIp(previous);
  if (ip?.family !== family) return undefined;
  const offset = ipToBigInt(ip.address) - min;
  return offset >= 0n && offset <= span ? offset : undefined;
}

/**
 * Linear probing from `home` over `[0, span]`, wrapping; undefined when every offset is taken.
 * @example freeOffset(3n, 7n, new Set([3n, 4n])) // 5n
 */
export function freeOffset(home: bigint, span: bigint, taken: Pick<ReadonlySet<bigint>, "has" | "size">): bigint | undefined {
  // At most |taken| + 1 probes: a free offset is always among the first |taken| + 1 tried.
  const limit = BigInt(taken.size) + 1n < span + 1n ? BigInt(taken.size) + 1n : span + 1n;
  let offset = home;
  for (let i = 0n; i < limit; i++) {
    if (!taken.has(offset)) return offset;
    offset = offset === span ? 0n : offset + 1n;
  }
  return undefined;
}
