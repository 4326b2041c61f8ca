import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-diagnostics-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"));
const broken = demo.tasks.find((t: { name: string }) => t.name === "broken");
const withoutBroken = demo.tasks.filter((t: { name: string }) => t.name !== "broken");

/** The demo with seven broken VIP labels instead of one. */
writeFileSync(join(dir, "seven.json"), JSON.stringify({ ...demo, tasks: [...withoutBroken, ...Array.from({ length: 7 }, (_, i) => ({ ...broken, id: `broken.${i}` }))] }));
/** No error, three warnings (DNS, dcos-dns, overlay): a masters entry that is not ip:port. */
writeFileSync(join(dir, "warning.json"), JSON.stringify({ ...demo, tasks: withoutBroken, masters: [...demo.masters, "not-an-address"] }));

describe("wayfinder plan's diagnostics", () => {
  it("summarises them by code with counts and the first three of each", async () => {
    const { code, stdout } = await runCli(["plan", "seven.json"], dir);
    expect(code).toBe(0);
    const section = stdout.slice(stdout.indexOf("Diagnostics"));
    expect(section).toMatch(/^Diagnostics +9\n {2}error +l4lb\.invalid-vip-label {2}7\n/);
    expect(section.match(/^ {6}task:broken\.\d+ {2}VIP label "\/broken:http"/gm)).toHaveLength(3);
    expect(section).toContain("      ... 4 more (--diagnostics all lists them)\n");
    expect(section).toMatch(/^ {2}info +overlay\.owner-absent {2}1\n {6}node:10\.0\.1\.14 /m);
  });

  it("lists every one with --diagnostics all", async () => {
    const { stdout } = await runCli(["plan", "seven.json", "--diagnostics", "all"], dir);
    expect(stdout.match(/^ {6}task:broken\.\d+ /gm)).toHaveLength(7);
    expect(stdout).not.toContain("more (--diagnostics all");
  });

  it("keeps --json whole: every diagnostic, whatever --diagnostics says", async () => {
    const { stdout } = await runCli(["plan", "seven.json", "--json", "--diagnostics", "summary"], dir);
    expect(JSON.parse(stdout).diagnostics.filter((d: { code: string }) => d.code === "l4lb.invalid-vip-label")).toHaveLength(7);
  });
});

describe("--fail-on", () => {
  it.each([
    ["seven.json", [], 0, ""],
    ["seven.json", ["--fail-on", "error"], 1, "wayfinder plan: 7 diagnostics at level error (--fail-on error)\n"],
    ["seven.json", ["--fail-on", "warning"], 1, "wayfinder plan: 7 diagnostics at level warning or error (--fail-on warning)\n"],
    ["seven.json", ["--json", "--fail-on", "error"], 1, "wayfinder plan: 7 diagnostics at level error (--fail-on error)\n"],
    ["warning.json", ["--fail-on", "error"], 0, ""],
    ["warning.json", ["--fail-on", "warning"], 1, "wayfinder plan: 3 diagnostics at level warning or error (--fail-on warning)\n"],
  ])("plan %s %j exits %i", async (file, flags, exit, stderr) => {
    const result = await runCli(["plan", file, ...flags], dir);
    expect(result.stderr).toBe(stderr);
    expect(result.code).toBe(exit);
    // The plan is printed either way: the exit code is what fails the pipeline.
    expect(result.stdout).not.toBe("");
  });

  it("render writes nothing and exits 1 when a diagnostic is at the level, and writes when none is", async () => {
    const failed = await runCli(["render", "seven.json", "--out", "out", "--fail-on", "error"], dir);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/^wayfinder render: 7 diagnostics at level error \(--fail-on error\); nothing written\n {2}error +l4lb\.invalid-vip-label {2}7\n/);
    expect(failed.stderr).not.toContain("overlay.owner-absent");
    expect(existsSync(join(dir, "out"))).toBe(false);

    const written = await runCli(["render", "warning.json", "--out", "out", "--fail-on", "error"], dir);
    expect(written.code).toBe(0);
    expect(existsSync(join(dir, "out", "desired.json"))).toBe(true);
  });
});
