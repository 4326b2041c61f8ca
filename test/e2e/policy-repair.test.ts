/**
 * A policy table someone else flushes or deletes, for real: `wayfinder agent --apply policy`
 * programs a node namespace whose bridge joins three containers (web, db, api), with an admin
 * rule denying web → db and everything else allowed. After `nft flush table`, `nft delete
 * table` or `nft flush ruleset` (which leave the node open), the agent must find the damage at
 * its next periodic resync, with the desired state unchanged, log it as an error, count it,
 * and put the whole table back: web → db refused again, web → api still answered. On both of
 * the agent's paths: a snapshot file (the whole-state syncer) and `wayfinder serve`'s watch
 * stream (the delta path).
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { freePort, startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { inNs, NetnsLab, startEchoServer } from "./support/netns.ts";
import { waitFor } from "./support/wait.ts";

const BIN = "bin/wayfinder.js";
const CONTAINERS = { web: { app: "/shop/web", ip: "9.0.0.2" }, db: { app: "/bank/db", ip: "9.0.0.3" }, api: { app: "/shop/api", ip: "9.0.0.4" } } as const;
type Container = keyof typeof CONTAINERS;

const SNAPSHOT: ClusterSnapshotInput = {
  cluster: { name: "policy-repair" },
  now: "2026-01-01T00:00:00Z",
  agents: [{ id: "S1", hostname: "s1", ips: ["10.0.0.1"] }],
  frameworks: [{ id: "marathon", name: "marathon" }],
  tasks: Object.entries(CONTAINERS).map(([name, c]) => ({
    id: `${name}.1`,
    name,
    frameworkId: "marathon",
    agentId: "S1",
    state: "TASK_RUNNING",
    appId: c.app,
    container: { type: "MESOS", networkInfos: [{ name: "dcos" }] },
    statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: [c.ip] }] }],
  })),
  marathonApps: Object.values(CONTAINERS).map((c) => ({ id: c.app })),
  config: {
    overlay: { overlays: [{ name: "dcos", subnet: "9.0.0.0/8", prefix: 24 }] },
    policy: { rules: [{ name: "no-web-to-db", priority: 10, action: "deny", from: { apps: ["/shop/web"] }, to: { apps: ["/bank/db"] } }], default: "allow" },
  },
};

const FAULTS = [
  { path: "whole-state", fault: ["flush", "table", "inet", "wayfinder_policy"], found: "was flushed (its rules are gone)" },
  { path: "whole-state", fault: ["delete", "table", "inet", "wayfinder_policy"], found: "is missing" },
  { path: "delta", fault: ["flush", "table", "inet", "wayfinder_policy"], found: "was flushed (its rules are gone)" },
  { path: "delta", fault: ["flush", "ruleset"], found: "is missing" },
] as const;

describeWithTools(["ip", "nft", "sysctl"], { root: true })("the agent repairing a policy table flushed or deleted behind its back (real nftables)", () => {
  const lab = new NetnsLab();
  let node = "";
  let dir = "";
  const containers = new Map<Container, string>();
  const ports = new Map<Container, number>();
  const servers: ChildProcess[] = [];
  let serve: ServerProcess | undefined;
  let agent: ServerProcess | undefined;
  let apiPort = 0;

  /** Whether a new TCP connection from `from` to `to` gets its echo within 1.5 s (a dropped SYN does not). */
  const answered = (from: Container, to: Container) =>
    inNs(containers.get(from)!, [
      process.execPath,
      "-e",
      `const s=require("node:net").connect({host:"${CONTAINERS[to].ip}",port:${ports.get(to)}},()=>s.write("hi"));s.setTimeout(1500,()=>{console.log("timeout");process.exit()});s.on("data",()=>{console.log("answered");process.exit()});s.on("error",e=>{console.log(e.code);process.exit()})`,
    ]).trim() === "answered";

  beforeAll(async () => {
    node = lab.add("node");
    dir = await mkdtemp(join(tmpdir(), "wf-policy-repair-"));
    // One bridge on the node, every container on it: same-bridge traffic, judged through br_netfilter.
    inNs(node, ["ip", "link", "add", "br0", "type", "bridge"]);
    inNs(node, ["ip", "addr", "add", "9.0.0.1/24", "dev", "br0"]);
    inNs(node, ["ip", "link", "set", "br0", "up"]);
    for (const name of Object.keys(CONTAINERS) as Container[]) {
      const ns = lab.add(name);
      lab.link(node, `v${name}`, ns, [], [`${CONTAINERS[name].ip}/24`]);
      inNs(node, ["ip", "link", "set", `v${name}`, "master", "br0"]);
      containers.set(name, ns);
      const server = await startEchoServer(ns, CONTAINERS[name].ip);
      ports.set(name, server.port);
      servers.push(server.process);
    }
    await writeFile(join(dir, "snapshot.json.new"), JSON.stringify(SNAPSHOT));
    await rename(join(dir, "snapshot.json.new"), join(dir, "snapshot.json"));
  });
  afterEach(async () => {
    await stopProcess(agent);
    await stopProcess(serve);
    agent = serve = undefined;
  });
  afterAll(async () => {
    for (const server of servers) server.kill("SIGKILL");
    lab.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  /** The source the agent follows on `path`: the snapshot file, or a `wayfinder serve` holding it. */
  async function source(path: "whole-state" | "delta"): Promise<string> {
    if (path === "whole-state") return join(dir, "snapshot.json");
    apiPort = await freePort();
    serve = startProcess(process.execPath, [BIN, "serve", "--listen", `127.0.0.1:${apiPort}`]);
    const running = serve;
    await waitFor("serve to listen", () => (running.output().includes("listening on") ? true : undefined), 30_000, () => running.output());
    const url = `http://127.0.0.1:${apiPort}/v1/clusters/${SNAPSHOT.cluster.name}`;
    const res = await fetch(`${url}/snapshot`, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(SNAPSHOT) });
    expect(res.status, await res.clone().text()).toBe(200);
    return url;
  }

  it.each(FAULTS.map((f) => ({ ...f, command: `nft ${f.fault.slice(0, 2).join(" ")}` })))("$path path: after `$command`, reinstalls the table within one resync; the denied connection is refused again, the allowed one passes", async ({ path, fault, found }) => {
    const from = await source(path);
    const stateDir = await mkdtemp(join(dir, "state-"));
    agent = startProcess(process.execPath, [BIN, "agent", "--node", "S1", "--source", from, "--state-dir", stateDir, "--apply", "policy", "--netns", node, "--metrics", "127.0.0.1:0", "--resync-interval", "1"]);
    const running = agent;
    const metricsUrl = await waitFor("the metrics endpoint", () => /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/.exec(running.output())?.[1], 30_000, () => running.output());
    const metrics = async () => (await fetch(`${metricsUrl}/metrics`)).text();
    await waitFor("the policy applied", async () => (/^wayfinder_agent_applier_changes_total\{applier="policy",op="(add|change)"\} 1$/m.test(await metrics()) ? true : undefined), 30_000, () => running.output());
    expect(path === "delta" ? running.output() : "").not.toContain("following its whole view instead");
    expect(answered("web", "api")).toBe(true);
    expect(answered("web", "db")).toBe(false);

    // No check that web → db answers now: the next resync may already be repairing it. The
    // error the agent logs is the evidence that the damage was real, and found.
    inNs(node, ["nft", ...fault]);
    const repaired = new RegExp(`"level":"error","msg":"found the node damaged","applier":"policy","problem":"table inet wayfinder_policy ${found.replace(/[()]/g, "\\$&")}, behind the agent's back","repaired":true`);
    // Within one resync (1 s ± 10%) and its full sync.
    await waitFor("the repair", () => (repaired.test(running.output()) ? true : undefined), 10_000, () => running.output());
    expect(inNs(node, ["nft", "list", "chain", "inet", "wayfinder_policy", "forward"])).toContain("meta nfproto vmap");
    expect(answered("web", "db")).toBe(false);
    expect(answered("web", "api")).toBe(true);
    expect(await metrics()).toMatch(/^wayfinder_agent_applier_repairs_total\{applier="policy"\} 1$/m);
  });
});
