import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-render-overlay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const S0 = "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0";

describe("wayfinder render --node: the overlay files", () => {
  it("writes one agent's conflists, data plane and Docker networks", async () => {
    const { code } = await runCli(["render", "--out", "a", "--node", S0], dir);
    expect(code).toBe(0);
    expect(readdirSync(join(dir, "a", "overlay"))).toEqual([S0]);
    expect(readdirSync(join(dir, "a", "overlay", S0, "cni")).sort()).toEqual(["dcos.conf", "dcos.conflist", "dcos6.conflist"]);
    const conflist = JSON.parse(readFileSync(join(dir, "a", "overlay", S0, "cni", "dcos.conflist"), "utf8"));
    expect(conflist).toMatchObject({ cniVersion: "1.0.0", name: "dcos", plugins: [{ type: "bridge", bridge: "m-dcos" }, { type: "portmap" }] });
    const dataplane = JSON.parse(readFileSync(join(dir, "a", "overlay", S0, "dataplane.json"), "utf8"));
    expect(dataplane.vtep.name).toBe("vtep1024");
    expect(dataplane.fdb.length).toBeGreaterThan(0);
  });

  it("serves a master's node view by its master@<ip> key", async () => {
    const { code } = await runCli(["render", "--out", "m", "--node", "master@10.0.0.1"], dir);
    expect(code).toBe(0);
    expect(readdirSync(join(dir, "m", "overlay", "master@10.0.0.1"))).toEqual(["dataplane.json"]);
    const plan = await runCli(["plan", "--node", "master@10.0.0.1"], dir);
    expect(plan.stdout).toContain("node view for master@10.0.0.1");
  });
});
