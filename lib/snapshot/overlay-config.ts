/**
 * @module
 * The `overlay` section of `wayfinder.yaml`: DC/OS's `dcos_overlay_network` as is (snake_case
 * keys, the same defaults), plus what DC/OS kept in other keys (`dcos_overlay_mtu`, the CNI
 * directories) and the CNI plugin chain. Everything the master module or the installer checked
 * is checked here, at the edge, with the path of the offending value, plus what they forgot
 * (spec §1.1: `prefix` had no range check, so a /31 split left no usable address).
 */
import { z } from "zod";
import { overlaps, parseCidr, type Cidr } from "../net/cidr.ts";
import type { IpFamily } from "../net/ip-literal.ts";
import { AbsolutePath, OverlayName } from "../desired/overlay-fields.ts";

/** A prefix of one family whose host bits are zero. */
function prefixText(family: IpFamily) {
  return z.string().superRefine((text, ctx) => {
    const cidr = parseCidr(text);
    if (cidr === undefined || cidr.family !== family) {
      ctx.addIssue({ code: "custom", message: `'${text}' is not an IPv${family} prefix (address/length)` });
    } else if (cidr.address !== cidr.base) {
      const base = text.slice(0, text.indexOf("/"));
      ctx.addIssue({ code: "custom", message: `'${text}' has host bits set after /${cidr.length} (${base} is not the network address)` });
    }
  });
}

export const Ipv4Prefix = prefixText(4);
export const Ipv6Prefix = prefixText(6);

const Mtu = z.number().int().min(552, "an MTU below 552 is refused, as the DC/OS installer did").max(65535);

/** One overlay of `overlays[]`. */
export const OverlayNetworkConfig = z
  .object({
    name: OverlayName,
    /** The overlay's IPv4 address space, cut into one `/prefix` slice per node. */
    subnet: Ipv4Prefix.optional(),
    prefix: z.number().int().optional(),
    /** The overlay's IPv6 address space, cut into one `/prefix6` slice per node. */
    subnet6: Ipv6Prefix.optional(),
    prefix6: z.number().int().optional(),
    /** A disabled overlay keeps its allocations but is served nowhere. */
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((overlay, ctx) => {
    if (overlay.subnet === undefined && overlay.subnet6 === undefined) {
      ctx.addIssue({ code: "custom", message: "an overlay needs a subnet, a subnet6 or both" });
    }
    checkSlicePrefix(overlay.subnet, overlay.prefix, "prefix", 30, ctx);
    checkSlicePrefix(overlay.subnet6, overlay.prefix6, "prefix6", 126, ctx);
  });
export type OverlayNetworkConfig = z.infer<typeof OverlayNetworkConfig>;

/**
 * A slice is split in halves for the Mesos and the Docker bridge, and each half needs a
 * gateway and at least one container: so a slice is at most /30 (IPv4) or /126 (IPv6).
 */
function checkSlicePrefix(
  subnet: string | undefined,
  prefix: number | undefined,
  key: "prefix" | "prefix6",
  longest: number,
  ctx: z.RefinementCtx,
): void {
  const subnetKey = key === "prefix" ? "subnet" : "subnet6";
  if (subnet === undefined) {
    if (prefix !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `${key} is set but ${subnetKey} is not` });
    return;
  }
  if (prefix === undefined) {
    ctx.addIssue({ code: "custom", path: [key], message: `${subnetKey} needs ${key}: the length of each node's slice` });
    return;
  }
  const length = parseCidr(subnet)?.length;
  if (length === undefined) return;
  if (prefix <= length || prefix > longest) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `${key} ${prefix} must be longer than ${subnetKey}'s /${length} and at most ${longest} (each slice is halved between the m- and d- bridges)`,
    });
  }
}

/** Static limits for the `bandwidth` plugin (bits per second and bits, as the plugin reads them). */
const BandwidthLimits = z
  .object({
    ingressRate: z.number().int().positive(),
    ingressBurst: z.number().int().positive(),
    egressRate: z.number().int().positive(),
    egressBurst: z.number().int().positive(),
  })
  .partial()
  .strict()
  .superRefine((limits, ctx) => {
    for (const side of ["ingress", "egress"] as const) {
      if ((limits[`${side}Rate`] === undefined) !== (limits[`${side}Burst`] === undefined)) {
        ctx.addIssue({ code: "custom", message: `${side}Rate and ${side}Burst go together (the plugin refuses one without the other)` });
      }
    }
  });

const FirewallOptions = z
  .object({
    backend: z.enum(["iptables", "firewalld"]).optional(),
    /** `same-bridge` isolates overlays from each other on a node (plugins ≥ 1.1). */
    ingressPolicy: z.enum(["open", "same-bridge"]).optional(),
  })
  .strict();

/** Where CNI configs go and which plugins are chained after `bridge`. */
export const CniConfig = z
  .object({
    /** The directory the CNI configs are installed into on every agent (DC/OS's `cni_dir`). */
    dir: AbsolutePath.default("/opt/mesosphere/etc/dcos/network/cni"),
    /** host-local's lease directory (DC/OS's `cni_data_dir`). */
    dataDir: AbsolutePath.default("/var/run/dcos/cni/networks"),
    /**
     * Also write DC/OS's single-plugin `<overlay>.conf` (`mesos-cni-port-mapper` delegating to
     * `bridge`): Mesos's CNI isolator cannot read a conflist.
     */
    mesos: z.boolean().default(true),
    /** Chain `portmap` (host port → container port), what `mesos-cni-port-mapper` did for DC/OS. */
    portmap: z.boolean().default(true),
    /** Chain `bandwidth`: `true` takes limits from the runtime, an object sets them for every container. */
    bandwidth: z.union([z.boolean(), BandwidthLimits]).default(false),
    /** Chain `firewall`. */
    firewall: z.union([z.boolean(), FirewallOptions]).default(false),
  })
  .strict();
export type CniConfig = z.infer<typeof CniConfig>;

/** DC/OS's `dcos_overlay_network`, as is, plus the overlay MTU and the CNI options. */
export const OverlayConfig = z
  .object({
    /** VTEP addresses: one host address per node (DC/OS: 4094 nodes with the default /20). */
    vtep_subnet: Ipv4Prefix.default("44.128.0.0/20"),
    /** IPv6 VTEP addresses; `null` turns IPv6 off (no IPv6 overlay can then be defined). */
    vtep_subnet6: Ipv6Prefix.nullable().default("fd01:a::/64"),
    /** The first three bytes of every VTEP MAC; the last three are the VTEP IPv4's low 24 bits. */
    vtep_mac_oui: z
      .string()
      .regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){2}:00:00:00$/, "expected xx:xx:xx:00:00:00 (the last three bytes come from the VTEP IP)")
      .refine((oui) => (parseInt(oui.slice(0, 2), 16) & 1) === 0, "the first byte must be even: a multicast MAC cannot be a VTEP's address")
      .default("70:B3:D5:00:00:00"),
    /** MTU of the VXLAN device; absent leaves the kernel's default (DC/OS passed it only when set). */
    vtep_mtu: Mtu.optional(),
    /** MTU of the container bridges and veths (`dcos_overlay_mtu`): VXLAN costs 50 bytes of 1500. */
    mtu: Mtu.default(1420),
    /**
     * Masquerade what containers send to destinations outside every overlay (the agent
     * module's ipset + MASQUERADE rule); overlay-to-overlay traffic keeps its source.
     */
    masquerade: z.boolean().default(true),
    overlays: z.array(OverlayNetworkConfig).default([
      { name: "dcos", subnet: "9.0.0.0/8", prefix: 24, enabled: true },
      { name: "dcos6", subnet6: "fd01:b::/64", prefix6: 80, enabled: true },
    ]),
    cni: CniConfig.default(CniConfig.parse({})),
  })
  .strict()
  .superRefine((config, ctx) => {
    const vtep = parseCidr(config.vtep_subnet);
    // The MAC carries only the low 24 bits of the VTEP IP: two VTEPs further apart than a /8
    // would share a MAC (the master module's check).
    if (vtep !== undefined && (vtep.length < 8 || vtep.length > 30)) {
      ctx.addIssue({ code: "custom", path: ["vtep_subnet"], message: `vtep_subnet must be /8 to /30 (VTEP MACs hold 24 bits of the address); got /${vtep.length}` });
    }
    const vtep6 = config.vtep_subnet6 === null ? undefined : parseCidr(config.vtep_subnet6);
    if (vtep6 !== undefined && vtep6.length > 126) {
      ctx.addIssue({ code: "custom", path: ["vtep_subnet6"], message: `vtep_subnet6 must leave room for nodes (at most /126); got /${vtep6.length}` });
    }
    const spaces: Array<{ what: string; path: PropertyKey[]; cidr: Cidr }> = [];
    if (vtep !== undefined) spaces.push({ what: "vtep_subnet", path: ["vtep_subnet"], cidr: vtep });
    if (vtep6 !== undefined) spaces.push({ what: "vtep_subnet6", path: ["vtep_subnet6"], cidr: vtep6 });
    const seen = new Map<string, number>();
    config.overlays.forEach((overlay, i) => {
      const first = seen.get(overlay.name);
      if (first !== undefined) {
        ctx.addIssue({ code: "custom", path: ["overlays", i, "name"], message: `overlay '${overlay.name}' is already defined at overlays[${first}]` });
      }
      seen.set(overlay.name, first ?? i);
      if (overlay.subnet6 !== undefined && config.vtep_subnet6 === null) {
        ctx.addIssue({ code: "custom", path: ["overlays", i, "subnet6"], message: "an IPv6 overlay needs vtep_subnet6 (it is null)" });
      }
      for (const key of ["subnet", "subnet6"] as const) {
        const cidr = overlay[key] === undefined ? undefined : parseCidr(overlay[key]);
        if (cidr !== undefined) spaces.push({ what: `overlay '${overlay.name}' ${key}`, path: ["overlays", i, key], cidr });
      }
    });
    // Overlapping spaces would give two nodes' slices, or a slice and a VTEP, the same route.
    for (const [i, a] of spaces.entries()) {
      const other = spaces.slice(0, i).find((b) => overlaps(a.cidr, b.cidr));
      if (other !== undefined) ctx.addIssue({ code: "custom", path: a.path, message: `${a.what} overlaps ${other.what}` });
    }
  });
export type OverlayConfig = z.infer<typeof OverlayConfig>;
