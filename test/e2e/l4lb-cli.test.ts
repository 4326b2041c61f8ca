/**
 * `wayfinder l4lb` against the kernel, in namespaces this test creates.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { nodeView } from "../../functions/node-view.ts";
import { reconcile } from "../../functions/reconcile.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { IPVS_PROC } from "../../lib/executor/l4lb/ipvs-applier.ts";
import { canonicalJsonPretty } from "../../lib/net/canonical-json.ts";
import { readSnapshot } from "../golden/fixtures.ts";
import { runCli } from "../support/cli-io.ts";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab } from "./support/netns.ts";

const S0 = "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S0";

/** The plan lines of a run (`+ key`, `~ key`, `- key`), without its summary. */
function planLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => /^[+~-] /.test(line));
}

function loopbackUp(ns: string): boolean {
  return (JSON.parse(inNs(ns, ["ip", "-j", "link", "show", "dev", "lo"])) as Array<{ flags: string[] }>)[0]!.flags.includes("UP");
}

describeWithTools(["ip", "nft", "nsenter"], { root: true })("wayfinder l4lb", () => {
  const lab = new NetnsLab();
  const dir = mkdtempSync(join(tmpdir(), "wf-l4lb-cli-"));
  let ns = "";
  beforeAll(() => {
    ns = lab.add("cli");
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("programs the demo cluster's VIPs as node S0 sees them, then finds nothing to do", async () => {
    const dry = await runCli(["l4lb", "--netns", ns, "--node", S0, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("+ tcp 11.225.36.193:80");
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe("");

    const first = await runCli(["l4lb", "--netns", ns, "--l4-backend", "nftables", "--node", S0]);
    expect(first.code, first.stderr).toBe(0);
    expect(planLines(first.stdout)).toEqual(planLines(dry.stdout));
    expect(first.stdout).toContain("~ table wayfinder_l4lb");
    expect(first.stdout).toMatch(/l4lb: applied, 10 services/);
    expect(inNs(ns, ["nft", "list", "map", "ip", "wayfinder_l4lb", "vips"])).toContain("11.225.36.193 . tcp . 80 : goto pick_2");
    expect(inNs(ns, ["ip", "-6", "route", "show", "table", "local", "proto", "247"])).toContain("fd01:c::72df:351e:c788:bd6b");

    // A new process remembers nothing: it reads the tables back and finds them as wanted.
    const ruleset = inNs(ns, ["nft", "list", "ruleset"]);
    const second = await runCli(["l4lb", "--netns", ns, "--node", S0]);
    expect(second).toMatchObject({ code: 0, stdout: "l4lb: nothing to do, 10 services up to date\n" });
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe(ruleset);
  });

  it("dry-runs right after an apply with nothing to do, and then exactly what the apply changes", async () => {
    const own = lab.add("dry");
    expect((await runCli(["l4lb", "--netns", own, "--node", S0])).code).toBe(0);
    const ruleset = inNs(own, ["nft", "list", "ruleset"]);
    expect(await runCli(["l4lb", "--netns", own, "--node", S0, "--dry-run"])).toMatchObject({ code: 0, stdout: "l4lb: nothing to do, 10 services up to date\n" });
    expect(inNs(own, ["nft", "list", "ruleset"])).toBe(ruleset);

    // One VIP gone, one backend moved: the plan names those two and nothing else.
    const desired = nodeView(reconcile(readSnapshot("state-fixtures/demo/snapshot.json")), S0);
    const [gone, moved, ...rest] = desired.l4lb.services;
    const changed: DesiredState = { ...desired, l4lb: { ...desired.l4lb, services: [{ ...moved!, backends: moved!.backends.map((b) => ({ ...b, port: b.port + 1 })) }, ...rest] } };
    const path = join(dir, "changed.json");
    writeFileSync(path, canonicalJsonPretty(changed));
    const dry = await runCli(["l4lb", "--netns", own, path, "--dry-run"]);
    const applied = await runCli(["l4lb", "--netns", own, path]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(planLines(applied.stdout)).toEqual(planLines(dry.stdout));
    const key = (s: typeof gone) => `${s!.vip.protocol} ${s!.vip.ip.includes(":") ? `[${s!.vip.ip}]` : s!.vip.ip}:${s!.vip.port}`;
    expect(planLines(dry.stdout).filter((line) => !line.includes("route "))).toEqual([`~ ${key(moved)}`, `- ${key(gone)}`]);
    expect(dry.stdout).toContain("planned (dry run), 9 services");
    expect(await runCli(["l4lb", "--netns", own, path, "--dry-run"])).toMatchObject({ code: 0, stdout: "l4lb: nothing to do, 9 services up to date\n" });
  });

  it("works in a namespace whose lo is down: sets lo up for the VIP routes, and says so first", async () => {
    const down = lab.add("lodown", { loopback: "down" });
    const dry = await runCli(["l4lb", "--netns", down, "--node", S0, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("~ link lo up");
    expect(loopbackUp(down)).toBe(false);

    const applied = await runCli(["l4lb", "--netns", down, "--node", S0]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(planLines(applied.stdout)).toEqual(planLines(dry.stdout));
    expect(loopbackUp(down)).toBe(true);
    expect(inNs(down, ["ip", "-6", "route", "show", "table", "local", "proto", "247"])).toContain("fd01:c::72df:351e:c788:bd6b");
    expect(inNs(down, ["ip", "route", "get", "11.225.36.193"])).toMatch(/^local 11\.225\.36\.193 dev lo/);
    expect(await runCli(["l4lb", "--netns", down, "--node", S0, "--dry-run"])).toMatchObject({ code: 0, stdout: "l4lb: nothing to do, 10 services up to date\n" });
  });

  it.skipIf(existsSync(IPVS_PROC))("refuses the IPVS backend on a kernel without IPVS, with a clear error (exit 1)", async () => {
    const { code, stderr } = await runCli(["l4lb", "--netns", ns, "--l4-backend", "ipvs"]);
    expect(code).toBe(1);
    expect(stderr).toContain("IPVS is not available in this kernel");
  });
});
