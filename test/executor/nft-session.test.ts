import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NftSession, NftSessionUnavailable, type NftSessionOptions } from "../../lib/executor/nft-session.ts";

const FAKE = fileURLToPath(new URL("./fake-nft.mjs", import.meta.url));

describe("nft session", () => {
  let dir: string;
  let log: string;
  const sessions: NftSession[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "wf-nft-session-test-"));
    log = join(dir, "batches.jsonl");
    process.env.FAKE_NFT_LOG = log;
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    delete process.env.FAKE_NFT_MODE;
    rmSync(dir, { recursive: true, force: true });
  });
  const session = (options: NftSessionOptions = {}) => {
    const s = new NftSession({ command: [process.execPath, FAKE], ...options });
    sessions.push(s);
    return s;
  };
  const batches = () =>
    readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { pid: number; check: boolean; file: string; batch: string });
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it("runs batches in order through one process, and removes each batch's file once answered", async () => {
    const s = session();
    await Promise.all(["add table inet a\n", "add table inet b\n", "add table inet c\n"].map((b) => s.run(b)));
    const seen = batches();
    expect(seen.map((b) => b.batch)).toEqual(["add table inet a\n", "add table inet b\n", "add table inet c\n"]);
    expect(new Set(seen.map((b) => b.pid)).size).toBe(1);
    expect(seen[0]!.check).toBe(false);
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith(`wayfinder-nft-${process.pid}-`))).toEqual([]);
  });

  it("rejects a refused batch with nft's message, the batch named as such, and keeps the process", async () => {
    const s = session();
    await expect(s.run("refuse\n")).rejects.toThrow(/^nft: batch:1:1-6: Error: Could not process rule: No such file or directory\nrefuse\n\^\^\^\^\^\^$/);
    await s.run("add table inet a\n");
    expect(new Set(batches().map((b) => b.pid)).size).toBe(1);
  });

  it("takes what nft says beside a batch that is no error as success", async () => {
    await session().run("warn\n");
    expect(batches()).toHaveLength(1);
  });

  it("validates only, as nft --check, when asked", async () => {
    await session({ check: true }).run("add table inet a\n");
    expect(batches()[0]!.check).toBe(true);
  });

  it("fails a batch whose process dies, and starts another for the next", async () => {
    const s = session();
    await s.run("add table inet a\n");
    await expect(s.run("die\n")).rejects.toThrow(/^nft -i exited 3/);
    await s.run("add table inet b\n");
    const [first, died, next] = batches();
    expect(died!.pid).toBe(first!.pid);
    expect(next!.pid).not.toBe(first!.pid);
  });

  it("fails a batch not answered in time and kills its process", async () => {
    const s = session({ timeoutMs: 300 });
    await expect(s.run("hang\n")).rejects.toThrow("nft -i did not answer within 300 ms");
    const hung = batches()[0]!.pid;
    await s.run("add table inet a\n");
    expect(batches()[1]!.pid).not.toBe(hung);
    await expect.poll(() => alive(hung)).toBe(false);
  });

  it("replaces its process after maxBatches (the line editor keeps every line)", async () => {
    const s = session({ maxBatches: 2 });
    for (const name of ["a", "b", "c"]) await s.run(`add table inet ${name}\n`);
    const [a, b, c] = batches().map((x) => x.pid);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    await expect.poll(() => alive(a!)).toBe(false);
  });

  it("says it is unavailable, sending nothing, when nft has no interactive mode", async () => {
    process.env.FAKE_NFT_MODE = "no-cli";
    const error = await session()
      .run("add table inet a\n")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NftSessionUnavailable);
    expect((error as Error).message).toMatch(/nft cannot run as a session: nft -i exited 1: nft: interactive CLI not supported in this build/);
  });

  it("ends its process on close", async () => {
    const s = session();
    await s.run("add table inet a\n");
    await s.close();
    expect(alive(batches()[0]!.pid)).toBe(false);
  });
});
