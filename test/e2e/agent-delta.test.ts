/**
 * The delta path end to end, real processes only: `wayfinder serve` takes 1,000 PATCHes (tasks
 * replaced, an app scaled up and down, a VIP label moved), an agent follows the node's watch
 * stream and programs DNS (through `wayfinder dns --zones`) and nftables in a network namespace.
 * It must end on the hash of a full recompute of the final snapshot, with `dig` answering the
 * last change's name and the VIP reaching its backend. Then the faults a node survives: the
 * control plane restarted with an empty log (the agent relists once, and the node is not
 * touched), the agent's persisted view truncated (named, relisted, nothing flushed), and the
 * DNS server killed (it answers the last good zones at once).
 */
import { readdir, readFile, truncate, stat } from "node:fs/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveObjects } from "../../functions/keyed/derive.ts";
import { previousFromDocument } from "../../lib/snapshot/previous.ts";
import { ClusterSnapshot, type ClusterSnapshotInput } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { dig } from "./dns-process.ts";
import { freePort, startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { inNs, NetnsLab, waitForLine } from "./support/netns.ts";
import { waitFor } from "./support/wait.ts";

const BIN = "bin/wayfinder.js";
const CHANGES = 1000;
const BACKEND_IP = "10.77.0.1";

type Task = NonNullable<ClusterSnapshotInput["tasks"]>[number];

const task = (id: string, name: string, ip: string, labels: Array<{ key: string; value: string }> = []): Task => ({
  id,
  name,
  frameworkId: "F1",
  agentId: id.endsWith("b") ? "S2" : "S1",
  state: "TASK_RUNNING",
  discovery: { name, ports: [{ number: 8080, protocol: "tcp", name: "http", labels }] },
  statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: [ip] }] }],
});
const apiTask = (port: number) => task("api.1", "api", BACKEND_IP, [{ key: "VIP_0", value: `/api:${port}` }]);

const INITIAL: ClusterSnapshotInput = {
  ...SNAPSHOT_INPUT,
  tasks: [apiTask(80), ...Array.from({ length: 20 }, (_, i) => task(`web.${i}${i % 2 === 0 ? "a" : "b"}`, "web", `10.88.0.${i + 1}`))],
};

describeWithTools(["ip", "nft", "dig"], { root: true })("the agent on the delta path, end to end", () => {
  const lab = new NetnsLab();
  let ns = "";
  let dir = "";
  let apiPort = 0;
  let dnsPort = 0;
  let serve: ServerProcess | undefined;
  let agent: ServerProcess | undefined;
  let dns: ServerProcess | undefined;
  let metrics = "";
  let generation = 0;
  let lastName = "";
  const api = () => `http://127.0.0.1:${apiPort}/v1/clusters/test`;

  const startServe = async (store: boolean) => {
    serve = startProcess(process.execPath, [BIN, "serve", "--listen", `127.0.0.1:${apiPort}`, ...(store ? ["--store", join(dir, "store")] : [])]);
    await waitFor("serve to listen", () => (serve!.output().includes("listening on") ? true : undefined), 30_000, () => serve!.output());
  };
  const startAgent = async () => {
    agent = startProcess(process.execPath, [
      BIN, "agent", "--node", "S1", "--source", api(), "--state-dir", join(dir, "state"), "--apply", "l4lb,dns",
      "--netns", ns, "--l4-backend", "nftables", "--metrics", "127.0.0.1:0", "--resync-interval", "0",
    ]);
    const running = agent;
    metrics = await waitFor("the metrics endpoint", () => /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/.exec(running.output())?.[1], 30_000, () => running.output());
  };
  const startDns = async () => {
    dns = startProcess(process.execPath, [BIN, "dns", "--zones", join(dir, "state/dns"), "--listen", `127.0.0.1:${dnsPort}`]);
    const running = dns;
    await waitFor("wayfinder dns to listen", () => (running.output().includes("listening on") ? true : undefined), 30_000, () => running.output());
  };
  const send = async (method: "PUT" | "PATCH", body: unknown) => {
    const res = await fetch(`${api()}/snapshot`, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    generation = ((await res.json()) as { generation: number }).generation;
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`${metrics}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, "gm"))].map((m) => ({ labels: m[1] ?? "", value: Number(m[2]) }));
  };
  const applied = async () => (await metric("wayfinder_agent_applied_generation"))[0]?.value;
  const health = async () => (await (await fetch(`${metrics}/healthz`)).json()) as { appliedHash: string | null; healthy: boolean };
  /** A connection to the VIP from inside the namespace: the backend's greeting, or the error. */
  const connect = (ip: string, port: number) =>
    inNs(ns, [process.execPath, "-e", `const s=require("node:net").connect({host:"${ip}",port:${port}});s.setTimeout(2000,()=>{console.log("timeout");process.exit()});s.on("data",d=>{console.log(String(d));process.exit()});s.on("error",e=>{console.log(e.code);process.exit()})`]).trim();
  const vipOf = async (name: string) => (await dig(dnsPort, [name, "A"])).answers[0]?.data;

  beforeAll(async () => {
    ns = lab.add("agent");
    dir = await mkdtemp(join(tmpdir(), "wf-delta-e2e-"));
    inNs(ns, ["ip", "addr", "add", `${BACKEND_IP}/32`, "dev", "lo"]);
    const backend = lab.spawn(ns, [process.execPath, "-e", `require("node:net").createServer((s) => s.end("hello from api")).listen(8080, "${BACKEND_IP}", () => console.log("ready"))`]);
    await waitForLine(backend, /ready/);
    [apiPort, dnsPort] = [await freePort(), await freePort()];
    await startServe(true);
    await send("PUT", INITIAL);
    await startAgent();
    await startDns();
  });

  afterAll(async () => {
    await stopProcess(agent);
    await stopProcess(dns);
    await stopProcess(serve);
    lab.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  it(`follows ${CHANGES} changes and ends on the hash of a full recompute, the last name answering and the VIP live`, async () => {
    const random = seededRandom(14);
    let web = INITIAL.tasks!.filter((t) => t.name === "web");
    let next = 100;
    let vipPort = 80;
    for (let n = 0; n < CHANGES; n++) {
      const roll = n === CHANGES - 1 ? -1 : random();
      const fresh = () => {
        const id = `web.${next}${next % 2 === 0 ? "a" : "b"}`;
        next++;
        return task(id, "web", `10.88.${(next >> 8) & 255}.${next & 255}`);
      };
      if (roll < 0) {
        // The last change: a task under a name of its own, which dig must answer.
        lastName = `last-${n}`;
        await send("PATCH", { baseGeneration: generation, upsert: { tasks: [task("last.1a", lastName, "10.99.0.1"), apiTask(80)] } });
      } else if (roll < 0.5) {
        const old = web[Math.floor(random() * web.length)]!;
        const replacement = fresh();
        web = [...web.filter((t) => t !== old), replacement];
        await send("PATCH", { baseGeneration: generation, upsert: { tasks: [replacement] }, delete: { tasks: [old.id] } });
      } else if (roll < 0.8) {
        if (web.length > 10 && random() < 0.5) {
          const gone = web.slice(0, 3);
          web = web.slice(3);
          await send("PATCH", { baseGeneration: generation, delete: { tasks: gone.map((t) => t.id) } });
        } else {
          const added = [fresh(), fresh(), fresh()];
          web = [...web, ...added];
          await send("PATCH", { baseGeneration: generation, upsert: { tasks: added } });
        }
      } else {
        vipPort = vipPort === 80 ? 8080 : 80;
        await send("PATCH", { baseGeneration: generation, upsert: { tasks: [apiTask(vipPort)] } });
      }
    }
    const final = generation;
    await waitFor("the agent on the last generation", async () => ((await applied()) === final ? true : undefined), 60_000, () => agent!.output().slice(-3000));
    const healthz = await health();
    expect(healthz.healthy).toBe(true);

    // The control plane's node hash, and a full recompute of the final snapshot (its sticky
    // allocations as `previous`), must both be the hash the agent holds.
    const snapshot = ClusterSnapshot.parse(await (await fetch(`${api()}/snapshot`)).json());
    const previous = previousFromDocument(await (await fetch(`${api()}/desired`)).json(), "GET /desired");
    const recomputed = deriveObjects({ ...snapshot, previous }).nodeHash("S1");
    const served = ((await (await fetch(`${api()}/desired/nodes/S1`)).json()) as { hash: string }).hash;
    expect(served).toBe(recomputed);
    expect(healthz.appliedHash).toBe(recomputed);

    await waitFor("the last name in DNS", async () => ((await dig(dnsPort, [`${lastName}.marathon.mesos`, "A"])).answers.length > 0 ? true : undefined), 10_000, () => dns!.output());
    expect((await dig(dnsPort, [`${lastName}.marathon.mesos`, "A"])).answers.map((a) => a.data)).toEqual(["10.99.0.1"]);
    const vip = await vipOf("api.marathon.l4lb.thisdcos.directory");
    expect(vip).toBeDefined();
    expect(connect(vip!, 80)).toBe("hello from api");

    // Partial syncs did the work: the relist at start was the only full sync of each applier.
    expect(await metric("wayfinder_agent_watch_relists_total")).toEqual([{ labels: '{reason="start"}', value: 1 }]);
    const partial = (await metric("wayfinder_agent_applier_duration_seconds_count")).filter((m) => m.labels.includes('mode="partial"'));
    expect(partial.reduce((n, m) => n + m.value, 0)).toBeGreaterThan(10);
  });

  it("relists once when the control plane restarts with an empty log, and touches nothing on the node", async () => {
    const ruleset = inNs(ns, ["nft", "list", "ruleset"]);
    const epoch = await readFile(join(dir, "state/dns/zones.current"), "utf8");
    const journal = await stat(join(dir, "state/dns", `zones.${JSON.parse(epoch).epoch}.journal`));
    const snapshot = await (await fetch(`${api()}/snapshot`)).json();
    const previous = previousFromDocument(await (await fetch(`${api()}/desired`)).json(), "GET /desired");
    const changesBefore = await metric("wayfinder_agent_applier_changes_total");
    // The same cluster, on a control plane that kept nothing (no --store): generation 1.
    await stopProcess(serve);
    await startServe(false);
    await send("PUT", { ...(snapshot as object), previous });
    await waitFor("the relist", async () => ((await metric("wayfinder_agent_watch_relists_total")).some((m) => m.labels.includes("gone") && m.value === 1) ? true : undefined), 60_000, () => agent!.output().slice(-3000));
    await waitFor("the agent on generation 1", async () => ((await applied()) === 1 ? true : undefined), 30_000, () => agent!.output().slice(-3000));
    expect(await metric("wayfinder_agent_applier_changes_total")).toEqual(changesBefore);
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe(ruleset);
    expect(await readFile(join(dir, "state/dns/zones.current"), "utf8")).toBe(epoch);
    expect((await stat(join(dir, "state/dns", `zones.${JSON.parse(epoch).epoch}.journal`))).size).toBe(journal.size);
    expect((await dig(dnsPort, [`${lastName}.marathon.mesos`, "A"])).answers.map((a) => a.data)).toEqual(["10.99.0.1"]);
  });

  it("names a truncated view file, relists, and flushes nothing: the VIP and the names answer throughout", async () => {
    expect(await stopProcess(agent)).toBe(0);
    const agentDir = join(dir, "state/agent");
    const snapshotFile = join(agentDir, (await readdir(agentDir)).filter((f) => f.endsWith(".snapshot")).sort().at(-1)!);
    await truncate(snapshotFile, (await stat(snapshotFile)).size - 30);
    const ruleset = inNs(ns, ["nft", "list", "ruleset"]);
    const vip = (await vipOf("api.marathon.l4lb.thisdcos.directory"))!;
    await startAgent();
    await waitFor("the relist", async () => ((await applied()) === generation ? true : undefined), 30_000, () => agent!.output().slice(-3000));
    expect(agent!.output()).toContain(`${snapshotFile}: cut short`);
    expect(inNs(ns, ["nft", "list", "ruleset"])).toBe(ruleset);
    expect(connect(vip, 80)).toBe("hello from api");
    expect((await dig(dnsPort, [`${lastName}.marathon.mesos`, "A"])).answers.map((a) => a.data)).toEqual(["10.99.0.1"]);
  });

  it("answers the last good zones at once when the DNS server is killed and started again", async () => {
    process.kill(-dns!.child.pid!, "SIGKILL");
    expect(await dns!.exited).toBe("SIGKILL");
    await startDns();
    expect((await dig(dnsPort, [`${lastName}.marathon.mesos`, "A"])).answers.map((a) => a.data)).toEqual(["10.99.0.1"]);
  });
});
