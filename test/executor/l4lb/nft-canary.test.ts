import { describe, expect, it } from "vitest";
import { canaryDamage } from "../../../lib/executor/l4lb/nft-canary.ts";
import type { NftBatches } from "../../../lib/executor/nft-batches.ts";
import { nftChecker } from "../../support/nft-checker.ts";

type State = "intact" | "flushed" | "missing";

/**
 * nft --check as nft 1.0 answers it: a missing table is refused by nft itself, before the
 * kernel sees any line of the batch; otherwise the kernel refuses each deletion of a target a
 * rule still jumps to, all in one answer.
 */
function checker(state: Record<"ip" | "ip6", State>): NftBatches & { batches: string[] } {
  return nftChecker((batch) => {
    const lines = batch.trim().split("\n");
    const family = (line: string) => line.split(" ")[2] as "ip" | "ip6";
    const refused = (why: string, which: string[]) => new Error(`nft: ${which.map((line) => `batch: Error: ${why}\n${line}`).join("\n")}`);
    const missing = lines.filter((line) => state[family(line)] === "missing");
    if (missing.length > 0) throw refused("No such file or directory", missing);
    const busy = lines.filter((line) => state[family(line)] === "intact");
    if (busy.length > 0) throw refused("Could not process rule: Device or resource busy", busy);
  });
}

describe("the VIP tables' canary", () => {
  it("asks once, for both families, while both tables are intact", async () => {
    const nft = checker({ ip: "intact", ip6: "intact" });
    expect(await canaryDamage(nft)).toBeUndefined();
    expect(nft.batches).toEqual(["delete chain ip wayfinder_l4lb canary_target\ndelete chain ip6 wayfinder_l4lb canary_target\n"]);
  });

  it.each([
    [{ ip: "missing", ip6: "intact" }, "table ip wayfinder_l4lb is missing, behind the agent's back"],
    [{ ip: "intact", ip6: "flushed" }, "table ip6 wayfinder_l4lb was flushed (its rules are gone), behind the agent's back"],
    [{ ip: "flushed", ip6: "missing" }, "table ip wayfinder_l4lb was flushed (its rules are gone); table ip6 wayfinder_l4lb is missing, behind the agent's back"],
  ] as const)("says which table is damaged and how, family by family, when the joint check is not refused twice: %o", async (state, damage) => {
    const nft = checker(state);
    expect(await canaryDamage(nft)).toBe(damage);
    expect(nft.batches.slice(1)).toEqual(["delete chain ip wayfinder_l4lb canary_target\n", "delete chain ip6 wayfinder_l4lb canary_target\n"]);
  });

  it("names an answer it cannot read rather than guessing", async () => {
    const nft: NftBatches = {
      apply: async () => {},
      close: async () => {},
      check: async () => {
        throw new Error("nft -i exited 1: Error: Operation not permitted");
      },
    };
    expect(await canaryDamage(nft)).toBe(
      "table ip wayfinder_l4lb cannot be checked (nft -i exited 1: Error: Operation not permitted); table ip6 wayfinder_l4lb cannot be checked (nft -i exited 1: Error: Operation not permitted), behind the agent's back",
    );
  });
});
