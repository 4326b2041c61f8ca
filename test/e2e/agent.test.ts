/**
 * `wayfinder agent` as an operator runs it: real processes for the control plane
 * (`wayfinder serve --store`) and the agent, real sockets on loopback, signals. What must hold:
 * a stored change reaches the node through the watch stream; the node keeps its state when the
 * control plane dies, and when the agent restarts with the control plane still down it resumes
 * from its persisted view without touching a file (dcos/dcos#6267); SIGTERM exits 0 and leaves
 * everything in place.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { describeWithTools } from "../support/tools.ts";
import { maxconnProblem } from "../../lib/executor/haproxy/node-fit.ts";
import { AGENT_COMMAND } from "../../lib/cli/commands/agent-options.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { inNs, NetnsLab, waitForLine } from "./support/netns.ts";
import { environmentFile, execStartArgv } from "./support/systemd-unit.ts";
import { waitFor } from "./support/wait.ts";

const BIN = "bin/wayfinder.js";

const urlIn = (server: ServerProcess, pattern: RegExp) => () => pattern.exec(server.output())?.[1];

describe("wayfinder agent against wayfinder serve (real processes)", () => {
  let dir = "";
  let serve: ServerProcess | undefined;
  let agent: ServerProcess | undefined;
  let api = "";
  let metrics = "";
  const zone = () => join(dir, "state/files/dns/mesos.zone");

  const startServe = async () => {
    serve = startProcess(process.execPath, [BIN, "serve", "--listen", "127.0.0.1:0", "--store", join(dir, "store")], { WAYFINDER_TOKEN: "tok" });
    api = await waitFor("serve to listen", urlIn(serve, /listening on (http:\/\/127\.0\.0\.1:\d+)/), 15_000, () => serve!.output());
  };
  const startAgent = () => {
    agent = startProcess(
      process.execPath,
      [BIN, "agent", "--node", "S1", "--source", `${api}/v1/clusters/test`, "--state-dir", join(dir, "state"), "--apply", "files", "--metrics", "127.0.0.1:0", "--resync-interval", "0", "--timeout", "2"],
      { WAYFINDER_TOKEN: "tok" },
    );
    return agent;
  };
  const put = async (body: unknown) => {
    const res = await fetch(`${api}/v1/clusters/test/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json", Authorization: "Bearer tok" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-agent-e2e-"));
    await startServe();
    await put(SNAPSHOT_INPUT);
  });

  afterAll(async () => {
    await stopProcess(agent);
    await stopProcess(serve);
  });

  it("applies the node's view, serves metrics and health, and applies a stored change within a second", async () => {
    const running = startAgent();
    metrics = await waitFor("the metrics endpoint", urlIn(running, /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/), 15_000, () => running.output());
    await waitFor("the zone file", async () => ((await readFile(zone(), "utf8").catch(() => "")).includes("web.marathon.mesos") ? true : undefined), 15_000, () => running.output());
    await waitFor("health", async () => ((await fetch(`${metrics}/healthz`)).status === 200 ? true : undefined));
    const text = await (await fetch(`${metrics}/metrics`)).text();
    expect(text).toMatch(/^wayfinder_agent_last_sync_timestamp_seconds \d/m);
    expect(text).toMatch(/^wayfinder_agent_applier_changes_total\{applier="files",op="add"\} [1-9]\d*$/m);

    const started = Date.now();
    await put({ ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, { ...SNAPSHOT_INPUT.tasks[0], id: "api.1", name: "api" }] });
    await waitFor("the new task's record", async () => ((await readFile(zone(), "utf8")).includes("api.marathon.mesos") ? true : undefined), 5000, () => running.output());
    expect(Date.now() - started).toBeLessThan(1000);
    // The file lands before the agent records the sync as done: wait for its own account.
    await waitFor("health after the change", async () => ((await fetch(`${metrics}/healthz`)).status === 200 ? true : undefined));
  });

  it("keeps the node's state when the control plane dies, reports it, and resumes on restart without touching a file", async () => {
    const before = await stat(zone());
    await stopProcess(serve, 0);
    await waitFor("a source error", async () => {
      const text = await (await fetch(`${metrics}/metrics`)).text();
      return /^wayfinder_agent_source_errors_total\{kind="fetch"\} [1-9]/m.test(text) ? true : undefined;
    });
    const health = await fetch(`${metrics}/healthz`);
    expect(health.status, await health.clone().text()).toBe(200);

    expect(await stopProcess(agent)).toBe(0);
    expect(agent!.output()).toContain('"msg":"wayfinder agent stopped"');
    const restarted = startAgent();
    await waitFor("the resume", () => (restarted.output().includes("resuming from the persisted view") ? true : undefined), 15_000, () => restarted.output());
    await waitFor("the first failed connection", () => (restarted.output().includes("cannot follow the watch stream") ? true : undefined), 15_000, () => restarted.output());
    const after = await stat(zone());
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(restarted.output()).not.toContain("view applied");

    // The control plane comes back with the snapshot it stored on disk; the agent picks it up unchanged.
    await startServe();
    const stored = await fetch(`${api}/v1/clusters/test/snapshot`, { headers: { Authorization: "Bearer tok" } });
    expect(stored.headers.get("x-wayfinder-generation")).toBe("2");
    expect(await stopProcess(restarted)).toBe(0);
    expect((await stat(zone())).mtimeMs).toBe(before.mtimeMs);
  });
});

describeWithTools(["systemd-analyze"])("deploy/wayfinder-agent.service", () => {
  it("passes systemd-analyze verify without a warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wf-unit-"));
    const unit = (await readFile("deploy/wayfinder-agent.service", "utf8"))
      .replace("/usr/local/bin/wayfinder", resolve(BIN))
      .replace("EnvironmentFile=/etc/wayfinder/agent.env", `EnvironmentFile=${resolve("deploy/agent.env.example")}`);
    await writeFile(join(dir, "wayfinder-agent.service"), unit);
    const output = execFileSync("systemd-analyze", ["verify", join(dir, "wayfinder-agent.service")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(output).toBe("");
  });

  it("gives HAProxy the open files marathon-lb's maxconn 50000 needs", async () => {
    const unit = await readFile("deploy/wayfinder-agent.service", "utf8");
    const limit = Number(/^LimitNOFILE=(\d+)$/m.exec(unit)?.[1]);
    expect(maxconnProblem("global\n  maxconn 50000\n", limit)).toBeUndefined();
  });

  it("starts the agent with flags it knows, and the example settings give a working dry run", async () => {
    const unit = "deploy/wayfinder-agent.service";
    const flags = execStartArgv(unit, {}).filter((w) => w.startsWith("--")).map((w) => w.slice(2));
    expect(flags.filter((f) => !(f in AGENT_COMMAND.flags))).toEqual([]);
    const dir = await mkdtemp(join(tmpdir(), "wf-unit-"));
    await writeFile(join(dir, "snapshot.json"), await readFile("state-fixtures/demo/snapshot.json", "utf8"));
    // The example's source is a remote control plane; a dry run reads the demo file instead.
    const vars: Record<string, string> = { ...environmentFile("deploy/agent.env.example"), WAYFINDER_SOURCE: join(dir, "snapshot.json"), STATE_DIRECTORY: join(dir, "state") };
    const args = execStartArgv(unit, vars).slice(1);
    const out = execFileSync(process.execPath, [BIN, ...args, "--dry-run"], { encoding: "utf8" });
    expect(out).toMatch(/\(node 7c1f2a58-3b0e-4d7e-9a51-0c6e5f1d2a10-S1\): dry run, nothing is changed\nfiles: \d+ to add/);
  });
});

describeWithTools(["ip", "nft"], { root: true })("wayfinder agent programming VIPs in a namespace (real nftables)", () => {
  const lab = new NetnsLab();
  let ns = "";
  let dir = "";
  const vipTask = {
    id: "api.1",
    name: "api",
    frameworkId: "F1",
    agentId: "S1",
    state: "TASK_RUNNING",
    discovery: { name: "api", ports: [{ number: 8080, protocol: "tcp", name: "http", labels: [{ key: "VIP_0", value: "/api:80" }] }] },
    statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: ["10.77.0.1"] }] }],
  };
  const agentArgs = () => [BIN, "agent", "--node", "S1", "--source", join(dir, "snapshot.json"), "--state-dir", join(dir, "state"), "--apply", "l4lb,files", "--netns", ns, "--l4-backend", "nftables"];
  /** A connection to the VIP from inside the namespace: the backend's greeting, or the error. */
  const connect = (ip: string) =>
    inNs(ns, [process.execPath, "-e", `const s=require("node:net").connect({host:"${ip}",port:80});s.setTimeout(2000,()=>{console.log("timeout");process.exit()});s.on("data",d=>{console.log(String(d));process.exit()});s.on("error",e=>{console.log(e.code);process.exit()})`]).trim();

  beforeAll(async () => {
    ns = lab.add("agent");
    dir = await mkdtemp(join(tmpdir(), "wf-agent-vip-"));
    inNs(ns, ["ip", "addr", "add", "10.77.0.1/32", "dev", "lo"]);
    const backend = lab.spawn(ns, [process.execPath, "-e", 'require("node:net").createServer((s) => s.end("hello from api")).listen(8080, "10.77.0.1", () => console.log("ready"))']);
    await waitForLine(backend, /ready/);
    await writeFile(join(dir, "snapshot.json"), JSON.stringify({ ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, vipTask] }));
  });
  // Stopped here too, so a failed assertion never leaves the daemon running.
  let daemon: ReturnType<typeof startProcess> | undefined;
  afterAll(async () => {
    await stopProcess(daemon);
    lab.teardown();
  });

  it("makes the VIP carry connections, resumes to the same rules, and leaves them in place on SIGTERM", async () => {
    const dryRun = execFileSync(process.execPath, [...agentArgs(), "--dry-run"], { encoding: "utf8" });
    expect(dryRun).toMatch(/^l4lb: \d+ to add/m);
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe("");

    execFileSync(process.execPath, [...agentArgs(), "--once"], { encoding: "utf8" });
    const state = JSON.parse(await readFile(join(dir, "state/agent/state.json"), "utf8")) as { desired: { l4lb: { services: { name?: string; vip: { ip: string } }[] } } };
    const vip = state.desired.l4lb.services.find((s) => s.name === "api.marathon")!.vip.ip;
    expect(connect(vip)).toBe("hello from api");
    // With handles: a table replaced by the same rules would list new ones.
    const ruleset = inNs(ns, ["nft", "-a", "list", "ruleset"]);

    // A restarted agent resumes the same state: the VIP applier, which keeps no record across
    // processes, reads its tables back from the kernel and finds them as wanted, so it writes
    // nothing, and the files are left alone.
    daemon = startProcess(process.execPath, [...agentArgs(), "--metrics", "127.0.0.1:0"]);
    const running = daemon;
    const metrics = await waitFor("the metrics endpoint", urlIn(running, /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/), 15_000, () => running.output());
    const text = await waitFor("the resumed sync", async () => {
      const body = await (await fetch(`${metrics}/metrics`)).text();
      return /^wayfinder_agent_syncs_total\{result="unchanged"\} [1-9]/m.test(body) ? body : undefined;
    }, 15_000, () => running.output());
    expect(text).not.toMatch(/^wayfinder_agent_applier_changes_total\{applier="l4lb",op="\w+"\} [1-9]/m);
    expect(running.output()).toContain("resuming from the remembered desired state");
    expect(await stopProcess(daemon)).toBe(0);
    expect(inNs(ns, ["nft", "-a", "list", "ruleset"])).toBe(ruleset);
    expect(connect(vip)).toBe("hello from api");
  });
});
