/**
 * Faults a node survives, injected for real on `wayfinder agent` programming VIPs in a network
 * namespace: its nftables tables flushed or deleted by someone else (repaired by the next
 * periodic resync, with the desired state unchanged), and the agent SIGKILLed in the middle of
 * applying a large change (restarted on the same state directory, it converges, and a VIP
 * that existed before never stops answering meanwhile).
 */
import { mkdtemp, readFile, readdir, rename, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeWithTools } from "../support/tools.ts";
import { SNAPSHOT_INPUT } from "../http/helpers.ts";
import { inNs, NetnsLab, waitForLine } from "./support/netns.ts";
import { alive, startProcess, stopProcess, type ServerProcess } from "./server-process.ts";
import { waitFor } from "./support/wait.ts";

const BIN = "bin/wayfinder.js";
const ECHO = fileURLToPath(new URL("./support/echo-server.mjs", import.meta.url));
const CLIENT = fileURLToPath(new URL("./support/vip-client.mjs", import.meta.url));
const BACKEND = "10.77.0.1";
const VIP = "11.0.0.1";

/** A task on this node whose port 8080 (the echo server) is behind the IP VIP `vip:80`. */
function vipTask(id: string, vip: string) {
  return {
    id,
    name: id.split(".")[0],
    frameworkId: "F1",
    agentId: "S1",
    state: "TASK_RUNNING",
    discovery: { name: id.split(".")[0], ports: [{ number: 8080, protocol: "tcp", name: "http", labels: [{ key: "VIP_0", value: `${vip}:80` }] }] },
    statuses: [{ state: "TASK_RUNNING", timestamp: 1, networkInfos: [{ name: "dcos", ipAddresses: [BACKEND] }] }],
  };
}

describeWithTools(["ip", "nft", "nsenter"], { root: true })("wayfinder agent surviving faults (real nftables, real SIGKILL)", () => {
  const lab = new NetnsLab();
  let ns = "";
  let dir = "";
  let agent: ServerProcess | undefined;
  const snapshot = () => join(dir, "snapshot.json");
  const start = (...extra: string[]) =>
    (agent = startProcess(process.execPath, [BIN, "agent", "--node", "S1", "--source", snapshot(), "--state-dir", join(dir, "state"), "--apply", "l4lb,files", "--netns", ns, "--l4-backend", "nftables", "--metrics", "127.0.0.1:0", ...extra]));
  /**
   * Whether the agent has finished a sync that left the node running `hash` (any hash when
   * absent), whether it changed something or found it all in place: a resumed agent whose node
   * already runs its state logs nothing, so its metrics say it.
   */
  const synced = (running: ServerProcess, hash?: string) => async () => {
    const url = /"msg":"metrics and health endpoint listening","url":"(http:[^"]+)"/.exec(running.output())?.[1];
    if (url === undefined) return undefined;
    const text = await (await fetch(`${url}/metrics`)).text();
    const series = hash === undefined ? /^wayfinder_agent_applied_info\{hash="[0-9a-f]+"\} 1$/m : new RegExp(`^wayfinder_agent_applied_info\\{hash="${hash}"\\} 1$`, "m");
    return series.test(text) ? true : undefined;
  };
  /** Replaces the snapshot the agent follows, by rename as a writer should. */
  const publish = async (tasks: unknown[]) => {
    await writeFile(`${snapshot()}.new`, JSON.stringify({ ...SNAPSHOT_INPUT, tasks: [...SNAPSHOT_INPUT.tasks, ...tasks] }));
    await rename(`${snapshot()}.new`, snapshot());
  };
  /** One new connection to `ip:80` from inside the namespace: the backend's name, or the error. */
  const answer = (ip: string) => JSON.parse(inNs(ns, [process.execPath, CLIENT, "http", ip, "80", "1"])) as Record<string, number>;
  const applied = (running: ServerProcess, hash: string) => () => (running.output().includes(`"msg":"desired state applied","hash":"${hash}"`) ? true : undefined);
  const rememberedHash = async () => (JSON.parse(await readFile(join(dir, "state/agent/state.json"), "utf8")) as { desired: { hash: string } }).desired.hash;

  beforeAll(async () => {
    ns = lab.add("faults");
    dir = await mkdtemp(join(tmpdir(), "wf-agent-faults-"));
    inNs(ns, ["ip", "addr", "add", `${BACKEND}/32`, "dev", "lo"]);
    await waitForLine(lab.spawn(ns, [process.execPath, ECHO, "api", "8080", "8053"]), /^ready/);
    await publish([vipTask("api.1", VIP)]);
  });
  afterEach(async () => {
    await stopProcess(agent);
  });
  afterAll(() => lab.teardown());

  it.each([
    ["flush", "was flushed (its rules are gone)"],
    ["delete", "is missing"],
  ])("repairs its table after `nft %s table` by someone else within one resync, the desired state unchanged", async (verb, damage) => {
    const running = start("--resync-interval", "1");
    // The fault must meet a synced agent that trusts its record.
    await waitFor("the first sync", synced(running), 15_000, () => running.output());
    expect(answer(VIP)).toEqual({ api: 1 });
    // No check that the VIP fails now: the next resync may already be repairing it. The error
    // it logs is the evidence that the damage was real, and found.
    inNs(ns, ["nft", verb, "table", "ip", "wayfinder_l4lb"]);
    const repaired = new RegExp(`"level":"error","msg":"found the node damaged","applier":"l4lb","problem":"table ip wayfinder_l4lb ${damage.replace(/[()]/g, "\\$&")}[^"]*","repaired":true`);
    // Within one resync (1 s ± 10%) and its full sync.
    await waitFor("the repair", () => (repaired.test(running.output()) ? true : undefined), 5_000, () => running.output());
    expect(answer(VIP)).toEqual({ api: 1 });
  });

  it("resumes an apply it was SIGKILLed in the middle of, and a VIP that existed never stops answering", async () => {
    const first = start("--resync-interval", "0");
    const before = await rememberedHash();
    await waitFor("the resumed state", synced(first, before), 15_000, () => first.output());
    const prober = lab.spawn(ns, [process.execPath, CLIENT, "probe", VIP, "80"]);
    await waitForLine(prober, /^probing/);
    const counted = waitForLine(prober, /^\{/, 120_000);

    // A large change: 5,000 new VIPs make one nft transaction that takes a while to load.
    await publish([vipTask("api.1", VIP), ...Array.from({ length: 5000 }, (_, i) => vipTask(`bulk${i}.1`, `11.1.${i >> 8}.${i & 255}`))]);
    const nft = await waitFor("the agent's nft transaction", () => childWithArgs(first.child.pid!, ["nft", "-f", "-"]), 60_000, () => first.output());
    // Only the agent, as the OOM killer would: its nft child is left to finish or fail alone.
    process.kill(first.child.pid!, "SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    // The new state was remembered before the apply began, and never recorded as applied.
    const target = await rememberedHash();
    expect(target).not.toBe(before);
    expect(applied(first, target)()).toBeUndefined();
    await waitFor("the orphaned nft to end", () => (alive(nft) ? undefined : true), 60_000);

    const second = start("--resync-interval", "0");
    await waitFor("the resumed apply", applied(second, target), 90_000, () => second.output());
    expect(second.output()).toContain("resuming from the remembered desired state");
    prober.stdin!.end();
    // Every connection to the old VIP, across the kill and the restart, reached its backend.
    const counts = JSON.parse(await counted) as Record<string, number>;
    expect(Object.keys(counts)).toEqual(["api"]);
    expect(counts.api).toBeGreaterThan(10);
    expect(answer("11.1.19.135")).toEqual({ api: 1 });
    expect(await readFile(join(dir, "state/files/dns/mesos.zone"), "utf8")).toContain("bulk4999.marathon.mesos");
  });

  it("starts with its remembered state and a manifest truncated: says which files, refetches and rebuilds them, and stays up", async () => {
    const hash = await rememberedHash();
    const state = join(dir, "state/agent/state.json");
    const manifest = join(dir, "state/files/.wayfinder-manifest.json");
    await truncate(state, 0);
    await truncate(manifest, 40);
    const running = start("--resync-interval", "0");
    await waitFor("the refetched state applied", applied(running, hash), 90_000, () => running.output());
    const errors = running.output().split("\n").filter((line) => line.includes('"level":"error"'));
    expect(errors).toEqual([
      expect.stringContaining(`"msg":"ignoring the remembered state; waiting for the source","problem":"${state}: not an agent state file (Unexpected end of JSON input); ignored"`),
      expect.stringMatching(new RegExp(`"msg":"found the node damaged","applier":"files","problem":"${manifest}: not valid JSON \\(.*\\): rebuilt from the \\d+ files it installs now, rewritten","repaired":true`)),
    ]);
    expect(await rememberedHash()).toBe(hash);
    expect(JSON.parse(await readFile(manifest, "utf8")).files).toContain("dns/mesos.zone");
    expect(answer(VIP)).toEqual({ api: 1 });
    // Still running, with nothing more to report: no crash, no retry loop.
    await new Promise((r) => setTimeout(r, 1000));
    expect(running.child.exitCode).toBeNull();
    expect(running.output().split("\n").filter((line) => line.includes('"level":"error"'))).toHaveLength(2);
  });
});

/** The pid of a child of `pid` whose command line starts with `argv`, while there is one. */
async function childWithArgs(pid: number, argv: string[]): Promise<number | undefined> {
  const threads = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const tid of threads) {
    const children = (await readFile(`/proc/${pid}/task/${tid}/children`, "utf8").catch(() => "")).split(" ").filter(Boolean);
    for (const child of children) {
      const args = (await readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "")).split("\0");
      if (argv.every((a, i) => args[i] === a)) return Number(child);
    }
  }
  return undefined;
}
