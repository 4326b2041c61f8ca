/**
 * @module
 * A real listing of wayfinder's tables: `nft -j list table ip|ip6 wayfinder_l4lb` as nftables
 * 1.0.6 printed them (kernel 6.18) after `nft -f` of `renderNftRules` for `LISTED_SERVICES`
 * (weights 3:1, a UDP VIP on the same address, a VIP whose only backend drains, IPv6).
 */
import { readFileSync } from "node:fs";
import { service } from "../../render/l4lb-fixtures.ts";

export const LISTED_SERVICES = [
  service("11.0.0.1", 80, [["9.0.1.2", 80, 3], ["9.0.1.3", 8080, 1]]),
  service("11.0.0.1", 53, [["9.0.1.4", 5353, 1]], "udp"),
  service("11.0.0.2", 443, [["9.0.1.2", 443, 0]]),
  service("fd01:c::2", 53, [["fd01:b::4", 53, 1], ["fd01:b::5", 53, 1]], "udp"),
];

/** The listing of one family's table. */
export function listing(family: "ip" | "ip6"): string {
  return readFileSync(new URL(`./fixtures/nft-list-${family}.json`, import.meta.url), "utf8");
}
