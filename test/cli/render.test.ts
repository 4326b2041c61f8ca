import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DesiredState } from "../../lib/desired/schema.ts";
import { runCli } from "../support/cli-io.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-render-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("wayfinder render", () => {
  it("writes the demo cluster's artifacts, then leaves them untouched when nothing changed", async () => {
    const first = await runCli(["render", "--out", "out"], dir);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("+ desired.json");
    expect(first.stdout).toMatch(/^\+ dns\/mesos\.zone$/m);
    const desired = DesiredState.parse(JSON.parse(readFileSync(join(dir, "out", "desired.json"), "utf8")));
    expect(readFileSync(join(dir, "out", "dns", "mesos.zone"), "utf8")).toContain(`$ORIGIN mesos.`);
    const mtime = statSync(join(dir, "out", "dns", "mesos.zone")).mtimeMs;

    const second = await runCli(["render", "--out", "out"], dir);
    expect(second.stdout).toBe("out: up to date\n");
    expect(statSync(join(dir, "out", "dns", "mesos.zone")).mtimeMs).toBe(mtime);
    expect(desired.dns.zones.length).toBeGreaterThan(0);
  });

  it("removes artifacts that are no longer desired but keeps files it did not write", async () => {
    const snapshot = JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"));
    writeFileSync(join(dir, "snap.json"), JSON.stringify(snapshot));
    await runCli(["render", "snap.json", "--out", "out2"], dir);
    writeFileSync(join(dir, "out2", "operator-notes.txt"), "mine");
    const renamed = { ...snapshot, config: { ...snapshot.config, dns: { ...snapshot.config.dns, domain: "cluster" } } };
    writeFileSync(join(dir, "snap.json"), JSON.stringify(renamed));
    const { stdout } = await runCli(["render", "snap.json", "--out", "out2"], dir);
    expect(stdout).toMatch(/^- dns\/mesos\.zone$/m);
    expect(stdout).toMatch(/^\+ dns\/cluster\.zone$/m);
    expect(existsSync(join(dir, "out2", "dns", "mesos.zone"))).toBe(false);
    expect(readFileSync(join(dir, "out2", "operator-notes.txt"), "utf8")).toBe("mine");
  });

  it("writes with --node only the HAProxy groups placed on the node", async () => {
    const publicAgent = "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S3";
    const edge = await runCli(["render", "--out", "edge", "--node", publicAgent], dir);
    expect(edge.code).toBe(0);
    expect(edge.stdout).toMatch(/^\+ haproxy\/external\.cfg$/m);
    expect(edge.stdout).not.toMatch(/haproxy\/internal/);
    const inner = await runCli(["render", "--out", "inner", "--node", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0"], dir);
    expect(inner.stdout).toMatch(/^\+ haproxy\/internal\.cfg$/m);
    expect(inner.stdout).not.toMatch(/haproxy\/external/);
  });

  it("requires --out and refuses unknown nodes", async () => {
    expect((await runCli(["render"], dir)).code).toBe(2);
    const unknown = await runCli(["render", "--out", "o", "--node", "nope"], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown node 'nope'");
  });
});
