/**
 * @module
 * An `NftBatches` stand-in for canary tests: applies nothing, records every check batch, and
 * answers each as `answer` says (returning: accepted; throwing: nft's refusal).
 */
import type { NftBatches } from "../../lib/executor/nft-batches.ts";

/**
 * @example const nft = nftChecker(() => { throw new Error("batch:1:1-2: Error: ... busy") }); await canaryDamage(nft); nft.batches
 */
export function nftChecker(answer: (batch: string) => void): NftBatches & { batches: string[] } {
  const batches: string[] = [];
  return {
    batches,
    apply: async () => {},
    close: async () => {},
    check: async (batch) => {
      batches.push(batch);
      answer(batch);
    },
  };
}
