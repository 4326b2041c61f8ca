/**
 * `wayfinder render --node ID` writes the node's policy table under `policy/`, and the real
 * `nft -c -f` accepts it in a fresh network namespace (a node that never had a table), for the
 * policy tests' tenants and for the demo cluster with a policy on both families and logging.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithTools } from "../support/tools.ts";
import { runCli } from "../support/cli-io.ts";
import { tenants } from "../functions/policy/tenants.ts";
import { NetnsLab, inNs } from "./support/netns.ts";

describeWithTools(["ip", "nft"], { root: true })("policy tables render for nft on a fresh node", () => {
  const dir = mkdtempSync(join(tmpdir(), "wayfinder-policy-render-"));
  const lab = new NetnsLab();
  let fresh = "";

  beforeAll(() => {
    fresh = lab.add("n");
    writeFileSync(join(dir, "tenants.json"), JSON.stringify(tenants((s) => ({ ...s, policy: { ...s.policy, logDrops: true } }))));
    const demo = JSON.parse(readFileSync("state-fixtures/demo/snapshot.json", "utf8"));
    demo.config.policy = {
      networks: { dcos: { isolation: "isolated", allowFrom: ["edge"] }, dcos6: { isolation: "isolated" } },
      rules: [
        { name: "no-metadata", priority: 1, action: "deny", to: { ipBlocks: [{ cidr: "169.254.169.254/32" }, { cidr: "fd00:ec2::254/128" }] }, log: true },
        { name: "web-to-db", priority: 10, action: "allow", from: { apps: ["/web"] }, to: { apps: ["/db"] }, ports: [{ protocol: "tcp", port: 5432 }, { protocol: "udp", port: 5000, endPort: 5100 }] },
        { name: "office", priority: 20, action: "pass", from: { ipBlocks: [{ cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] }] } },
      ],
      default: "deny",
      logDrops: true,
    };
    writeFileSync(join(dir, "demo.json"), JSON.stringify(demo));
  });
  afterAll(() => {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["tenants.json", "a1"],
    ["tenants.json", "e1"],
    ["demo.json", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S2"],
    ["demo.json", "7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S3"],
  ])("%s, node %s", async (snapshot, node) => {
    const out = `out-${snapshot}-${node}`;
    const { code, stdout } = await runCli(["render", snapshot, "--out", out, "--node", node], dir);
    expect(code).toBe(0);
    expect(stdout).toContain(`+ policy/${node}.nft`);
    const file = join(dir, out, "policy", `${node}.nft`);
    expect(inNs(fresh, ["nft", "list", "tables"])).toBe("");
    // `nft -c` checks against the kernel without committing: the node stays fresh.
    inNs(fresh, ["nft", "-c", "-f", file]);
    expect(inNs(fresh, ["nft", "list", "tables"])).toBe("");
  });
});
