/**
 * @module
 * VIP label values as DC/OS wrote them (specs/overlay_l4lb.md §4.3): `/name:port` and
 * `name:port` (named VIPs), `1.2.3.4:port` and `fd01::1:port` (IP VIPs; IPv6 without brackets,
 * split at the last colon), and the legacy Minuteman task label `VIP_PORT<n>: tcp://<vip>`.
 */
import { parseIp, type IpLiteral } from "../../lib/net/ip-literal.ts";

export type L4Protocol = "tcp" | "udp";

/** A parsed VIP: a named one (its label as written) or an IP literal, with the VIP port. */
export type VipRef = { kind: "named"; label: string; port: number } | { kind: "ip"; ip: IpLiteral; port: number };

export type VipParse = { ok: true; vip: VipRef } | { ok: false; reason: string };

/**
 * Parses one VIP label value. The VIP part is an IP VIP only when it is a strict IP literal;
 * anything else is a name (dcos-l4lb's rule), so `10.0.0.256:80` is the name `10.0.0.256`.
 * @example parseVipLabel("/app:80") // { ok: true, vip: { kind: "named", label: "/app", port: 80 } }
 * @example parseVipLabel("fd01::1:80") // { ok: true, vip: { kind: "ip", ip: { address: "fd01::1", family: 6 }, port: 80 } }
 * @example parseVipLabel("/broken:http") // { ok: false, reason: "port 'http' is not a number in 1-65535" }
 */
export function parseVipLabel(value: string): VipParse {
  const colon = value.lastIndexOf(":");
  if (colon < 0) return { ok: false, reason: "expected <name or IP>:<port>" };
  const head = value.slice(0, colon);
  const portText = value.slice(colon + 1);
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    return { ok: false, reason: `port '${portText}' is not a number in 1-65535` };
  }
  const port = Number(portText);
  if (head === "" || head === "/") return { ok: false, reason: "the VIP name is empty" };
  // Sanitising would quietly turn "app\nbind" into "appbind"; a label like that is a mistake.
  if (/[\s\p{Cc}]/u.test(head)) return { ok: false, reason: "the VIP name contains whitespace or control characters" };
  const ip = parseIp(head);
  return { ok: true, vip: ip === undefined ? { kind: "named", label: head, port } : { kind: "ip", ip, port } };
}

const LEGACY_KEY = /^vip_port(0|[1-9][0-9]*)$/i;
const LEGACY_VALUE = /^(tcp|udp):\/\/(.*)$/is;

/** A legacy `VIP_PORT<n>` task label: the n-th host port of the task, its protocol and VIP. */
export interface LegacyVipLabel {
  index: number;
  protocol: L4Protocol;
  vip: string;
}

/**
 * Reads a legacy task label, or `undefined` when the key is not `VIP_PORT<n>` (any case).
 * A matching key with a value that is not `tcp://…`/`udp://…` gives a reason instead.
 * @example legacyVipLabel("vip_port1", "tcp://jkl:80") // { index: 1, protocol: "tcp", vip: "jkl:80" }
 */
export function legacyVipLabel(key: string, value: string): LegacyVipLabel | { reason: string } | undefined {
  const k = LEGACY_KEY.exec(key);
  if (k === null) return undefined;
  const v = LEGACY_VALUE.exec(value);
  if (v === null) return { reason: `expected tcp://<vip> or udp://<vip>` };
  return { index: Number(k[1]), protocol: v[1]!.toLowerCase() as L4Protocol, vip: v[2]! };
}

/**
 * Whether a discovery-port label carries a VIP: dcos-net took every key starting with `VIP`
 * or `vip` (`VIP_0`, `VIP_<uuid>` from the SDK).
 * @example isVipLabelKey("VIP_3798f247") // true
 */
export function isVipLabelKey(key: string): boolean {
  return key.startsWith("VIP") || key.startsWith("vip");
}

/**
 * `tcp`/`udp` in any case; other protocols (sctp, ...) have no L4 VIPs. Absent means tcp,
 * Marathon's default.
 * @example l4Protocol("UDP") // "udp"
 */
export function l4Protocol(protocol: string | undefined): L4Protocol | undefined {
  const p = (protocol ?? "tcp").toLowerCase();
  return p === "tcp" || p === "udp" ? p : undefined;
}
