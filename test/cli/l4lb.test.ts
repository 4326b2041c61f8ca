import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";

// Runs that reach the kernel are in test/e2e/l4lb-cli.test.ts; these stop at the usage check.
describe("wayfinder l4lb usage errors (exit 2, nothing touched)", () => {
  it.each([
    [["l4lb", "--l4-backend", "iptables"], "--l4-backend must be one of auto, nftables, ipvs, not 'iptables'"],
    [["l4lb", "--netns", "../etc"], 'invalid network namespace name "../etc"'],
    [["l4lb", "a.json", "b.json"], "at most one SNAPSHOT or DESIRED argument"],
    [["l4lb", "--frobnicate"], "unknown flag '--frobnicate'; 'wayfinder l4lb --help' lists the flags"],
    [["l4lb", "--dry"], "unknown flag '--dry' (did you mean --dry-run?)"],
  ])("%j", async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
