/**
 * Faults of a node's HAProxy, injected for real, with the desired state unchanged: a group's
 * master killed (`kill -9`, as the OOM killer or a stray `pkill` would) is started again on
 * its installed config by the next sync; a truncated record of the installed configs is
 * rebuilt by the next sync. HTTP through it works again after each.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFile, truncate } from "node:fs/promises";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { alive } from "./server-process.ts";
import type { HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import { procTable } from "../../lib/executor/haproxy/haproxy-process.ts";
import { haproxyLayout } from "../../lib/executor/haproxy/layout.ts";
import { httpGet, startWebGroup, type TestCluster, type WebGroup } from "./support/haproxy-harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTools(["haproxy", "openssl"])("HAProxy master killed", () => {
  let group: WebGroup;
  let dir: string;
  let applier: HaproxyApplier;
  let cluster: TestCluster;
  let httpPort: number;
  const paths = () => haproxyLayout(join(dir, "state")).group("external");

  beforeAll(async () => {
    group = await startWebGroup("wf-l7-faults-");
    ({ dir, applier, cluster } = group);
    httpPort = group.listeners.httpPort;
  });

  afterAll(() => group?.close());

  it("is started again by the next sync, and serves again", async () => {
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("W1");
    const before = (await procTable(paths()))!;
    process.kill(before.master.pid, "SIGKILL");
    // The workers notice their master is gone and leave: HAProxy serves nothing until the sync.
    for (let i = 0; i < 200 && [before.master.pid, ...before.workers.map((w) => w.pid)].some(alive); i++) await sleep(25);
    expect(alive(before.master.pid)).toBe(false);
    await expect(httpGet(httpPort, "/", { host: "web.test" })).rejects.toThrow(/ECONNREFUSED/);

    const starts = applier.counters.starts;
    const report = await cluster.apply();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { adds: ["external"], repairs: [expect.stringContaining("group external is not running")] } });
    expect(applier.counters.starts).toBe(starts + 1);
    const after = (await procTable(paths()))!;
    expect(after.master.pid).not.toBe(before.master.pid);
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("W1");
    expect((await cluster.apply()).appliers[0]).toEqual({ name: "haproxy", status: "unchanged" });
  });

  it("rebuilds its record of the installed configs, truncated by someone, and keeps serving", async () => {
    const manifest = join(haproxyLayout(join(dir, "state")).confDir, ".wayfinder-manifest.json");
    await truncate(manifest, 0);
    const master = (await procTable(paths()))!.master.pid;
    const report = await cluster.apply();
    expect(report.appliers[0]).toMatchObject({ status: "applied", plan: { changes: ["external"], repairs: [`${manifest}: not valid JSON (Unexpected end of JSON input): rebuilt from the groups it runs now, whose configs are installed again`] } });
    expect(JSON.parse(await readFile(manifest, "utf8")).files).toEqual(["external.cfg", "external/marathon-lb-endpoints.lua"]);
    expect((await procTable(paths()))!.master.pid).toBe(master);
    expect((await httpGet(httpPort, "/", { host: "web.test" })).body).toContain("W1");
    expect((await cluster.apply()).appliers[0]).toEqual({ name: "haproxy", status: "unchanged" });
  });
});
