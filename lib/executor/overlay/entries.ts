/**
 * @module
 * The overlay data plane as a flat key → value table, the one shape both the desired state
 * and the observed kernel state are turned into, so a plan is a plain keyed diff (kube-proxy's
 * habit). Each kind of entry is a row of `ENTRY_KINDS`: how its key and value read, and the
 * `ip`/`bridge` batch lines that install and remove it. Names are data, here and only here.
 *
 * Keys: `link vtep1024`, `up vtep1024`, `addr 44.128.0.2/20`, `neigh 44.128.0.3`,
 * `fdb 70:b3:d5:80:00:03`, `route 254 9.0.2.0/24`, `route 42 10.0.0.12/32`, `rule 9.0.0.0/8`,
 * `nat wayfinder_overlay` (the masquerade table; its value lists the overlay spaces).
 */
import { VTEP_NAME, OVERLAY_TABLE } from "../../desired/overlay-constants.ts";

/** The nftables table of the overlay's masquerade rules (one per node, `inet`: both families). */
export const NAT_TABLE = "wayfinder_overlay";

export type EntryKind = "link" | "up" | "fdb" | "addr" | "neigh" | "route" | "rule" | "nat";

/** How one kind of entry is installed and removed (the tool that runs the lines: `apply.ts`). */
interface KindRow {
  /** Lives on the VTEP device: deleting the device removes it (so a teardown need not). */
  onDevice: boolean;
  add(rest: string, value: string): string;
  del(rest: string): string;
}

/**
 * One row per kind. `rest` is the key without its kind. Every line keeps `dev vtep1024`, so
 * a route or neighbour of the same prefix on another device is never touched.
 */
export const ENTRY_KINDS: Readonly<Record<EntryKind, KindRow>> = {
  // Learning stays on (the default), like dcos-net's device; no local/remote/group: the FDB
  // entries below tell the kernel where each peer MAC lives.
  link: {
    onDevice: false,
    add: (name, value) => `link add ${name} ${value}`,
    del: (name) => `link del ${name}`,
  },
  up: { onDevice: true, add: (name) => `link set dev ${name} up`, del: (name) => `link set dev ${name} down` },
  fdb: {
    onDevice: true,
    add: (mac, dst) => `fdb replace ${mac} dev ${VTEP_NAME} dst ${dst} self permanent`,
    del: (mac) => `fdb del ${mac} dev ${VTEP_NAME} self`,
  },
  // `nodad`: a VTEP address is unique by allocation, and a tentative address could not be
  // used as a source for the first second or two.
  addr: {
    onDevice: true,
    add: (cidr) => `addr replace ${cidr} dev ${VTEP_NAME}${cidr.includes(":") ? " nodad" : ""}`,
    del: (cidr) => `addr del ${cidr} dev ${VTEP_NAME}`,
  },
  neigh: {
    onDevice: true,
    add: (ip, mac) => `neigh replace ${ip} lladdr ${mac} dev ${VTEP_NAME} nud permanent`,
    del: (ip) => `neigh del ${ip} dev ${VTEP_NAME}`,
  },
  route: {
    onDevice: true,
    add: (rest, via) => {
      const [table, dst] = rest.split(" ");
      return `route replace ${dst} via ${via} dev ${VTEP_NAME} table ${table} proto boot`;
    },
    del: (rest) => {
      const [table, dst] = rest.split(" ");
      return `route del ${dst} dev ${VTEP_NAME} table ${table}`;
    },
  },
  rule: {
    onDevice: false,
    add: (from) => `rule add from ${from} lookup ${OVERLAY_TABLE}`,
    del: (from) => `rule del from ${from} lookup ${OVERLAY_TABLE}`,
  },
  // The whole table in one `nft -f` transaction: created empty if missing, deleted, defined
  // again, so a partly edited table is replaced atomically. Masquerade what an overlay
  // address sends outside every overlay (DC/OS: `-s 9.0.0.0/8 -m set --match-set overlay dst`
  // with the overlay subnets as `nomatch`); overlay-to-overlay traffic keeps its source.
  nat: {
    onDevice: false,
    add: (table, value) => {
      const { ip, ip6 } = parseNatValue(value);
      const set = (name: string, type: string, elements: string[]) =>
        `  set ${name} { type ${type}; flags interval;${elements.length > 0 ? ` elements = { ${elements.join(", ")} }` : ""} }`;
      return [
        `table inet ${table} {}`,
        `delete table inet ${table}`,
        `table inet ${table} {`,
        set("overlay4", "ipv4_addr", ip),
        set("overlay6", "ipv6_addr", ip6),
        "  chain postrouting {",
        "    type nat hook postrouting priority srcnat; policy accept;",
        ...NAT_RULES.map((rule) => `    ${rule}`),
        "  }",
        "}",
      ].join("\n");
    },
    del: (table) => `delete table inet ${table}`,
  },
};

/** The table's rules, as `nft` lists them back (observe compares them to spot a hand edit). */
export const NAT_RULES = ["ip saddr @overlay4 ip daddr != @overlay4 masquerade", "ip6 saddr @overlay6 ip6 daddr != @overlay6 masquerade"];

/**
 * The `nat` entry's value: the overlay spaces to masquerade for, per family, sorted.
 * @example natValue(["9.0.0.0/8", "fd01:b::/64"]) // "ip=9.0.0.0/8;ip6=fd01:b::/64"
 */
export function natValue(spaces: readonly string[]): string {
  const ip = spaces.filter((s) => !s.includes(":")).sort();
  const ip6 = spaces.filter((s) => s.includes(":")).sort();
  return `ip=${ip.join(",")};ip6=${ip6.join(",")}`;
}

/**
 * @example parseNatValue("ip=9.0.0.0/8;ip6=") // { ip: ["9.0.0.0/8"], ip6: [] }
 */
export function parseNatValue(value: string): { ip: string[]; ip6: string[] } {
  const match = /^ip=([^;]*);ip6=(.*)$/.exec(value);
  const list = (text: string | undefined) => (text ? text.split(",") : []);
  return { ip: list(match?.[1]), ip6: list(match?.[2]) };
}

/**
 * The kind of a key.
 * @example kindOf("route 42 10.0.0.12/32") // "route"
 */
export function kindOf(key: string): EntryKind {
  return key.slice(0, key.indexOf(" ")) as EntryKind;
}

/**
 * The key without its kind.
 * @example restOf("route 42 10.0.0.12/32") // "42 10.0.0.12/32"
 */
export function restOf(key: string): string {
  return key.slice(key.indexOf(" ") + 1);
}

/**
 * The VXLAN parameters of the device as an entry value: what, when it differs, forces the
 * device to be recreated (dcos-net's rule; re-setting the MAC alone would flush the static
 * neighbours, navstar01#103, so a matching device is never touched).
 * It reads as the tail of `ip link add NAME ...`: the MAC (and MTU) go before `type`, so the
 * device is born with its address rather than changing it later.
 * @example linkValue({ vni: 1024, port: 64000, mac: "70:b3:d5:80:00:02" }) // "address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000"
 */
export function linkValue(link: { vni: number; port: number; mac: string; mtu?: number }): string {
  return `address ${link.mac}${link.mtu === undefined ? "" : ` mtu ${link.mtu}`} type vxlan id ${link.vni} dstport ${link.port}`;
}
