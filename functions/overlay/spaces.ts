/**
 * @module
 * The address spaces this run allocates from: the VTEP subnets and each overlay's subnet and
 * slice length, per family. Usually the config's. But a space that nodes already hold
 * addresses of cannot change under them: their containers, routes and VTEPs would all be
 * wrong at once. The DC/OS master refused to start in that case (spec §2.4, "demote"); here the
 * recorded space is kept, the change is reported as an error, and every other overlay is
 * served as usual. A space removed from the config (an overlay, an overlay's IPv6 half, the
 * IPv6 VTEPs) is a deliberate release and takes effect.
 */
import type { Diagnostic } from "../../lib/desired/schema.ts";
import type { NodeAllocation, OverlayAllocations, OverlaySpace } from "../../lib/desired/overlay-schema.ts";
import type { OverlayConfig } from "../../lib/snapshot/overlay-config.ts";
import { formatCidr, parseCidr, type Cidr } from "../../lib/net/cidr.ts";
import type { IpFamily } from "../../lib/net/ip-literal.ts";
import { compareStrings } from "../../lib/net/compare.ts";

/** One family of an overlay: its address space and the length of a node's slice. */
export interface FamilySpace {
  cidr: Cidr;
  prefix: number;
}

export interface OverlayDefinition {
  name: string;
  enabled: boolean;
  v4?: FamilySpace;
  v6?: FamilySpace;
}

export interface Spaces {
  vtep4: Cidr;
  vtep6?: Cidr;
  /** Sorted by name. */
  overlays: OverlayDefinition[];
}

/**
 * @example
 * effectiveSpaces(config, previous, HeldCounts.of(keptNodes)).spaces.overlays.map((o) => o.name) // ["dcos", "dcos6"]
 */
export function effectiveSpaces(
  config: OverlayConfig,
  recorded: Partial<Pick<OverlayAllocations, "vtep" | "overlays">>,
  held: HeldCounts,
): { spaces: Spaces; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const removed = (what: string, subject: string, holders: number) =>
    diagnostics.push({
      level: "info",
      code: "overlay.space-removed",
      subject,
      message: `${what} is no longer configured: the addresses ${holders} node(s) held in it are released`,
    });
  const pick = (what: string, subject: string, wanted: string | undefined, before: string | undefined, holders: number): string | undefined => {
    if (before === undefined || holders === 0 || wanted === before) return wanted;
    if (wanted === undefined) {
      removed(`${what} ${before}`, subject, holders);
      return undefined;
    }
    diagnostics.push({
      level: "error",
      code: "overlay.space-changed",
      subject,
      message: `the config sets ${what} ${wanted}, but ${holders} node(s) hold addresses in ${before}; keeping ${before} (an allocated address space cannot change under running containers: add a new overlay, or release the nodes first)`,
    });
    return before;
  };

  const vtep4 = pick("vtep_subnet", "config:overlay.vtep_subnet", canonical(config.vtep_subnet), canonical(recorded.vtep?.subnet), held.count("nodes"))!;
  const vtep6 = pick("vtep_subnet6", "config:overlay.vtep_subnet6", canonical(config.vtep_subnet6 ?? undefined), canonical(recorded.vtep?.subnet6), held.count("vtep6"));

  const overlays = config.overlays
    .map((overlay): OverlayDefinition => {
      const before = recorded.overlays?.[overlay.name];
      const family = (f: IpFamily): FamilySpace | undefined => {
        const key = f === 4 ? "subnet" : "subnet6";
        const holders = held.count(`${overlay.name}/${key}`);
        const chosen = pick(
          `overlay '${overlay.name}' ${key}`,
          `overlay:${overlay.name}`,
          spaceText(overlay, f),
          before === undefined ? undefined : spaceText(before, f),
          holders,
        );
        return chosen === undefined ? undefined : familySpace(chosen);
      };
      return { name: overlay.name, enabled: overlay.enabled, v4: family(4), v6: family(6) };
    })
    .sort((a, b) => compareStrings(a.name, b.name));

  for (const name of Object.keys(recorded.overlays ?? {}).sort()) {
    if (config.overlays.some((o) => o.name === name)) continue;
    const holders = held.count(overlay(name));
    if (holders > 0) removed(`overlay '${name}'`, `overlay:${name}`, holders);
  }
  return { spaces: { vtep4: parseCidr(vtep4)!, vtep6: vtep6 === undefined ? undefined : parseCidr(vtep6), overlays }, diagnostics };
}

/**
 * How many held nodes hold what: `nodes`, `vtep6` (an IPv6 VTEP), `overlay:<name>` (any slice
 * of it), `<name>/subnet` and `<name>/subnet6` (its slice of a family). The spaces a node holds
 * addresses in cannot change under it, so each space asks how many nodes hold in it.
 * @example heldCounts(previous.nodes).count("dcos/subnet") // 3
 */
export class HeldCounts {
  readonly #counts = new Map<string, number>();

  static of(nodes: readonly NodeAllocation[]): HeldCounts {
    const counts = new HeldCounts();
    for (const node of nodes) counts.add(node, 1);
    return counts;
  }

  count(what: string): number {
    return this.#counts.get(what) ?? 0;
  }

  /** Counts (or uncounts) what one node holds. */
  add(node: NodeAllocation, delta: 1 | -1): void {
    const bump = (what: string) => {
      const n = (this.#counts.get(what) ?? 0) + delta;
      if (n === 0) this.#counts.delete(what);
      else this.#counts.set(what, n);
    };
    bump("nodes");
    if (node.vtep.ip6 !== undefined) bump("vtep6");
    for (const [name, slice] of Object.entries(node.overlays)) {
      bump(overlay(name));
      if (slice.subnet !== undefined) bump(`${name}/subnet`);
      if (slice.subnet6 !== undefined) bump(`${name}/subnet6`);
    }
  }
}

function overlay(name: string): string {
  return `overlay:${name}`;
}

/**
 * The spaces as the allocations record them, so the next run knows what was allocated from.
 * @example recordSpaces(spaces).overlays.dcos // { subnet: "9.0.0.0/8", prefix: 24 }
 */
export function recordSpaces(spaces: Spaces): Pick<OverlayAllocations, "vtep" | "overlays"> {
  const overlays: Record<string, OverlaySpace> = {};
  for (const o of spaces.overlays) {
    overlays[o.name] = {
      ...(o.v4 && { subnet: formatCidr(o.v4.cidr), prefix: o.v4.prefix }),
      ...(o.v6 && { subnet6: formatCidr(o.v6.cidr), prefix6: o.v6.prefix }),
    };
  }
  return { vtep: { subnet: formatCidr(spaces.vtep4), ...(spaces.vtep6 && { subnet6: formatCidr(spaces.vtep6) }) }, overlays };
}

/** `"9.0.0.0/8 prefix 24"`: one family of an overlay as comparable (and readable) text. */
function spaceText(space: OverlaySpace, family: IpFamily): string | undefined {
  const subnet = family === 4 ? space.subnet : space.subnet6;
  const prefix = family === 4 ? space.prefix : space.prefix6;
  if (subnet === undefined || prefix === undefined) return undefined;
  const cidr = parseCidr(subnet);
  return cidr === undefined ? undefined : `${formatCidr(cidr)} prefix ${prefix}`;
}

function canonical(prefix: string | undefined): string | undefined {
  const cidr = prefix === undefined ? undefined : parseCidr(prefix);
  return cidr === undefined ? undefined : formatCidr(cidr);
}

function familySpace(text: string): FamilySpace {
  const [subnet, , prefix] = text.split(" ");
  return { cidr: parseCidr(subnet!)!, prefix: Number(prefix) };
}
