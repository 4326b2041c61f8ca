/**
 * @module
 * Where the nftables appliers send their batches: small ones to long-lived nft sessions (one
 * that applies, one that only checks), so a partial sync or a canary check costs no process;
 * large ones, and every one where nft has no interactive mode, to `nft -f -` in a process of
 * its own. Large goes apart because a process keeps the heap its biggest batch needed (140 MB
 * after a 10k-VIP table), while a process start is noise beside such a batch.
 */
import type { CommandRunner } from "./run-command.ts";
import { NftSession, NftSessionUnavailable } from "./nft-session.ts";

/** What an applier does with nft batches. */
export interface NftBatches {
  /** Applies `batch` as one transaction; rejects with nft's error (nothing of it applied). */
  apply(batch: string): Promise<void>;
  /** Has the kernel validate `batch` and abort it, as `nft --check`; rejects with nft's error. */
  check(batch: string): Promise<void>;
  /** Ends the sessions (an idle one never keeps the process alive, and ends with it). */
  close(): Promise<void>;
}

/** Batches above this many characters run in a process of their own. */
export const SESSION_MAX_BATCH = 64 * 1024;

/**
 * Every batch through `run` (`nft -f -`, `nft --check -f -`), one process each: what tests
 * with a recording runner see.
 * @example await nftProcesses(commandRunner()).apply("add table inet t\n")
 */
export function nftProcesses(run: CommandRunner): NftBatches {
  return {
    apply: async (batch) => void (await run(["nft", "-f", "-"], batch)),
    check: async (batch) => void (await run(["nft", "--check", "-f", "-"], batch)),
    close: async () => {},
  };
}

/**
 * Small batches through sessions in `netns`, the rest through `run`.
 * @example
 * const nft = nftSessions(commandRunner({ netns: "wf123" }), { netns: "wf123" });
 * await nft.apply("add element inet t s { 10.0.0.1 }\n");
 */
export function nftSessions(run: CommandRunner, options: { netns?: string; command?: readonly string[] } = {}): NftBatches {
  const processes = nftProcesses(run);
  const applying = new NftSession(options);
  const checking = new NftSession({ ...options, check: true });
  let unavailable = false;
  const through = async (session: NftSession, batch: string, alone: (batch: string) => Promise<void>) => {
    if (!unavailable && batch.length <= SESSION_MAX_BATCH) {
      try {
        return await session.run(batch);
      } catch (error) {
        // Nothing was sent to a session that never started: the batch goes the other way.
        if (!(error instanceof NftSessionUnavailable)) throw error;
        unavailable = true;
      }
    }
    await alone(batch);
  };
  return {
    apply: (batch) => through(applying, batch, processes.apply),
    check: (batch) => through(checking, batch, processes.check),
    close: async () => void (await Promise.all([applying.close(), checking.close()])),
  };
}
