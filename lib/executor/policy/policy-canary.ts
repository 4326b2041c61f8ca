/**
 * @module
 * Whether the installed policy table is still there and still hooked in, without listing it:
 * what every policy sync asks before trusting its record of the kernel. Someone running `nft
 * flush table`, `nft delete table` or `nft flush ruleset` (a firewall reload, an operator)
 * leaves every base chain's policy `accept` and nothing else: the node is open. A sync that
 * trusts its record would find nothing to do, and a partial one would add elements to sets no
 * rule reads any more, so the damage would stay until the desired state changed.
 *
 * The check needs no canary chain of its own: each base chain's one rule is a verdict map that
 * jumps to the family chains (`forward` → `forward-4`, `forward-6`), and the kernel refuses to
 * delete a chain something still jumps to. So a deletion of `forward-4`, validated and aborted
 * by the kernel (`nft --check`, through the applier's long-lived checking nft), is refused as
 * busy while the table is intact, accepted once its rules were flushed, and unknown once the
 * table is gone. `forward` (traffic to and between this node's tasks) and `prerouting` (sources
 * outside the cluster) are checked in one transaction, one RCU grace period; nft numbers each
 * refusal by the line of the batch, so one answer says which chain is in what state. Two lines,
 * not every base chain's: nft's answer is cut after six lines (three per refusal). Listing the
 * table or `nft list tables` would cost far more: nft 1.0 fetches every table's rules and set
 * elements for any listing but a named set or chain (250 ms beside 20k rules of another table,
 * where this check takes 15–20 ms).
 */
import { familyChain } from "../../render/policy-table.ts";
import { POLICY_FAMILY, POLICY_TABLE } from "../../render/policy-names.ts";
import type { NftBatches } from "../nft-batches.ts";

const TABLE = `table ${POLICY_FAMILY} ${POLICY_TABLE}`;

/** The base chains whose dispatch rule is checked, in batch line order. */
export const CANARY_BASE_CHAINS = ["forward", "prerouting"] as const;

/** What the kernel said about one checked chain. */
type Verdict = "busy" | "missing" | "unreferenced" | "unknown";

/**
 * The check transaction: one deletion per checked base chain's IPv4 family chain.
 * @example policyCanaryBatch() // "delete chain inet wayfinder_policy forward-4\ndelete chain inet wayfinder_policy prerouting-4\n"
 */
export function policyCanaryBatch(): string {
  return CANARY_BASE_CHAINS.map((base) => `delete chain ${POLICY_FAMILY} ${POLICY_TABLE} ${familyChain(base, "ip")}\n`).join("");
}

/**
 * What is wrong with the installed policy table, or undefined when it is intact. An answer it
 * cannot read is damage too: the caller then replaces the table, which fails closed.
 * @example await policyDamage(nft) // "table inet wayfinder_policy was flushed (its rules are gone), behind the agent's back"
 */
export async function policyDamage(nft: NftBatches): Promise<string | undefined> {
  let answer: string | undefined;
  try {
    await nft.check(policyCanaryBatch());
  } catch (error) {
    answer = (error as Error).message;
  }
  const found = damageOf(answer);
  return found === undefined ? undefined : `${found}, behind the agent's back`;
}

/**
 * The damage nft's answer to the check shows (undefined: none): its message when the check
 * was refused, undefined when the kernel accepted every deletion. Pure.
 * @example damageOf(undefined) // "table inet wayfinder_policy was flushed (its rules are gone)"
 */
export function damageOf(answer: string | undefined): string | undefined {
  const verdicts = verdictsOf(answer);
  if (verdicts === undefined) return `${TABLE} cannot be checked (${answer})`;
  if (verdicts.every((v) => v === "busy")) return undefined;
  if (verdicts.every((v) => v === "missing")) return `${TABLE} is missing`;
  if (verdicts.every((v) => v === "unreferenced")) return `${TABLE} was flushed (its rules are gone)`;
  const chains = (verdict: Verdict) => CANARY_BASE_CHAINS.filter((_, i) => verdicts[i] === verdict);
  const parts: string[] = [];
  if (chains("unreferenced").length > 0) parts.push(`base chain ${chains("unreferenced").join(", ")} of ${TABLE} was flushed (its rule is gone)`);
  if (chains("missing").length > 0) parts.push(`chain ${chains("missing").map((b) => familyChain(b, "ip")).join(", ")} of ${TABLE} is missing`);
  if (chains("unknown").length > 0) parts.push(`chain ${chains("unknown").map((b) => familyChain(b, "ip")).join(", ")} of ${TABLE} cannot be checked (${answer})`);
  return parts.join("; ");
}

/**
 * One verdict per checked chain, from the refusals nft numbered by batch line; undefined when
 * the answer names no line (the process failed, or nft said something unexpected). nft prints
 * strerror() text and never sets a locale, so the words are stable. A line nft refused in its
 * own checks (a missing table) stops the batch before the kernel sees it: the other lines are
 * then unknown, not accepted.
 */
function verdictsOf(answer: string | undefined): Verdict[] | undefined {
  if (answer === undefined) return CANARY_BASE_CHAINS.map(() => "unreferenced");
  const refusals = new Map<number, Verdict>();
  for (const match of answer.matchAll(/:(\d+):\d+(?:-\d+)?: Error: (.*)/g)) {
    const why = match[2]!;
    refusals.set(Number(match[1]), /Device or resource busy/.test(why) ? "busy" : /No such file or directory/.test(why) ? "missing" : "unknown");
  }
  if (refusals.size === 0) return undefined;
  const stopped = [...refusals.values()].some((v) => v !== "busy");
  return CANARY_BASE_CHAINS.map((_, i) => refusals.get(i + 1) ?? (stopped ? "unknown" : "unreferenced"));
}
