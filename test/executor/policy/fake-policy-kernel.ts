/**
 * @module
 * A kernel stand-in for the policy applier, driven through its `run` (so every nft batch and
 * canary check is one `nft -f -` or `nft --check -f -` call it records).
 */
import type { CommandRunner } from "../../../lib/executor/run-command.ts";

/**
 * A kernel stand-in: records every command, holds the table's state (absent, intact, or flushed
 * by someone else) and the br_netfilter keys, and answers canary checks as nft 1.0 does: each
 * refused line numbered, nothing printed for lines the kernel accepted.
 */
export function fakePolicyKernel(options: { bridgeKeys?: "1" | "0" | "missing"; failNext?: RegExp } = {}) {
  const calls: Array<{ argv: readonly string[]; input?: string }> = [];
  let table: "absent" | "intact" | "flushed" = "absent";
  let bridge = options.bridgeKeys ?? "1";
  let failNext = options.failNext;
  const run: CommandRunner = async (argv, input) => {
    calls.push({ argv, ...(input === undefined ? {} : { input }) });
    const line = argv.join(" ");
    if (failNext?.test(input ?? line)) {
      failNext = undefined;
      throw new Error(`nft: Error: No such file or directory`);
    }
    if (line.startsWith("sysctl -n")) {
      if (bridge === "missing") throw new Error("sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables");
      return `${bridge}\n${bridge}\n`;
    }
    if (line.startsWith("sysctl -q -w")) bridge = "1";
    if (line === "nft -f -" && input!.includes("delete table inet wayfinder_policy")) table = "intact";
    if (line === "nft delete table inet wayfinder_policy") table = "absent";
    if (line === "nft list tables inet") return table !== "absent" ? "table inet wayfinder_policy\n" : "";
    if (line === "nft --check -f -" && table !== "flushed") {
      const why = table === "absent" ? "No such file or directory" : "Device or resource busy";
      throw new Error(input!.trim().split("\n").map((cmd, i) => `/dev/stdin:${i + 1}:36-47: Error: Could not process rule: ${why}\n${cmd}\n   ^^^`).join("\n"));
    }
    if (line.startsWith("nft -j list counters")) return JSON.stringify({ nftables: [{ counter: { name: "rule-a-deny", packets: 3, bytes: 180 } }, { counter: { name: "stranger", packets: 1, bytes: 1 } }] });
    return "";
  };
  return {
    run,
    calls,
    batches: () => calls.filter((c) => c.argv.join(" ") === "nft -f -").map((c) => c.input!),
    bridge: () => bridge,
    /** Someone else's `nft flush table` or `nft delete table`. */
    damage: (how: "flushed" | "absent") => void (table = how),
    table: () => table,
  };
}
