import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../lib/cli/commands/agent.ts";
import { runCli } from "../support/cli-io.ts";
import type { CliIo } from "../../lib/cli/io.ts";
import { startFakeMarathon, startFakeMaster, type FakeServer } from "../support/fake-cluster.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "wf-agent-cli-"));
  await writeFile(join(dir, "snapshot.json"), JSON.stringify(SNAPSHOT_INPUT));
  await writeFile(join(dir, "bad.yaml"), "dns:\n  tll: 5\n");
  return dir;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("wayfinder agent", () => {
  it.each([
    [[], "--node ID is required"],
    [["--node", "S1"], "give --source URL|FILE, or the live cluster"],
    [["--node", "S1", "--source", "s.json", "--mesos", "http://127.0.0.1:1"], "either --source or --mesos/--operator/--marathon"],
    [["--node", "S1", "--source", "s.json", "--apply", "dns,bogus"], "unknown applier 'bogus' (known: overlay, cni, policy, l4lb, files, haproxy, dns)"],
    [["--node", "S1", "--source", "s.json", "--apply", ","], "--apply: name at least one applier"],
    [["--node", "S1", "--source", "s.json", "--l4-backend", "iptables"], "--l4-backend must be one of auto, nftables, ipvs, not 'iptables'"],
    [["--node", "S1", "--source", "s.json", "--metrics", "localhost"], "listen address must be HOST:PORT"],
    [["--node", "S1", "--source", "http://127.0.0.1:1/"], "is not a wayfinder URL"],
    [["--node", "S1", "--mesos", "ftp://m1"], "--mesos: 'ftp://m1' must be http:// or https://"],
    [["--node", "S1", "--source", "s.json", "--timeout", "soon"], "--timeout: 'soon' is not a number of seconds"],
    [["--node", "S1", "--mesos", "http://127.0.0.1:1", "--config", "bad.yaml"], "bad.yaml: dns.tll: unknown key 'tll' (line 2)"],
  ])("usage error (exit 2) for %j", async (args, message) => {
    const dir = await setup();
    const { code, stderr } = await runCli(["agent", "--state-dir", dir, ...args], dir);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it("--dry-run prints each applier's adds, changes and deletes and touches nothing", async () => {
    const dir = await setup();
    const state = join(dir, "state");
    const { code, stdout } = await runCli(["agent", "--node", "S1", "--source", "snapshot.json", "--state-dir", state, "--apply", "files", "--dry-run"], dir);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^desired [0-9a-f]{16} \(node S1\): dry run, nothing is changed\nfiles: \d+ to add, 0 to change, 0 to delete\n {2}\+ desired\.json\n/);
    expect((await readdir(dir)).sort()).toEqual(["bad.yaml", "snapshot.json"]);
  });

  it("--once applies, remembers, and a second --once changes nothing; an invalid source exits 1 and keeps the files", async () => {
    const dir = await setup();
    const args = ["agent", "--node", "S1", "--source", "snapshot.json", "--state-dir", "state", "--apply", "files", "--once"];
    expect((await runCli(args, dir)).code).toBe(0);
    const zone = await readFile(join(dir, "state/files/dns/mesos.zone"), "utf8");
    const second = await runCli(args, dir);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('"msg":"resuming from the remembered desired state"');
    expect(second.stderr).not.toContain("desired state applied");
    await writeFile(join(dir, "snapshot.json"), JSON.stringify({ ...SNAPSHOT_INPUT, agents: "none" }));
    const bad = await runCli(args, dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("snapshot.json: neither a DesiredState nor a valid ClusterSnapshot: agents:");
    expect(await readFile(join(dir, "state/files/dns/mesos.zone"), "utf8")).toBe(zone);
  });

  it("follows the live cluster: a Marathon event brings the new task's record to the node, and a stop leaves it in place", async () => {
    const master = await startFakeMaster();
    const marathon = await startFakeMarathon();
    servers.push(master, marathon);
    const node = "20140803-194712-3041283216-5050-2116-3";
    const dir = await setup();
    let stderr = "";
    const io: CliIo = { stdout: () => {}, stderr: (t) => void (stderr += t), cwd: dir };
    let stop!: (reason: string) => void;
    const stopSignal = new Promise<string>((resolve) => (stop = resolve));
    const exit = run(["--node", node, "--mesos", master.url, "--marathon", marathon.url, "--state-dir", "state", "--apply", "files", "--resync-interval", "0"], io, { stopSignal, tty: { isTTY: false, write: () => {} } });
    const zonePath = join(dir, "state/files/dns/mesos.zone");
    await until(async () => (await readFile(zonePath, "utf8").catch(() => "")).includes("toy-store"));
    await until(() => marathon.streams === 1);

    const frameworks = master.state.frameworks as { name: string; tasks: Record<string, unknown>[] }[];
    master.state = {
      ...master.state,
      frameworks: frameworks.map((f) => (f.name === "marathon" ? { ...f, tasks: [...f.tasks, { ...f.tasks.find((t) => t.state === "TASK_RUNNING")!, id: "fresh.1", name: "fresh", discovery: undefined }] } : f)),
    };
    marathon.emit("status_update_event", { taskId: "fresh.1", taskStatus: "TASK_RUNNING" });
    await until(async () => (await readFile(zonePath, "utf8")).includes("fresh.marathon")).catch((e) => {
      throw new Error(`${(e as Error).message}\n${stderr}`);
    });
    stop("test");
    expect(await exit).toBe(0);
    expect(stderr).toContain('"msg":"wayfinder agent stopped"');
    expect(await readFile(zonePath, "utf8")).toContain("fresh.marathon");
  });
});
