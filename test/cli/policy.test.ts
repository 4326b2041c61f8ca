import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli-io.ts";
import { tenants, IP } from "../functions/policy/tenants.ts";

const dir = mkdtempSync(join(tmpdir(), "wayfinder-policy-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "snap.json"), JSON.stringify(tenants()));
writeFileSync(join(dir, "open.json"), JSON.stringify(tenants((s) => ({ ...s, policy: { ...s.policy, default: "allow" } }))));

describe("wayfinder policy explain", () => {
  it("answers the verdict and what decided, as JSON with verdict and by", async () => {
    const { code, stdout } = await runCli(["policy", "explain", "snap.json", "--from", "/shop/web", "--to", "/bank/db", "--port", "tcp/5432", "--json"], dir);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: "allow", by: "web-to-db", tier: "admin", mixed: false });
  });

  it("exits 1 for a denied connection and names the tier in text", async () => {
    const { code, stdout } = await runCli(["policy", "explain", "snap.json", "--from", "/shop/web", "--to", "/bank/db", "--port", "tcp/5433"], dir);
    expect(code).toBe(1);
    expect(stdout).toContain("/shop/web → /bank/db tcp/5433: deny by network:blue");
    expect(stdout).toContain(`  ${IP.web1} → ${IP.db}: deny by network:blue (network)`);
  });

  it("takes task ids, agent ids and IPs on either side", async () => {
    const byTask = await runCli(["policy", "explain", "snap.json", "--from", "shop_web.1", "--to", IP.db, "--port", "tcp/5432", "--json"], dir);
    expect(JSON.parse(byTask.stdout)).toMatchObject({ verdict: "allow", by: "web-to-db", pairs: [{ from: IP.web1, to: IP.db }] });
    const byNode = await runCli(["policy", "explain", "snap.json", "--from", "node:a1", "--to", "/shop/web", "--port", "tcp/80", "--json"], dir);
    expect(JSON.parse(byNode.stdout)).toMatchObject({ verdict: "deny", by: "a-deny" });
    const outside = await runCli(["policy", "explain", "snap.json", "--from", "169.254.169.254", "--to", "/shop/web", "--port", "tcp/80", "--json"], dir);
    expect(JSON.parse(outside.stdout)).toMatchObject({ verdict: "deny", by: "a-deny" });
  });

  it.each([
    [["explain", "snap.json", "--from", "/nope", "--to", "/bank/db", "--port", "tcp/1"], "'/nope' is no app id"],
    [["explain", "snap.json", "--from", "/shop/web", "--port", "tcp/1"], "needs --from X and --to Y"],
    [["explain", "snap.json", "--from", "/shop/web", "--to", "/bank/db", "--port", "icmp/1"], "is not PROTO/PORT"],
    [["explain", "snap.json", "--from", "/shop/web", "--to", "/bank/db", "--port", "tcp/70000"], "is not PROTO/PORT"],
    [["explain", "snap.json", "--from", "/shop/web", "--to", "/bank/db"], "needs one --port"],
    [["bogus"], "'explain' or 'matrix'"],
    [["matrix", "snap.json", "--from", "/x"], "takes no --from"],
  ])("is a usage error (exit 2): %j", async (args, message) => {
    const { code, stderr } = await runCli(["policy", ...args], dir);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it("says every connection is open when the config has no policy", async () => {
    const { code, stdout, stderr } = await runCli(["policy", "explain", "--from", "/web", "--to", "/db", "--port", "tcp/5432", "--json"], dir);
    expect(code).toBe(0);
    expect(stderr).toContain("no policy section");
    expect(JSON.parse(stdout)).toMatchObject({ verdict: "allow", by: "no-policy" });
  });
});

describe("wayfinder policy matrix", () => {
  it("prints the truth table of every app against every app on the asked ports", async () => {
    const { code, stdout } = await runCli(["policy", "matrix", "snap.json", "--port", "tcp/5432", "--port", "tcp/80", "--json"], dir);
    expect(code).toBe(0);
    const { cells } = JSON.parse(stdout) as { cells: Array<{ from: string; to: string; protocol: string; port: number; verdict: string; by: string[] }> };
    expect(cells.find((c) => c.from === "/shop/web" && c.to === "/bank/db" && c.port === 5432)).toMatchObject({ verdict: "allow", by: ["web-to-db"] });
    expect(cells.find((c) => c.from === "/shop/api" && c.to === "/shop/web" && c.port === 80)).toMatchObject({ verdict: "deny", by: ["a-deny"] });
    expect(cells.some((c) => c.from === "node:e1")).toBe(true);
  });

  it("asks about the ports the policy names when none is given, as a table", async () => {
    const { code, stdout } = await runCli(["policy", "matrix", "snap.json"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^tcp\/5432$/m);
    expect(stdout).toMatch(/^tcp\/8080$/m);
    expect(stdout).toMatch(/^ {2}\/shop\/web +.*allow/m);
  });

  it("with --previous, prints only what a change opens or closes", async () => {
    const { code, stdout } = await runCli(["policy", "matrix", "open.json", "--previous", "snap.json", "--port", "tcp/9000", "--json"], dir);
    expect(code).toBe(0);
    const { changes } = JSON.parse(stdout) as { changes: Array<{ from: string; to: string; before: string; after: string; by: string[] }> };
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.before === "deny" && c.after === "allow")).toBe(true);
    expect(changes).toContainEqual(expect.objectContaining({ from: "/bank/db", to: "/shop/web", by: ["default"] }));
    const same = await runCli(["policy", "matrix", "snap.json", "--previous", "snap.json", "--port", "tcp/9000"], dir);
    expect(same.stdout).toBe("no connection changes verdict\n");
  });
});

describe("wayfinder render --node with a policy", () => {
  it("writes the node's table under policy/", async () => {
    const { code, stdout } = await runCli(["render", "snap.json", "--out", "out", "--node", "a1"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\+ policy\/a1\.nft$/m);
    expect(readFileSync(join(dir, "out", "policy", "a1.nft"), "utf8")).toContain("table inet wayfinder_policy {");
  });
});
