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
import type { CommandRunner } from "../run-command.ts";

/**
 * What is wrong with the installed tables, or undefined when both are intact. One `nft --check`
 * per family, run together: the kernel validates the deletion of the canary's target and
 * aborts the transaction, so nothing changes either way.
 * @example await canaryDamage(run) // "table ip wayfinder_l4lb was flushed (its rules are gone)"
 */
export async function canaryDamage(run: CommandRunner): Promise<string | undefined> {
  const damage = await Promise.all(NFT_FAMILIES.map((family) => familyDamage(run, family)));
  const found = damage.filter((d): d is string => d !== undefined);
  return found.length === 0 ? undefined : `${found.join("; ")}, behind the agent's back`;
}

async function familyDamage(run: CommandRunner, family: NftFamily): Promise<string | undefined> {
  const table = `table ${family} ${NFT_TABLE}`;
  try {
    await run(["nft", "--check", "delete", "chain", family, NFT_TABLE, NFT_CANARY.target]);
  } catch (error) {
    // nft prints strerror() text and never sets a locale, so the words are stable.
    if (/Device or resource busy/.test((error as Error).message)) return undefined;
    return /No such file or directory/.test((error as Error).message) ? `${table} is missing` : `${table} cannot be checked (${(error as Error).message})`;
  }
  return `${table} was flushed (its rules are gone)`;
}
