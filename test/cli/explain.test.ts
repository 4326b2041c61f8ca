import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Explanation } from "../../functions/explain/schema.ts";
import { createApp } from "../../lib/http/app.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { run } from "../../lib/cli/commands/explain.ts";
import { runCli } from "../support/cli-io.ts";
import { tenants } from "../functions/policy/tenants.ts";
import { readFileSync } from "node:fs";

const WEB = "web.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002";
const dir = mkdtempSync(join(tmpdir(), "wayfinder-explain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("wayfinder explain (a snapshot file or the demo)", () => {
  it("prints what a task produced, and the same as JSON with --json", async () => {
    const text = await runCli(["explain", "task", WEB]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`task ${WEB} (web) TASK_RUNNING, healthy`);
    expect(text.stdout).toContain("  external: backend web_10000 server slot1 10.0.1.11:31002");
    const json = await runCli(["explain", "task", WEB, "--json"]);
    expect(Explanation.parse(JSON.parse(json.stdout))).toMatchObject({ kind: "task", task: { id: WEB } });
  });

  it("explains a renamed name as the stored name the DNS server answers from", async () => {
    const { code, stdout } = await runCli(["explain", "name", "web.marathon.dclb.thisdcos.global"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^web\.marathon\.l4lb\.thisdcos\.directory {2}\(zone l4lb\.thisdcos\.directory\)\n {2}A +11\.225\.36\.193 .* from vip web\.marathon\n$/);
  });

  it("lists a task's policy decisions per port, by tier and rule, and its quarantine", async () => {
    const file = join(dir, "tenants.json");
    writeFileSync(file, JSON.stringify(tenants()));
    const db = await runCli(["explain", "task", "bank_db.1", file, "--port", "tcp/5432"]);
    expect(db.code).toBe(0);
    expect(db.stdout).toContain("Policy (ports tcp/5432):\n  may reach it:\n    tcp/5432   allow by web-to-db (admin)           from /shop/web\n");
    const rogue = await runCli(["explain", "task", "shop_rogue.1", file]);
    expect(rogue.stdout).toMatch(/Policy \(ports [^)]*\):\n {2}quarantined: network blue refused by ACL entry policy\.networks\.blue\.attach\[1\]\n/);
    expect(rogue.stdout).toContain("deny by quarantine (quarantine)");
    const open = await runCli(["explain", "task", WEB]);
    expect(open.stdout).toContain("Policy: none configured, every connection is open");
    const bad = await runCli(["explain", "task", "bank_db.1", file, "--port", "5432"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--port: '5432' is not PROTO/PORT");
  });

  it("reads a snapshot file given after the query", async () => {
    const file = join(dir, "snap.json");
    writeFileSync(file, readFileSync("state-fixtures/demo/snapshot.json"));
    const { code, stdout } = await runCli(["explain", "app", "/web", file, "--limit", "1"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Tasks (first 1 of 2):");
  });

  it("exits 1 with the closest matches when nothing matches", async () => {
    const { code, stdout } = await runCli(["explain", "vip", "web.marthon"]);
    expect(code).toBe(1);
    expect(stdout).toBe("not found: no VIP matches 'web.marthon' (give IP:PORT, [IPv6]:PORT or a VIP name such as web.marathon, optionally with /tcp or /udp)\ndid you mean:\n  web.marathon\n");
  });

  it.each([
    [["explain"], /the first argument must be one of name, vip, task, app \(got nothing\)/],
    [["explain", "pod", "x"], /one of name, vip, task, app \(got 'pod'\)/],
    [["explain", "task"], /give the task to explain/],
    [["explain", "task", "x", "a.json", "b.json"], /unexpected argument 'b.json'/],
    [["explain", "task", "x", "--limit", "1.5"], /--limit must be a whole number from 0 to 1000 \(got '1.5'\)/],
    [["explain", "task", "x", "--jsn"], /unknown flag '--jsn' \(did you mean --json\?\)/],
    [["explain", "task", "x", "--source", "http://cp:8080/v1/desired"], /is not a cluster URL/],
    [["explain", "task", "x", "a.json", "--source", "http://cp:8080/v1/clusters/p"], /not both/],
    [["explain", "task", "x", "/nonexistent.json"], /cannot read \/nonexistent.json/],
  ])("refuses %j with exit 2", async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});

describe("wayfinder explain --source (the control plane)", () => {
  let server: NodeServer;
  let cluster = "";
  const io = () => {
    let stdout = "";
    return { io: { stdout: (t: string) => void (stdout += t), stderr: () => {}, cwd: process.cwd() }, out: () => stdout };
  };

  beforeAll(async () => {
    server = await listenNode(createApp({ token: "s3cret", store: new MemorySnapshotStore() }), { host: "127.0.0.1", port: 0 });
    cluster = `${server.url}/v1/clusters/demo`;
    const res = await fetch(`${cluster}/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: "Bearer s3cret" }, body: readFileSync("state-fixtures/demo/snapshot.json") });
    expect(res.status).toBe(200);
  });
  afterAll(() => server.close());

  it("asks the stored generation, app ids with their slashes", async () => {
    const { io: cli, out } = io();
    expect(await run(["app", "/backend/api", "--source", cluster], cli, { WAYFINDER_TOKEN: "s3cret" })).toBe(0);
    expect(out()).toMatch(/^app \/backend\/api {2}3 tasks/);
  });

  it("prints the server's closest matches and exits 1", async () => {
    const { io: cli, out } = io();
    expect(await run(["task", "wbe.0f1e2d3c-aaaa-11ef-9c1b-0242ac110002", "--source", cluster, "--json"], cli, { WAYFINDER_TOKEN: "s3cret" })).toBe(1);
    expect(JSON.parse(out())).toMatchObject({ kind: "not-found", closest: [WEB, "web.1a2b3c4d-aaaa-11ef-9c1b-0242ac110002"] });
  });

  it("is a usage error naming the answer when the token is wrong", async () => {
    const { io: cli } = io();
    await expect(run(["task", WEB, "--source", cluster], cli, { WAYFINDER_TOKEN: "wrong" })).rejects.toThrow(/HTTP 401: invalid bearer token/);
  });
});
