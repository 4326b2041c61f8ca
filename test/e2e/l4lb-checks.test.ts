/**
 * Rendered L4 files pass the real tool's check (`nft -c -f`), and the IPVS backend on a kernel
 * without IPVS fails cleanly: a clear error and nothing installed. Run in a namespace this
 * test creates, so nothing on the host is touched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { reconcile } from "../../functions/reconcile.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createIpvsApplier, IPVS_PROC } from "../../lib/executor/l4lb/ipvs-applier.ts";
import { renderNftables } from "../../lib/render/nftables.ts";
import { runCli } from "../support/cli-io.ts";
import { describeWithTools } from "../support/tools.ts";
import { operatorSnapshot } from "../support/upstream-fixtures.ts";
import { inNs, NetnsLab } from "./support/netns.ts";

describeWithTools(["ip", "nft"], { root: true })("rendered nftables rule sets pass nft -c", () => {
  const lab = new NetnsLab();
  const dir = mkdtempSync(join(tmpdir(), "wayfinder-l4-"));
  let ns = "";
  beforeAll(() => {
    ns = lab.add("chk");
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  const check = (text: string) => inNs(ns, ["nft", "-c", "-f", "-"], text);

  it("accepts l4lb/ruleset.nft written by `wayfinder render` for the demo cluster", async () => {
    const { code } = await runCli(["render", "--out", dir], process.cwd());
    expect(code).toBe(0);
    const text = readFileSync(join(dir, "l4lb", "ruleset.nft"), "utf8");
    expect(text).toContain("11.225.36.193 . tcp . 80 : goto pick_2");
    expect(() => check(text)).not.toThrow();
  });

  it.each(["tcp-and-udp", "unhealthy", "vip-labels", "hello-overlay", "recovered-agents", "operator-api"])("accepts the rule set of %s", (name) => {
    expect(() => check(renderNftables(reconcile(operatorSnapshot(name))))).not.toThrow();
  });

  it("would reject a broken file (the check can fail)", () => {
    const file = join(dir, "broken.nft");
    writeFileSync(file, "table ip wayfinder_l4lb {\n\tmap vips {\n\t\ttype ipv4_addr : verdict\n\t\telements = { 999.1.1.1 : accept }\n\t}\n}\n");
    expect(() => inNs(ns, ["nft", "-c", "-f", file])).toThrow();
  });
});

describeWithTools(["ip", "nft", "ipvsadm-restore"], { root: true })("IPVS backend without IPVS in the kernel", () => {
  const lab = new NetnsLab();
  let ns = "";
  beforeAll(() => {
    ns = lab.add("ipvs");
  });
  afterAll(() => lab.teardown());

  it.skipIf(existsSync(IPVS_PROC))("fails with a clear error and installs nothing", async () => {
    const desired = reconcile(operatorSnapshot("tcp-and-udp"));
    const report = await applyDesired(desired, [createIpvsApplier({ netns: ns })]);
    expect(report.ok).toBe(false);
    expect(report.appliers[0]).toMatchObject({ status: "failed", stage: "observe", error: expect.stringContaining("IPVS is not available in this kernel") });
    expect(inNs(ns, ["ip", "route", "show", "table", "local", "proto", "247"])).toBe("");
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe("");
    // The real tool agrees: this kernel cannot take IPVS rules at all.
    expect(() => inNs(ns, ["ipvsadm-restore"], "-A -t 11.0.0.1:80 -s wlc\n")).toThrow();
  });
});
