/**
 * Reload safety with a real HAProxy: a config `haproxy -c` rejects is never loaded (the old
 * one keeps serving, the report names the app), old workers holding long-lived connections
 * do not pile up (marathon-lb#519: `mworker-max-reloads`, `hard-stop-after`), and a group
 * the node no longer serves is stopped and its files removed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { freePort } from "./server-process.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import { procTable } from "../../lib/executor/haproxy/haproxy-process.ts";
import { haproxyLayout } from "../../lib/executor/haproxy/layout.ts";
import { httpGet, startWebGroup, type BackendPool, type TestCluster, type WebGroup } from "./support/haproxy-harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTools(["haproxy", "openssl"])("HAProxy reloads", () => {
  let group: WebGroup;
  let dir: string;
  let pool: BackendPool;
  let applier: HaproxyApplier;
  let cluster: TestCluster;
  let httpPort: number;
  let holdPort: number;
  const held: Socket[] = [];
  const paths = () => haproxyLayout(join(dir, "state")).group("external");

  beforeAll(async () => {
    group = await startWebGroup("wf-l7-reload-", { hold: true, config: { hardStopAfter: "3s", maxReloads: 2 } });
    ({ dir, pool, applier, cluster, holdPort } = group);
    httpPort = group.listeners.httpPort;
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await group?.close();
  });

  /** Opens a TCP connection through the tcp-mode frontend to a backend that never answers. */
  const holdConnection = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = createConnection(holdPort, "127.0.0.1", () => resolve(socket));
      socket.on("error", () => {});
      socket.once("error", reject);
      held.push(socket);
    });

  /** A change only a reload can apply. */
  let variant = 0;
  const reload = async () => {
    cluster.apps.get("/web")!.labels = { HAPROXY_0_VHOST: "web.test", HAPROXY_0_BALANCE: ++variant % 2 === 0 ? "roundrobin" : "leastconn" };
    const report = await cluster.apply();
    expect(report.ok, JSON.stringify(report)).toBe(true);
  };

  it("never loads a config haproxy -c rejects; the old one keeps serving", async () => {
    const before = await procTable(paths());
    const installed = await readFile(paths().config, "utf8");
    const badPort = await freePort();
    await pool.start("B1", badPort);
    // Valid for wayfinder (a known placeholder), but not a HAProxy directive.
    cluster.set({ id: "/bad", servicePort: await freePort(), labels: { HAPROXY_0_VHOST: "bad.test", HAPROXY_0_BACKEND_HEAD: "\nbackend {backend}\n  balance {balance}\n  mode {mode}\n  no-such-directive on\n" }, tasks: [{ id: "bad.1", port: badPort }] });
    const report = await cluster.apply();
    expect(report.ok).toBe(false);
    expect(report.appliers[0]).toMatchObject({ name: "haproxy", status: "failed", stage: "apply" });
    const error = (report.appliers[0] as { error: string }).error;
    expect(error).toContain("haproxy -c rejected the config of group external; the running HAProxy keeps its current config");
    expect(error).toMatch(/line \d+ in backend bad_\d+: unknown keyword 'no-such-directive'/);
    expect(await readFile(paths().config, "utf8")).toBe(installed);
    expect((await procTable(paths()))!.workers.map((w) => w.pid)).toEqual(before!.workers.map((w) => w.pid));
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("W1");
    expect((await httpGet(httpPort, "/", { host: "bad.test" })).status).toBe(503);
    expect(applier.counters.rejectedConfigs).toBe(1);

    cluster.delete("/bad");
    expect((await cluster.apply()).appliers[0]).toEqual({ name: "haproxy", status: "unchanged" });
  });

  it("stops an old worker held by a long connection after hard-stop-after", async () => {
    const socket = await holdConnection();
    const oldWorker = (await procTable(paths()))!.workers[0]!.pid;
    await reload();
    const during = await procTable(paths());
    expect(during!.workers.map((w) => w.pid)).toContain(oldWorker);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await sleep(3_500);
    await closed;
    expect((await procTable(paths()))!.workers.map((w) => w.pid)).not.toContain(oldWorker);
  });

  it("stops a worker that outlived mworker-max-reloads, before hard-stop-after", async () => {
    await holdConnection();
    const oldWorker = (await procTable(paths()))!.workers[0]!.pid;
    const started = Date.now();
    for (let i = 0; i < 3; i++) await reload();
    await sleep(200);
    expect(Date.now() - started).toBeLessThan(3_000);
    const table = (await procTable(paths()))!;
    expect(table.workers.map((w) => w.pid)).not.toContain(oldWorker);
    expect(table.workers.length).toBeLessThanOrEqual(3);
  });

  it("stops a group this node no longer serves and removes its files", async () => {
    const master = (await procTable(paths()))!.master.pid;
    for (const socket of held) socket.destroy();
    const none = createHaproxyApplier({ dir: join(dir, "state"), groups: [], timeoutMs: 20_000 });
    const report = await applyDesired(cluster.lastDesired!, [none]);
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: [], changes: [], deletes: ["external"] } });
    expect(existsSync(paths().config)).toBe(false);
    expect(() => process.kill(master, 0)).toThrow();
  });
});
