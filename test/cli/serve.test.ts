import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../lib/cli/main.ts";
import type { CliIo } from "../../lib/cli/io.ts";

function recordingIo(): CliIo & { err: string[] } {
  const err: string[] = [];
  return { stdout: () => {}, stderr: (t) => err.push(t), cwd: process.cwd(), err };
}

describe("wayfinder serve (usage errors, exit 2)", () => {
  it.each([
    [["--bogus"], /unknown flag '--bogus'/],
    [["--lisen", "127.0.0.1:0"], /unknown flag '--lisen' \(did you mean --listen\?\)/],
    [["extra"], /unexpected argument 'extra'/],
    [["--listen", "8080"], /HOST:PORT/],
    [["--body-limit", "10MB"], /--body-limit must be a positive whole number/],
    [["--snapshot", "/nonexistent/snap.json"], /cannot read \/nonexistent\/snap.json/],
  ])("%j", async (args, message) => {
    const io = recordingIo();
    expect(await main(["serve", ...args], io)).toBe(2);
    expect(io.err.join("")).toMatch(message);
  });

  it("names the JSON path of an invalid snapshot file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wayfinder-serve-"));
    const file = join(dir, "snap.json");
    await writeFile(file, JSON.stringify({ cluster: { name: "" }, now: "2026-01-01T00:00:00Z" }));
    const io = recordingIo();
    expect(await main(["serve", "--snapshot", file], io)).toBe(2);
    expect(io.err.join("")).toMatch(/cluster\.name/);
  });
});
