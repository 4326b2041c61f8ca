/**
 * The policy applier's partial sync on the delta path, for real: `wayfinder serve` holds a
 * cluster whose policy denies by default and allows `/shop/web` → `/shop/api`; `wayfinder agent
 * --apply policy` programs node S1's namespace, where web runs on a bridge, and routes to a
 * namespace standing for an api task on another node (S2). A PATCH starting an api task there
 * changes only set memberships: the agent applies them as element changes (no full sync, by its
 * metrics), after which web reaches the new task; a PATCH stopping it makes it unreachable again.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { freePort, startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { inNs, NetnsLab, startEchoServer } from "./support/netns.ts";
import { waitFor } from "./support/wait.ts";

const BIN = "bin/wayfinder.js";
const WEB = "9.0.0.2";
/** The new api task's address, on S2; another api task (9.0.1.3) keeps the app's set from being empty. */
const API = "9.0.1.4";

const task = (id: string, app: string, agent: string, ip: string) => ({
  id,
  name: id.split(".")[0]!,
  frameworkId: "marathon",
  agentId: agent,
  state: "TASK_RUNNING",
  appId: app,
  container: { type: "MESOS", networkInfos: [{ name: "dcos" }] },
  statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: [ip] }] }],
});

const SNAPSHOT: ClusterSnapshotInput = {
  cluster: { name: "policy-delta" },
  now: "2026-01-01T00:00:00Z",
  agents: [
    { id: "S1", hostname: "s1", ips: ["10.0.0.1"] },
    { id: "S2", hostname: "s2", ips: ["10.0.0.2"] },
  ],
  frameworks: [{ id: "marathon", name: "marathon" }],
  tasks: [task("web.1", "/shop/web", "S1", WEB), task("api.0", "/shop/api", "S2", "9.0.1.3")],
  marathonApps: [{ id: "/shop/web" }, { id: "/shop/api" }],
  config: {
    overlay: { overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] },
    policy: { rules: [{ name: "web-to-api", priority: 10, action: "allow", from: { apps: ["/shop/web"] }, to: { apps: ["/shop/api"] } }], default: "deny" },
  },
};

describeWithTools(["ip", "nft", "sysctl"], { root: true })("the agent applying policy membership changes as element changes (real nftables, delta path)", () => {
  const lab = new NetnsLab();
  let node = "";
  let web = "";
  let dir = "";
  let apiPort = 0;
  let echoPort = 0;
  let generation = 0;
  const servers: ChildProcess[] = [];
  let serve: ServerProcess | undefined;
  let agent: ServerProcess | undefined;

  /** Whether a new TCP connection from web to the api address gets its echo within 1.5 s (a dropped SYN does not). */
  const webReachesApi = () =>
    inNs(web, [
      process.execPath,
      "-e",
      `const s=require("node:net").connect({host:"${API}",port:${echoPort}},()=>s.write("hi"));s.setTimeout(1500,()=>{console.log("timeout");process.exit()});s.on("data",()=>{console.log("answered");process.exit()});s.on("error",e=>{console.log(e.code);process.exit()})`,
    ]).trim() === "answered";

  beforeAll(async () => {
    node = lab.add("node");
    dir = await mkdtemp(join(tmpdir(), "wf-policy-delta-"));
    inNs(node, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    inNs(node, ["ip", "link", "add", "br0", "type", "bridge"]);
    inNs(node, ["ip", "addr", "add", "9.0.0.1/24", "dev", "br0"]);
    inNs(node, ["ip", "link", "set", "br0", "up"]);
    web = lab.add("web");
    lab.link(node, "vweb", web, [], [`${WEB}/24`]);
    inNs(node, ["ip", "link", "set", "vweb", "master", "br0"]);
    inNs(web, ["ip", "route", "add", "default", "via", "9.0.0.1"]);
    // The api task "on S2": routed through the node, so web's connections to it meet the forward hook.
    const api = lab.add("api");
    lab.link(node, "vapi", api, ["9.0.1.1/24"], [`${API}/24`]);
    inNs(api, ["ip", "route", "add", "default", "via", "9.0.1.1"]);
    const echo = await startEchoServer(api, API);
    echoPort = echo.port;
    servers.push(echo.process);
  });
  afterAll(async () => {
    await stopProcess(agent);
    await stopProcess(serve);
    for (const server of servers) server.kill("SIGKILL");
    lab.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  it("opens the new task to web and closes it again after PATCHes, with partial syncs only", async () => {
    apiPort = await freePort();
    serve = startProcess(process.execPath, [BIN, "serve", "--listen", `127.0.0.1:${apiPort}`]);
    const serving = serve;
    await waitFor("serve to listen", () => (serving.output().includes("listening on") ? true : undefined), 30_000, () => serving.output());
    const url = `http://127.0.0.1:${apiPort}/v1/clusters/${SNAPSHOT.cluster.name}`;
    const send = async (method: "PUT" | "PATCH", body: unknown) => {
      const res = await fetch(`${url}/snapshot`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      expect(res.status, await res.clone().text()).toBe(200);
      generation = ((await res.json()) as { generation: number }).generation;
    };
    await send("PUT", SNAPSHOT);

    const stateDir = await mkdtemp(join(dir, "state-"));
    agent = startProcess(process.execPath, [BIN, "agent", "--node", "S1", "--source", url, "--state-dir", stateDir, "--apply", "policy", "--netns", node, "--metrics", "127.0.0.1:0"]);
    const running = agent;
    const metricsUrl = await waitFor("the metrics endpoint", () => /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/.exec(running.output())?.[1], 30_000, () => running.output());
    const metrics = async () => (await fetch(`${metricsUrl}/metrics`)).text();
    const appliedGeneration = async () => Number(/^wayfinder_agent_applied_generation (\d+)$/m.exec(await metrics())?.[1] ?? -1);
    const applied = (wanted: number) => waitFor(`generation ${wanted} applied`, async () => ((await appliedGeneration()) >= wanted ? true : undefined), 30_000, () => running.output());
    await applied(generation);
    expect(running.output()).not.toContain("following its whole view instead");
    // No task holds the address yet: an overlay address nothing programmed is reached by nothing.
    expect(webReachesApi()).toBe(false);
    /** The table without its elements and counts: its sets, chains and rules. */
    const shape = () => inNs(node, ["nft", "list", "table", "inet", "wayfinder_policy"]).replace(/elements = \{[^}]*\}/g, "").replace(/packets \d+ bytes \d+/g, "");
    const before = shape();

    await send("PATCH", { baseGeneration: generation, upsert: { tasks: [task("api.1", "/shop/api", "S2", API)] } });
    await applied(generation);
    expect(webReachesApi()).toBe(true);

    await send("PATCH", { baseGeneration: generation, delete: { tasks: ["api.1"] } });
    await applied(generation);
    expect(webReachesApi()).toBe(false);

    // Both changes were partial: no full sync counted, a partial apply observed, the chains untouched.
    const text = await metrics();
    expect(text).not.toMatch(/^wayfinder_agent_applier_full_syncs_total\{applier="policy"/m);
    expect(text).toMatch(/^wayfinder_agent_applier_duration_seconds_count\{applier="policy",mode="partial"\} [2-9]$/m);
    expect(shape()).toBe(before);
  });
});
