import { describe, expect, it } from "vitest";
import { damageOf, policyCanaryBatch, policyDamage } from "../../../lib/executor/policy/policy-canary.ts";
import { nftChecker } from "../../support/nft-checker.ts";
import { policyTable, BASE_CHAINS } from "../../../lib/render/policy-table.ts";
import { renderPolicyTable } from "../../../lib/render/policy-nftables.ts";
import { reconcile } from "../../../functions/reconcile.ts";
import { nodeView } from "../../../functions/node-view.ts";
import { tenants } from "../../functions/policy/tenants.ts";

/** nft's answer to the check, in the long-lived session's words: one refusal per line it names. */
const refused = (...lines: Array<[number, string]>) =>
  `nft: ${lines.map(([n, why]) => `batch:${n}:36-47: Error: Could not process rule: ${why}\ndelete chain inet wayfinder_policy x\n   ^^^`).join("\n")}`;
const BUSY = "Device or resource busy";
const MISSING = "No such file or directory";

/** A checking nft that answers every check with `answer` (undefined: accepted). */
const checker = (answer: string | undefined) =>
  nftChecker(() => {
    if (answer !== undefined) throw new Error(answer);
  });

describe("the policy table's canary", () => {
  it("asks once, one aborted transaction for both checked base chains, and finds an intact table intact", async () => {
    const nft = checker(refused([1, BUSY], [2, BUSY]));
    expect(await policyDamage(nft)).toBeUndefined();
    expect(nft.batches).toEqual(["delete chain inet wayfinder_policy forward-4\ndelete chain inet wayfinder_policy prerouting-4\n"]);
  });

  it.each([
    ["`nft flush table` or `flush ruleset` then re-adding the table: every deletion accepted", undefined, "table inet wayfinder_policy was flushed (its rules are gone)"],
    ["`nft delete table` or `nft flush ruleset`", refused([1, MISSING], [2, MISSING]), "table inet wayfinder_policy is missing"],
    ["`nft flush chain ... forward`", refused([2, BUSY]), "base chain forward of table inet wayfinder_policy was flushed (its rule is gone)"],
    ["`nft flush chain ... prerouting`", refused([1, BUSY]), "base chain prerouting of table inet wayfinder_policy was flushed (its rule is gone)"],
    ["one family chain deleted, the other line never reached the kernel", refused([1, MISSING]), "chain forward-4 of table inet wayfinder_policy is missing; chain prerouting-4 of table inet wayfinder_policy cannot be checked"],
  ])("names what it found: %s", (_, answer, damage) => {
    expect(damageOf(answer)).toEqual(damage === undefined ? undefined : expect.stringContaining(damage));
  });

  it("says the damage happened behind the agent's back", async () => {
    expect(await policyDamage(checker(undefined))).toBe("table inet wayfinder_policy was flushed (its rules are gone), behind the agent's back");
  });

  it("takes an answer it cannot read for damage (the table is then replaced: fail closed), quoting it", async () => {
    expect(await policyDamage(checker("nft -i exited 1: Error: Operation not permitted"))).toBe(
      "table inet wayfinder_policy cannot be checked (nft -i exited 1: Error: Operation not permitted), behind the agent's back",
    );
    expect(damageOf(refused([1, "Operation not permitted"], [2, BUSY]))).toMatch(/^chain forward-4 of table inet wayfinder_policy cannot be checked \(nft: batch:1/);
  });

  it("checks chains only their base chain's dispatch rule jumps to (else a flushed table would still look busy)", () => {
    const table = policyTable(nodeView(reconcile(tenants()), "a1").policy!, "a1");
    const rendered = renderPolicyTable(table);
    for (const line of policyCanaryBatch().trim().split("\n")) {
      const chain = line.split(" ").at(-1)!;
      const base = chain.replace(/-4$/, "");
      expect(BASE_CHAINS.map((b) => b.name)).toContain(base);
      // Exactly one reference: the base chain's `meta nfproto vmap`; no rule, map or set element names it.
      expect(rendered.match(new RegExp(`(jump|goto) ${chain}\\b`, "g"))).toHaveLength(1);
      expect(table.chains.some((c) => c.rules.some((r) => r.includes(chain)))).toBe(false);
      expect(table.sets.some((s) => s.elements.some((e) => e.includes(chain)))).toBe(false);
    }
  });
});
