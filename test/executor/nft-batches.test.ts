import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nftProcesses, nftSessions, SESSION_MAX_BATCH, type NftBatches } from "../../lib/executor/nft-batches.ts";
import type { CommandRunner } from "../../lib/executor/run-command.ts";

const FAKE = fileURLToPath(new URL("./fake-nft.mjs", import.meta.url));

describe("nft batches", () => {
  let dir: string;
  let opened: NftBatches[];
  const calls: Array<{ argv: string; input?: string }> = [];
  const run: CommandRunner = async (argv, input) => {
    calls.push({ argv: argv.join(" "), input });
    if (input?.includes("refuse")) throw new Error("nft -f - exited 1: Error: Could not process rule");
    return "";
  };
  const sent = () => {
    try {
      return readFileSync(join(dir, "batches.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { check: boolean; batch: string });
    } catch {
      return [];
    }
  };
  const sessions = () => {
    const nft = nftSessions(run, { command: [process.execPath, FAKE] });
    opened.push(nft);
    return nft;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wf-nft-batches-test-"));
    process.env.FAKE_NFT_LOG = join(dir, "batches.jsonl");
    calls.length = 0;
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((n) => n.close()));
    delete process.env.FAKE_NFT_MODE;
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends small batches to the applying session and checks to the checking one, no process each", async () => {
    const nft = sessions();
    await nft.apply("add table inet a\n");
    await nft.check("delete chain inet a c\n");
    expect(sent()).toEqual([
      { check: false, batch: "add table inet a\n", file: expect.any(String), pid: expect.any(Number) },
      { check: true, batch: "delete chain inet a c\n", file: expect.any(String), pid: expect.any(Number) },
    ]);
    expect(calls).toEqual([]);
  });

  it("runs a batch over SESSION_MAX_BATCH in a process of its own (a session would keep its heap)", async () => {
    const big = `add table inet a\n# ${"x".repeat(SESSION_MAX_BATCH)}\n`;
    await sessions().apply(big);
    expect(calls).toEqual([{ argv: "nft -f -", input: big }]);
    expect(sent()).toEqual([]);
  });

  it("passes nft's refusal on, through either way", async () => {
    const nft = sessions();
    await expect(nft.apply("refuse\n")).rejects.toThrow("Error: Could not process rule: No such file or directory");
    await expect(nft.apply(`refuse\n# ${"x".repeat(SESSION_MAX_BATCH)}\n`)).rejects.toThrow("nft -f - exited 1");
  });

  it("falls back to a process per batch, for good, where nft has no interactive mode", async () => {
    process.env.FAKE_NFT_MODE = "no-cli";
    const nft = sessions();
    await nft.apply("add table inet a\n");
    await nft.check("delete chain inet a c\n");
    await nft.apply("add table inet b\n");
    expect(calls.map((c) => `${c.argv}: ${c.input}`)).toEqual(["nft -f -: add table inet a\n", "nft --check -f -: delete chain inet a c\n", "nft -f -: add table inet b\n"]);
  });

  it("runs everything through the runner when asked to (what tests with a recording runner see)", async () => {
    const nft = nftProcesses(run);
    await nft.apply("add table inet a\n");
    await nft.check("add table inet b\n");
    expect(calls.map((c) => c.argv)).toEqual(["nft -f -", "nft --check -f -"]);
  });
});
