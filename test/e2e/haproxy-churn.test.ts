/**
 * Hitless updates under load: while wrk drives requests through a real HAProxy, an app is
 * scaled up and down and its tasks replaced 200 times (each time the new task is listening
 * before the snapshot names it, and the old one stops a moment after the apply, as a task
 * shutting down within its kill grace period would). wrk keeps its connections alive: Runtime API updates never
 * touch a client connection, so not one request may fail, and none of the 200 events may
 * need a reload.
 *
 * Then the config is changed three times in ways that need a reload, under a second wrk run
 * with one connection per request. HAProxy 2.6 closes idle keep-alive client connections
 * when an old worker stops (RFC 9112 lets a server do so, but wrk counts the race as a read
 * error; `idle-close-on-response` only arrived in 2.7), so that phase measures what a reload
 * guarantees: no connection is refused while the listeners pass to the new worker.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { freePort } from "./server-process.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import { BackendPool, httpGet, loopbackHaproxy, TestCluster, type TestTask, tearDownExternal } from "./support/haproxy-harness.ts";
import { loadWhile } from "./support/wrk.ts";

const EVENTS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTools(["haproxy", "openssl", "wrk"])("HAProxy under churn", () => {
  let dir: string;
  let pool: BackendPool;
  let applier: HaproxyApplier;
  let cluster: TestCluster;
  let httpPort: number;
  let taskNumber = 0;

  const newTask = async (): Promise<TestTask> => {
    const port = await freePort();
    const task = { id: `churn.${++taskNumber}`, port };
    await pool.start(task.id, port);
    return task;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-l7-churn-"));
    pool = new BackendPool();
    const listeners = await loopbackHaproxy(dir);
    httpPort = listeners.httpPort;
    applier = createHaproxyApplier({ dir: join(dir, "state"), timeoutMs: 20_000 });
    cluster = new TestCluster({ ...listeners, hardStopAfter: "5s" }, applier);
    cluster.set({
      id: "/churn",
      servicePort: await freePort(),
      labels: { HAPROXY_0_VHOST: "churn.test" },
      tasks: [await newTask(), await newTask(), await newTask()],
      healthChecks: [{ protocol: "HTTP", path: "/health", portIndex: 0, intervalSeconds: 1, timeoutSeconds: 1, maxConsecutiveFailures: 2, gracePeriodSeconds: 5 }],
    });
    expect((await cluster.apply()).ok).toBe(true);
  });

  afterAll(() => tearDownExternal(dir, pool));

  it(`survives ${EVENTS} scale and replace events without a failed request or a reload`, async () => {
    expect((await httpGet(httpPort, "/", { host: "churn.test" })).status).toBe(200);
    const load = loadWhile(`http://127.0.0.1:${httpPort}/`, { Host: "churn.test" });
    await sleep(300); // wrk is connected and sending before the first event
    const app = cluster.apps.get("/churn")!;
    const before = { ...applier.counters };
    const stopping: Promise<void>[] = [];
    for (let event = 0; event < EVENTS; event++) {
      const kind = app.tasks.length <= 2 ? "up" : app.tasks.length >= 4 ? "down" : ["up", "replace", "down", "replace"][event % 4]!;
      let retired: TestTask[] = [];
      if (kind === "up") app.tasks = [...app.tasks, await newTask()];
      else if (kind === "down") retired = app.tasks.splice(event % app.tasks.length, 1);
      else {
        retired = app.tasks.splice(event % app.tasks.length, 1);
        app.tasks = [...app.tasks, await newTask()];
      }
      const report = await cluster.apply();
      expect(report.ok, JSON.stringify(report)).toBe(true);
      // A retired task goes a moment after the LB stopped sending it requests (its SIGTERM
      // grace): a request HAProxy dispatched just before `state maint` may still be on its way.
      for (const task of retired) stopping.push(sleep(250).then(() => pool.stop(task.port)));
    }
    await Promise.all(stopping);
    const totals = await load.stop();
    const reloads = applier.counters.reloads - before.reloads;
    const runtimeUpdates = applier.counters.runtimeUpdates - before.runtimeUpdates;
    console.log(
      `churn: ${EVENTS} events, ${reloads} reloads, ${runtimeUpdates} runtime updates (${applier.counters.runtimeCommands - before.runtimeCommands} set-server commands); ` +
        `wrk (keep-alive): ${totals.requests} requests in ${totals.rounds} rounds, ${totals.non2xx3xx} non-2xx/3xx, socket errors ${JSON.stringify(totals.socketErrors)}`,
    );
    expect(reloads).toBe(0);
    expect(runtimeUpdates).toBe(EVENTS);
    expect(applier.counters.fallbackReloads).toBe(0);
    expect(totals.requests).toBeGreaterThan(1000);
    expect(totals.non2xx3xx).toBe(0);
    expect(totals.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });

  it("reloads for config changes without refusing a connection", async () => {
    const load = loadWhile(`http://127.0.0.1:${httpPort}/`, { Host: "churn.test", Connection: "close" }, { roundSeconds: 2 });
    await sleep(300);
    const before = applier.counters.reloads;
    const app = cluster.apps.get("/churn")!;
    cluster.set({ id: "/side", servicePort: await freePort(), labels: { HAPROXY_0_VHOST: "side.test" }, tasks: [await newTask()] });
    expect((await cluster.apply()).ok).toBe(true);
    app.labels = { ...app.labels, HAPROXY_0_BALANCE: "leastconn" };
    expect((await cluster.apply()).ok).toBe(true);
    cluster.delete("/side");
    expect((await cluster.apply()).ok).toBe(true);
    const totals = await load.stop();
    console.log(`reloads: ${applier.counters.reloads - before}; wrk (one connection per request): ${totals.requests} requests, ${totals.non2xx3xx} non-2xx/3xx, socket errors ${JSON.stringify(totals.socketErrors)}`);
    expect(applier.counters.reloads - before).toBe(3);
    expect(totals.requests).toBeGreaterThan(500);
    expect(totals.non2xx3xx).toBe(0);
    expect(totals.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
  });
});
