import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../lib/desired/schema.ts";
import { runCli } from "../support/cli-io.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"));

describe("wayfinder plan", () => {
  it("summarises the demo cluster when no snapshot is given", async () => {
    const { code, stdout } = await runCli(["plan"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cluster demo \(demo\) at 2026-11-26T12:00:00Z/);
    expect(stdout).toContain("4 agents, 3 frameworks, 15 tasks (13 running), 4 Marathon apps");
    expect(stdout).toMatch(/DNS zones\n {2}\S+/);
  });

  it("prints a valid DesiredState with --json, the same bytes every time", async () => {
    const first = await runCli(["plan", "--json"]);
    const second = await runCli(["plan", "--json"]);
    expect(first.code).toBe(0);
    expect(DesiredState.safeParse(JSON.parse(first.stdout)).success).toBe(true);
    expect(second.stdout).toBe(first.stdout);
  });

  it("shows where the HAProxy groups run, and with --node which rule placed each group there", async () => {
    const whole = await runCli(["plan"]);
    expect(whole.stdout).toMatch(/^ {2}external +\d+ config lines, runs on 1 agent$/m);
    expect(whole.stdout).toMatch(/^ {2}internal +\d+ config lines, runs on 3 agents$/m);
    const publicAgent = demo.agents.find((a: { public?: boolean }) => a.public === true).id as string;
    const view = await runCli(["plan", "--node", publicAgent]);
    expect(view.stdout).toMatch(new RegExp(`^ {2}external +runs here, \\d+ config lines: by default on public agents; ${publicAgent} is public$`, "m"));
    expect(view.stdout).toMatch(new RegExp(`^ {2}internal +not here: by default on private agents; ${publicAgent} is public$`, "m"));
  });

  it("projects one node with --node and refuses an unknown node with exit 2", async () => {
    const agent = demo.agents[0].id as string;
    const view = await runCli(["plan", "--json", "--node", agent]);
    expect(JSON.parse(view.stdout).node).toBe(agent);
    const unknown = await runCli(["plan", "--node", "no-such-agent"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown node 'no-such-agent'");
    expect(unknown.stderr).toContain(agent);
  });

  it.each([
    [["plan", "--jsn"], "wayfinder plan: unknown flag '--jsn' (did you mean --json?); 'wayfinder plan --help' lists the flags"],
    [["plan", "--fail-on", "fatal"], "--fail-on must be one of error, warning, not 'fatal'"],
    [["plan", "--diagnostics", "some"], "--diagnostics must be one of summary, all, not 'some'"],
    [["diff", "only-one.json"], "wayfinder diff: give two files: OLD NEW"],
    [["plan", "missing.json"], "cannot read missing.json: ENOENT"],
    [["plan", "a.json", "b.json"], "at most one SNAPSHOT"],
    [["frobnicate"], "unknown command 'frobnicate'"],
  ])("exits 2 with a clear message for %j", async (argv, message) => {
    const { code, stderr } = await runCli(argv, dir);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("names the file and JSON path of an invalid snapshot", async () => {
    const bad = { ...demo, agents: [{ ...demo.agents[0], id: 42 }] };
    writeFileSync(join(dir, "bad.json"), JSON.stringify(bad));
    writeFileSync(join(dir, "garbage.json"), "{ not json");
    const invalid = await runCli(["plan", "bad.json"], dir);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("bad.json: agents[0].id:");
    const garbage = await runCli(["plan", "garbage.json"], dir);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain("garbage.json: not valid JSON");
  });
});

describe("wayfinder diff", () => {
  it("finds no change between a snapshot and its own desired state (exit 0)", async () => {
    const desired = await runCli(["plan", "--json"]);
    writeFileSync(join(dir, "desired.json"), desired.stdout);
    writeFileSync(join(dir, "demo.json"), JSON.stringify(demo));
    const { code, stdout } = await runCli(["diff", "demo.json", "desired.json"], dir);
    expect(stdout).toBe("no changes\n");
    expect(code).toBe(0);
  });

  it("lists what a killed task removes (exit 1)", async () => {
    const killed = { ...demo, tasks: demo.tasks.filter((t: { name: string }) => t.name !== "metrics") };
    writeFileSync(join(dir, "demo.json"), JSON.stringify(demo));
    writeFileSync(join(dir, "killed.json"), JSON.stringify(killed));
    const { code, stdout } = await runCli(["diff", "demo.json", "killed.json"], dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^- dns +mesos metrics\.marathon\.mesos A$/m);
    expect(stdout).not.toMatch(/^\+/m);
  });
});

describe("wayfinder --help", () => {
  it("prints a command's synopsis and exits 0", async () => {
    const { code, stdout } = await runCli(["render", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("usage: wayfinder render [SNAPSHOT] --out DIR [flags]");
    expect(stdout).toMatch(/^ {6}--node ID +only what one node/m);
  });

  it("lists the commands without arguments (exit 2) and with help (exit 0)", async () => {
    const bare = await runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/^ {2}plan {6}summarise/m);
    expect((await runCli(["help"])).code).toBe(0);
  });
});
