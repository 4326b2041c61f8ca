/**
 * @module
 * What the node's overlay data plane is now, read with `ip -json` / `bridge -json` and turned
 * into the entry table of `entries.ts`. Only what the applier owns is kept: the `vtep1024`
 * device, what lives on it (permanent neighbours and FDB entries, routes through it that the
 * kernel did not add), and the rules that look up table 42. Learned FDB entries, the kernel's
 * connected routes and everything on other devices are someone else's.
 *
 * The parsers are pure and take the tools' JSON, so they are tested on recorded output; the
 * kernel is read only by `observeDataplane`.
 */
import { MAIN_TABLE, OVERLAY_TABLE, VTEP_NAME } from "../../desired/overlay-constants.ts";
import { canonicalIp } from "../../net/cidr.ts";
import type { CommandRunner } from "../run-command.ts";
import { NAT_RULES, NAT_TABLE, linkValue, natValue } from "./entries.ts";

/** The VTEP device as found; `vni`/`port` are absent when it is not a VXLAN device. */
export interface InstalledLink {
  kind: string;
  vni?: number;
  port?: number;
  mac: string;
  mtu: number;
  up: boolean;
}

export interface InstalledDataplane {
  link?: InstalledLink;
  /** Entry key → value, for every entry but the link itself (see `entries.ts`). */
  entries: Map<string, string>;
}

type Json = Record<string, unknown>;

/**
 * @example await observeDataplane(commandRunner({ netns: "wf1a" })) // { link: {...}, entries: Map { "addr 44.128.0.2/20" → "", ... } }
 */
export async function observeDataplane(run: CommandRunner): Promise<InstalledDataplane> {
  const json = async (argv: string[]) => JSON.parse((await run(argv)) || "[]") as unknown;
  const [links, rules, tables] = await Promise.all([
    json(["ip", "-json", "-details", "address", "show"]),
    json(["ip", "-json", "rule", "show"]),
    json(["nft", "-json", "list", "tables", "inet"]),
  ]);
  const { link, addresses } = parseVtep(links);
  const entries = new Map<string, string>([...addresses, ...parseRules(rules)]);
  // Listing only our table, never the whole ruleset: another applier's may be huge.
  if (hasNatTable(tables)) entries.set(`nat ${NAT_TABLE}`, parseNatTable(await json(["nft", "-json", "list", "table", "inet", NAT_TABLE])));
  // Routes through the device, in any table, exist only while it does.
  if (link === undefined) return { entries };
  if (link.up) entries.set(`up ${VTEP_NAME}`, "");
  const [neighbours, fdb, routes4, routes6] = await Promise.all([
    json(["ip", "-json", "neigh", "show", "dev", VTEP_NAME]),
    json(["bridge", "-json", "fdb", "show", "dev", VTEP_NAME]),
    json(["ip", "-json", "-4", "route", "show", "table", "all", "dev", VTEP_NAME]),
    json(["ip", "-json", "-6", "route", "show", "table", "all", "dev", VTEP_NAME]),
  ]);
  for (const entry of [...parseNeighbours(neighbours), ...parseFdb(fdb), ...parseRoutes(routes4), ...parseRoutes(routes6)]) entries.set(...entry);
  return { link, entries };
}

/**
 * The link's value as `entries.ts` writes it; `withMtu` because the MTU is compared only when
 * the desired state sets one (DC/OS passed it only then).
 * @example installedLinkValue(link, false) // "address 70:b3:d5:80:00:02 type vxlan id 1024 dstport 64000"
 */
export function installedLinkValue(link: InstalledLink, withMtu: boolean): string {
  if (link.kind !== "vxlan") return `kind ${link.kind}`;
  return linkValue({ vni: link.vni ?? -1, port: link.port ?? -1, mac: link.mac, ...(withMtu && { mtu: link.mtu }) });
}

/**
 * The VTEP device and its global addresses from `ip -json -details address show`.
 * @example parseVtep(JSON.parse(output)).link // { kind: "vxlan", vni: 1024, port: 64000, mac: "70:b3:d5:80:00:02", mtu: 1500, up: true }
 */
export function parseVtep(json: unknown): { link?: InstalledLink; addresses: Array<[string, string]> } {
  const device = list(json).find((l) => l.ifname === VTEP_NAME);
  if (device === undefined) return { addresses: [] };
  const linkinfo = (device.linkinfo ?? {}) as Json;
  const data = (linkinfo.info_data ?? {}) as Json;
  const link: InstalledLink = {
    kind: String(linkinfo.info_kind ?? "none"),
    ...(typeof data.id === "number" && { vni: data.id }),
    ...(typeof data.port === "number" && { port: data.port }),
    mac: String(device.address ?? ""),
    mtu: Number(device.mtu),
    up: Array.isArray(device.flags) && device.flags.includes("UP"),
  };
  // Link-local addresses are the kernel's own; only the global ones are ours.
  const addresses = list(device.addr_info)
    .filter((a) => a.scope !== "link" && typeof a.local === "string")
    .flatMap((a): Array<[string, string]> => {
      const cidr = canonicalIp(`${String(a.local)}/${String(a.prefixlen)}`);
      return cidr === undefined ? [] : [[`addr ${cidr}`, ""]];
    });
  return { link, addresses };
}

/**
 * Permanent neighbours on the VTEP (`ip -json neigh show dev vtep1024`); dynamic ones are ARP's.
 * @example parseNeighbours([{ dst: "44.128.0.3", lladdr: "70:b3:d5:80:00:03", state: ["PERMANENT"] }]) // [["neigh 44.128.0.3", "70:b3:d5:80:00:03"]]
 */
export function parseNeighbours(json: unknown): Array<[string, string]> {
  return list(json)
    .filter((n) => Array.isArray(n.state) && n.state.includes("PERMANENT") && typeof n.dst === "string")
    .flatMap((n): Array<[string, string]> => {
      const ip = canonicalIp(String(n.dst));
      return ip === undefined ? [] : [[`neigh ${ip}`, String(n.lladdr ?? "")]];
    });
}

/**
 * Permanent FDB entries with a remote (`bridge -json fdb show dev vtep1024`); learned ones age out.
 * @example parseFdb([{ mac: "70:b3:d5:80:00:03", dst: "10.0.0.12", state: "permanent" }]) // [["fdb 70:b3:d5:80:00:03", "10.0.0.12"]]
 */
export function parseFdb(json: unknown): Array<[string, string]> {
  return list(json)
    .filter((f) => f.state === "permanent" && typeof f.dst === "string" && typeof f.mac === "string")
    .map((f): [string, string] => [`fdb ${String(f.mac)}`, canonicalIp(String(f.dst)) ?? String(f.dst)]);
}

/**
 * Routes through a gateway out of the VTEP (`ip -json route show table all dev vtep1024`), in
 * the main table (printed without a `table` field) and table 42. Routes the kernel made
 * (connected and local prefixes) are skipped. Host routes print without a length
 * (`10.0.0.12`), hence the canonical prefix.
 * @example parseRoutes([{ dst: "10.0.0.12", gateway: "44.128.0.3", table: "42" }]) // [["route 42 10.0.0.12/32", "44.128.0.3"]]
 */
export function parseRoutes(json: unknown): Array<[string, string]> {
  const tables: Record<string, number> = { main: MAIN_TABLE, [String(OVERLAY_TABLE)]: OVERLAY_TABLE };
  return list(json)
    .filter((r) => r.protocol !== "kernel" && typeof r.gateway === "string" && tables[String(r.table ?? "main")] !== undefined)
    .flatMap((r): Array<[string, string]> => {
      const dst = canonicalIp(String(r.dst), true);
      const table = tables[String(r.table ?? "main")]!;
      return dst === undefined ? [] : [[`route ${table} ${dst}`, canonicalIp(String(r.gateway)) ?? String(r.gateway)]];
    });
}

/**
 * Rules that look up table 42 (`ip -json rule show`), by their source prefix.
 * @example parseRules([{ priority: 32765, src: "9.0.0.0", srclen: 8, table: "42" }]) // [["rule 9.0.0.0/8", ""]]
 */
export function parseRules(json: unknown): Array<[string, string]> {
  return list(json)
    .filter((r) => String(r.table) === String(OVERLAY_TABLE) && typeof r.src === "string" && r.src !== "all")
    .flatMap((r): Array<[string, string]> => {
      const from = canonicalIp(r.srclen === undefined ? String(r.src) : `${String(r.src)}/${String(r.srclen)}`, true);
      return from === undefined ? [] : [[`rule ${from}`, ""]];
    });
}

/** True when `nft -json list tables inet` lists the masquerade table. */
function hasNatTable(json: unknown): boolean {
  return nftObjects(json).some((o) => (o.table as Json | undefined)?.name === NAT_TABLE);
}

/**
 * The masquerade table (`nft -json list table inet wayfinder_overlay`) as the `nat` entry's
 * value: its sets' prefixes, or `unexpected` when its rules are not exactly ours (a hand edit),
 * which makes the plan replace the table.
 * @example parseNatTable(JSON.parse(output)) // "ip=9.0.0.0/8;ip6=fd01:b::/64"
 */
export function parseNatTable(json: unknown): string {
  const objects = nftObjects(json);
  const elements = (name: string) =>
    list(objects.map((o) => o.set as Json | undefined).find((set) => set?.name === name)?.elem).map((e) => {
      const prefix = (e.prefix ?? {}) as Json;
      return canonicalIp(`${String(prefix.addr)}/${String(prefix.len)}`) ?? "?";
    });
  const ruleText = objects.flatMap((o) => (o.rule === undefined ? [] : [list((o.rule as Json).expr).map(exprText).join(" ")]));
  if (ruleText.length !== NAT_RULES.length || ruleText.some((text, i) => text !== NAT_RULES[i])) return "unexpected";
  return natValue([...elements("overlay4"), ...elements("overlay6")]);
}

/** One nft JSON expression as the rule text `nft` would print, for the shapes our rules use. */
function exprText(expr: Json): string {
  const match = expr.match as Json | undefined;
  if (match !== undefined) {
    const payload = ((match.left as Json | undefined)?.payload ?? {}) as Json;
    return `${String(payload.protocol)} ${String(payload.field)}${match.op === "==" ? "" : ` ${String(match.op)}`} ${String(match.right)}`;
  }
  return "masquerade" in expr ? "masquerade" : JSON.stringify(expr);
}

function nftObjects(json: unknown): Json[] {
  return list((json as Json | null)?.nftables);
}

function list(json: unknown): Json[] {
  return Array.isArray(json) ? json.filter((x): x is Json => typeof x === "object" && x !== null) : [];
}
