/**
 * `wayfinder l4lb` against the kernel, in a namespace this test creates.
 */
import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IPVS_PROC } from "../../lib/executor/l4lb/ipvs-applier.ts";
import { runCli } from "../support/cli-io.ts";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab } from "./support/netns.ts";

describeWithTools(["ip", "nft", "nsenter"], { root: true })("wayfinder l4lb", () => {
  const lab = new NetnsLab();
  let ns = "";
  beforeAll(() => {
    ns = lab.add("cli");
  });
  afterAll(() => lab.teardown());

  it("programs the demo cluster's VIPs as node S0 sees them, then finds nothing to do", async () => {
    const dry = await runCli(["l4lb", "--netns", ns, "--node", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("+ tcp 11.225.36.193:80");
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe("");

    const first = await runCli(["l4lb", "--netns", ns, "--l4-backend", "nftables", "--node", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("~ table wayfinder_l4lb");
    expect(first.stdout).toMatch(/l4lb: applied, 10 services/);
    expect(inNs(ns, ["nft", "list", "map", "ip", "wayfinder_l4lb", "vips"])).toContain("11.225.36.193 . tcp . 80 : goto pick_2");
    expect(inNs(ns, ["ip", "-6", "route", "show", "table", "local", "proto", "247"])).toContain("fd01:c::72df:351e:c788:bd6b");

    // A new process remembers nothing: it replaces the tables whole, with the same result.
    const second = await runCli(["l4lb", "--netns", ns, "--node", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0"]);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("route");
  });

  it.skipIf(existsSync(IPVS_PROC))("refuses the IPVS backend on a kernel without IPVS, with a clear error (exit 1)", async () => {
    const { code, stderr } = await runCli(["l4lb", "--netns", ns, "--l4-backend", "ipvs"]);
    expect(code).toBe(1);
    expect(stderr).toContain("IPVS is not available in this kernel");
  });
});
