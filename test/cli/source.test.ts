import { afterEach, describe, expect, it } from "vitest";
import { run } from "../../lib/cli/commands/source.ts";
import { runCli } from "../support/cli-io.ts";
import type { CliIo } from "../../lib/cli/io.ts";
import { createApp } from "../../lib/http/app.ts";
import { listenNode, type NodeServer } from "../../lib/http/node-server.ts";
import { MemorySnapshotStore } from "../../lib/store/snapshot-store.ts";
import { startFakeMarathon, startFakeMaster, type FakeServer } from "../support/fake-cluster.ts";

const servers: (FakeServer | NodeServer)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("wayfinder source", () => {
  it.each([
    [["--mesos", "http://127.0.0.1:1"], "--put http://HOST:PORT/v1/clusters/NAME is required"],
    [["--mesos", "http://127.0.0.1:1", "--put", "http://127.0.0.1:1/v1/desired"], "--put: 'http://127.0.0.1:1/v1/desired' must be http(s)://HOST:PORT/v1/clusters/NAME"],
    [["--put", "http://127.0.0.1:1/v1/clusters/prod"], "give the live cluster with --mesos/--operator and/or --marathon"],
    [["--mesos", "http://127.0.0.1:1", "--put", "http://127.0.0.1:1/v1/clusters/prod", "--poll-interval", "0"], "--poll-interval: '0' is not a positive number"],
  ])("usage error (exit 2) for %j", async (args, message) => {
    const { code, stderr } = await runCli(["source", ...args]);
    expect(stderr).toContain(message);
    expect(code).toBe(2);
  });

  it("PUTs the live cluster into the store on start and after a Marathon event, and not again when nothing changed", async () => {
    const master = await startFakeMaster();
    const marathon = await startFakeMarathon();
    const store = new MemorySnapshotStore();
    const cp = await listenNode(createApp({ store, token: "tok" }), { host: "127.0.0.1", port: 0 });
    servers.push(master, marathon, cp);
    let stderr = "";
    const io: CliIo = { stdout: () => {}, stderr: (t) => void (stderr += t), cwd: process.cwd() };
    let stop!: (reason: string) => void;
    const exit = run(["--mesos", master.url, "--marathon", marathon.url, "--put", `${cp.url}/v1/clusters/fake`], io, {
      stopSignal: new Promise((r) => (stop = r)),
      env: { WAYFINDER_TOKEN: "tok" },
    });
    await until(async () => (await store.get("fake")) !== undefined && marathon.streams === 1);
    await new Promise((r) => setTimeout(r, 200));
    const first = (await store.get("fake"))!;
    expect(first.snapshot.cluster.name).toBe("fake");
    marathon.emit("status_update_event", {});
    await new Promise((r) => setTimeout(r, 300));
    expect((await store.get("fake"))!.generation).toBe(first.generation);

    master.state = { ...master.state, slaves: (master.state.slaves as unknown[]).slice(1) };
    marathon.emit("status_update_event", {});
    await until(async () => (await store.get("fake"))!.generation === first.generation + 1);
    expect((await store.get("fake"))!.snapshot.agents).toHaveLength(3);
    stop("test");
    expect(await exit).toBe(0);
    expect(stderr.match(/"msg":"snapshot stored"/g)).toHaveLength(first.generation + 1);
  });
});
