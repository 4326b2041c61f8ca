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

  it("PUTs the live cluster at start, then PATCHes what changed by id, and PUTs again on a 409 and after a stream reconnect", async () => {
    const master = await startFakeMaster();
    const marathon = await startFakeMarathon();
    const store = new MemorySnapshotStore();
    const app = createApp({ store, token: "tok" });
    const requests: Array<{ method: string; body: string }> = [];
    const cp = await listenNode(
      {
        fetch: async (request: Request) => {
          if (request.method === "PUT" || request.method === "PATCH") requests.push({ method: request.method, body: await request.clone().text() });
          return app.fetch(request);
        },
      },
      { host: "127.0.0.1", port: 0 },
    );
    servers.push(master, marathon, cp);
    let stderr = "";
    const io: CliIo = { stdout: () => {}, stderr: (t) => void (stderr += t), cwd: process.cwd() };
    let stop!: (reason: string) => void;
    const exit = run(["--mesos", master.url, "--marathon", marathon.url, "--put", `${cp.url}/v1/clusters/fake`], io, {
      stopSignal: new Promise((r) => (stop = r)),
      env: { WAYFINDER_TOKEN: "tok" },
    });
    const generation = async () => (await store.get("fake"))?.generation ?? 0;
    await until(async () => (await generation()) === 1 && marathon.streams === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(requests.map((r) => r.method)).toEqual(["PUT"]);
    expect((await store.get("fake"))!.snapshot.fields.cluster.name).toBe("fake");
    // The fixture lists one task id twice: the first is kept, and the source says so.
    expect(stderr).toMatch(/"msg":"the cluster lists tasks with the same id more than once; the first of each is kept","ids":\["liquor-store\./);

    marathon.emit("status_update_event", {});
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toHaveLength(1);

    const agents = master.state.slaves as Array<{ id: string }>;
    master.state = { ...master.state, slaves: agents.slice(1) };
    marathon.emit("status_update_event", {});
    await until(async () => (await generation()) === 2);
    const patch = JSON.parse(requests[1]!.body) as Record<string, unknown>;
    expect(requests[1]!.method).toBe("PATCH");
    expect(patch).toMatchObject({ baseGeneration: 1, delete: { agents: [agents[0]!.id], tasks: [], apps: [], frameworks: [] }, upsert: { tasks: [], apps: [], agents: [], frameworks: [] } });
    expect((await store.get("fake"))!.snapshot.objects.agents.size).toBe(agents.length - 1);

    // Another writer moves the store on: the next PATCH gets a 409 and the source resends the whole snapshot.
    const other = (await (await app.request("/v1/clusters/fake/snapshot", { headers: { Authorization: "Bearer tok" } })).json()) as Record<string, unknown>;
    expect((await app.request("/v1/clusters/fake/snapshot", { method: "PUT", headers: { Authorization: "Bearer tok", "Content-Type": "application/json" }, body: JSON.stringify({ ...other, tasks: [] }) })).status).toBe(200);
    const apps = marathon.apps as { apps: Array<{ id: string }> };
    marathon.apps = { apps: apps.apps.slice(1) };
    marathon.emit("status_update_event", {});
    await until(async () => (await generation()) === 4);
    expect(requests.slice(2).map((r) => r.method)).toEqual(["PATCH", "PUT"]);
    expect((await store.get("fake"))!.snapshot.objects.apps.size).toBe(apps.apps.length - 1);
    expect((await store.get("fake"))!.snapshot.objects.tasks.size).toBeGreaterThan(0);
    expect(stderr).toMatch(/"msg":"the store did not take the change; sending the whole snapshot".*"status":409/);

    // A reconnected event stream may have missed events: what changed meanwhile goes as a whole PUT.
    master.state = { ...master.state, slaves: agents.slice(2) };
    marathon.endStreams();
    await until(async () => (await generation()) === 5);
    expect(requests.at(-1)!.method).toBe("PUT");
    expect((await store.get("fake"))!.snapshot.objects.agents.size).toBe(agents.length - 2);
    stop("test");
    expect(await exit).toBe(0);
  });
});
