/**
 * HAProxy on the delta path, with a real HAProxy: a batch that changed the group's servers (a
 * task replaced) goes through the Runtime API of that group's master alone, no reload, and the
 * new task answers.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reconcile } from "../../functions/reconcile.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import type { KeyChanges, ViewReader } from "../../lib/executor/keyed-applier.ts";
import { describeWithTools } from "../support/tools.ts";
import { freePort } from "./server-process.ts";
import { BackendPool, httpGet, loopbackHaproxy, TestCluster, tearDownExternal } from "./support/haproxy-harness.ts";

/** The view of a desired state as the applier reads it on the delta path. */
const viewOf = (desired: DesiredState): ViewReader => ({ node: "S1", generation: 1, hash: "", dnsHash: "", value: () => undefined, valuesUnder: () => [], desired: () => desired });
const groupChange = (desired: DesiredState): KeyChanges => ({
  upserts: new Map([["haproxy/group/external", { hash: "h", json: "{}", value: desired.haproxy.groups.external }]]),
  deletes: new Set(),
  complete: false,
});

describeWithTools(["haproxy", "openssl"])("HAProxy on changed keys", () => {
  let dir: string;
  let pool: BackendPool;
  let applier: HaproxyApplier;
  let cluster: TestCluster;
  let httpPort: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-l7-keyed-"));
    pool = new BackendPool();
    const listeners = await loopbackHaproxy(dir);
    httpPort = listeners.httpPort;
    applier = createHaproxyApplier({ dir: join(dir, "state"), timeoutMs: 20_000 });
    cluster = new TestCluster(listeners, applier);
  });

  afterAll(() => tearDownExternal(dir, pool));

  it("applies a replaced task through the Runtime API, after a full sync gave it a record", async () => {
    const first = { id: "web.1", port: await freePort() };
    await pool.start(first.id, first.port);
    cluster.set({ id: "/web", servicePort: await freePort(), labels: { HAPROXY_0_VHOST: "web.test" }, tasks: [first] });
    const before = reconcile(cluster.snapshot());
    expect(await applier.applyChanges(groupChange(before), viewOf(before))).toBeUndefined();
    expect(await applier.syncAll(viewOf(before))).toMatchObject({ status: "applied" });
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("web.1");

    const second = { id: "web.2", port: await freePort() };
    await pool.start(second.id, second.port);
    cluster.set({ ...cluster.apps.get("/web")!, tasks: [second] });
    const after = reconcile({ ...cluster.snapshot(), previous: { haproxy: before.haproxy.allocations } });
    const counters = { ...applier.counters };
    expect(await applier.applyChanges(groupChange(after), viewOf(after))).toMatchObject({ status: "applied", plan: { changes: ["external"] } });
    expect(applier.counters.runtimeUpdates).toBe(counters.runtimeUpdates + 1);
    expect(applier.counters.reloads).toBe(counters.reloads);
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("web.2");
  });
});
