import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";
import { syntheticSnapshot } from "../bench/synthetic-cluster.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-plan-lists-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** 300 apps, a VIP label on every tenth (30 VIPs), 40 agents each an overlay node. */
const snapshot = syntheticSnapshot({ tasks: 600, agents: 40, apps: 300 });
writeFileSync(join(dir, "big.json"), JSON.stringify(snapshot));

const sectionOf = (stdout: string, title: string) => {
  const start = stdout.indexOf(title);
  return stdout.slice(start, stdout.indexOf("\n\n", start));
};

describe("wayfinder plan's lists of L4 services and overlay nodes", () => {
  it("shows the first ten of each and counts the rest", async () => {
    const { code, stdout } = await runCli(["plan", "big.json"], dir);
    expect(code).toBe(0);
    const l4 = sectionOf(stdout, "L4 virtual IPs");
    const services = Number(/(\d+) services/.exec(l4)![1]);
    expect(services).toBeGreaterThan(10);
    expect(l4.match(/^ {2}tcp /gm)).toHaveLength(10);
    expect(l4).toContain(`  ... and ${services - 10} more (--list all lists them)`);
    const overlay = sectionOf(stdout, "Overlay nodes");
    const nodes = Number(/Overlay nodes +(\d+)/.exec(overlay)![1]);
    expect(nodes).toBeGreaterThan(10);
    expect(overlay.match(/ vtep /g)).toHaveLength(10);
    expect(overlay).toContain(`  ... and ${nodes - 10} more (--list all lists them)`);
  });

  it("lists every one with --list all", async () => {
    const { stdout } = await runCli(["plan", "big.json", "--list", "all"], dir);
    const l4 = sectionOf(stdout, "L4 virtual IPs");
    expect(l4.match(/^ {2}tcp /gm)).toHaveLength(Number(/(\d+) services/.exec(l4)![1]));
    expect(stdout).not.toContain("more (--list all");
  });

  it("refuses a list mode it does not know", async () => {
    const { code, stderr } = await runCli(["plan", "big.json", "--list", "some"], dir);
    expect(code).toBe(2);
    expect(stderr).toContain("--list");
  });
});
