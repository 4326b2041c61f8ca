/**
 * @module
 * Whether the VIP tables the applier installed are still there and intact, without listing
 * them: what every sync asks before trusting its record of the kernel. Someone running `nft
 * flush table`, `nft delete table` or `nft flush ruleset` (a firewall reload, an operator) would
 * otherwise go unnoticed until the desired state changed, because a sync that trusts its
 * record finds nothing to do, and a partial one adds elements to a table without rules.
 */
import type { NftFamily } from "../../render/nft-model.ts";
import { NFT_CANARY, NFT_FAMILIES, NFT_TABLE } from "../../render/nftables.ts";
import type { NftBatches } from "../nft-batches.ts";

/**
 * What is wrong with the installed tables, or undefined when both are intact. The check is a
 * deletion of the canary's target that the kernel validates and aborts (`nft --check`, through
 * the applier's long-lived checking nft), so nothing changes either way. Its cost is the
 * kernel's more than the process's: an aborted transaction waits out an RCU grace period
 * (10-20 ms at load 6-7 on 2 cores, where the element move it guards takes 1-4 ms), so both
 * families share one transaction; only when that is not refused as busy twice is each family
 * checked alone, to say which is damaged and how. (Checking within the sync's own transaction
 * instead, with a rule inserted before the canary's, was measured and left: nft then reads
 * every rule of every table first, 150 ms per sync beside 5,000 rules of another table.)
 * @example await canaryDamage(nft) // "table ip wayfinder_l4lb was flushed (its rules are gone)"
 */
export async function canaryDamage(nft: NftBatches): Promise<string | undefined> {
  try {
    await nft.check(NFT_FAMILIES.map(canaryCheck).join(""));
  } catch (error) {
    // nft prints strerror() text and never sets a locale, so the words are stable.
    if (((error as Error).message.match(/Device or resource busy/g) ?? []).length === NFT_FAMILIES.length) return undefined;
  }
  const damage: Array<string | undefined> = [];
  for (const family of NFT_FAMILIES) damage.push(await familyDamage(nft, family));
  const found = damage.filter((d): d is string => d !== undefined);
  return found.length === 0 ? undefined : `${found.join("; ")}, behind the agent's back`;
}

function canaryCheck(family: NftFamily): string {
  return `delete chain ${family} ${NFT_TABLE} ${NFT_CANARY.target}\n`;
}

async function familyDamage(nft: NftBatches, family: NftFamily): Promise<string | undefined> {
  const table = `table ${family} ${NFT_TABLE}`;
  try {
    await nft.check(canaryCheck(family));
  } catch (error) {
    if (/Device or resource busy/.test((error as Error).message)) return undefined;
    return /No such file or directory/.test((error as Error).message) ? `${table} is missing` : `${table} cannot be checked (${(error as Error).message})`;
  }
  return `${table} was flushed (its rules are gone)`;
}
