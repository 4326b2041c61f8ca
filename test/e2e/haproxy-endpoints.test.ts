/**
 * Marathon-LB's endpoints on the stats port, served by a real HAProxy started through the
 * applier: `/_haproxy_getconfig` is the config the worker runs, `/_haproxy_getvhostmap` and
 * `/_haproxy_getappmap` its map files (empty without map mode), and `/_haproxy_getpids` its
 * master's workers: one when settled, more while an old worker drains a connection after a
 * reload, which is what zdd.py waits on.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { freePort } from "./server-process.ts";
import { procTable } from "../../lib/executor/haproxy/haproxy-process.ts";
import { httpGet, startWebGroup, type WebGroup } from "./support/haproxy-harness.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithTools(["haproxy", "openssl"])("marathon-lb's /_haproxy_get* endpoints", () => {
  let group: WebGroup;
  const get = async (path: string) => {
    const answer = await httpGet(group.listeners.statsPort, path);
    expect(answer.status, path).toBe(200);
    expect(answer.headers["content-type"]).toBe("text/plain");
    return answer.body;
  };
  const workers = async () => (await procTable(group.paths))!.workers.map((w) => w.pid);

  beforeAll(async () => {
    group = await startWebGroup("wf-l7-endpoints-", { hold: true, config: { haproxyMap: true, hardStopAfter: "30s" } });
  });

  afterAll(() => group?.close());

  it("/_haproxy_getconfig answers the config the worker runs", async () => {
    expect(await get("/_haproxy_getconfig")).toBe(await readFile(group.paths.config, "utf8"));
  });

  it("/_haproxy_getvhostmap and /_haproxy_getappmap answer the map files", async () => {
    const maps = join(group.dir, "state", "conf", "external");
    expect(await get("/_haproxy_getvhostmap")).toBe(await readFile(join(maps, "domain2backend.map"), "utf8"));
    expect(await get("/_haproxy_getvhostmap")).toMatch(/^web\.test web_\d+\n$/);
    expect(await get("/_haproxy_getappmap")).toMatch(/^\/web web_\d+\n$/);
  });

  it("/_haproxy_getpids answers the one worker when settled", async () => {
    expect(await get("/_haproxy_getpids")).toBe(String((await workers())[0]));
  });

  it("after a reload, answers the new config, and both workers while the old one drains a connection", async () => {
    const held: Socket = await new Promise((resolve, reject) => {
      const socket = createConnection(group.holdPort, "127.0.0.1", () => resolve(socket));
      socket.once("error", reject);
    });
    const before = await workers();
    group.cluster.set({ id: "/api", servicePort: await freePort(), labels: { HAPROXY_0_VHOST: "api.test" }, tasks: [{ id: "api.1", port: await freePort() }] });
    expect((await group.cluster.apply()).ok).toBe(true);
    const during = await workers();
    expect(during).toHaveLength(2);
    expect(during).toContain(before[0]);
    expect((await get("/_haproxy_getpids")).split(" ").map(Number).sort()).toEqual([...during].sort());
    // The old worker stops accepting once it has handled the master's soft-stop signal.
    for (let i = 0; i < 100 && !(await get("/_haproxy_getconfig")).includes("api.test"); i++) await sleep(20);
    expect(await get("/_haproxy_getconfig")).toBe(await readFile(group.paths.config, "utf8"));
    expect(await get("/_haproxy_getvhostmap")).toContain("api.test api_");

    held.destroy();
    for (let i = 0; i < 100 && (await workers()).length > 1; i++) await sleep(50);
    expect(await get("/_haproxy_getpids")).toBe(String((await workers())[0]));
  });

  it("without map mode, the map endpoints answer empty, as marathon-lb's did", async () => {
    const { haproxyMap: _off, ...plain } = group.cluster.config;
    group.cluster.config = plain;
    expect((await group.cluster.apply()).ok).toBe(true);
    expect(await get("/_haproxy_getvhostmap")).toBe("");
    expect(await get("/_haproxy_getappmap")).toBe("");
    expect(await get("/_haproxy_getconfig")).not.toContain("domain2backend.map");
  });
});
