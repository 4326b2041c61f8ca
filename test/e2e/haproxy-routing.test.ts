/**
 * The HAProxy applier against a real HAProxy on loopback: requests by Host header, path, SNI,
 * wildcard vhost and X-Marathon-App-Id reach the right backend; the https redirect works; a
 * second apply of the same state changes nothing. Once with ACLs per vhost, once in map mode
 * (the map files installed beside the config and found through HAProxy's working directory).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { freePort } from "./server-process.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import { BackendPool, httpGet, httpsGet, loopbackHaproxy, TestCluster, tearDownExternal } from "./support/haproxy-harness.ts";

for (const haproxyMap of [false, true]) describeWithTools(["haproxy", "openssl"])(`HAProxy routing on loopback${haproxyMap ? ", plain vhosts through map files" : ""}`, () => {
  let dir: string;
  let pool: BackendPool;
  let applier: HaproxyApplier;
  let cluster: TestCluster;
  let ports: { http: number; https: number; appId: number; tcp: number };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-l7-routing-"));
    pool = new BackendPool();
    const listeners = await loopbackHaproxy(dir);
    ports = { http: listeners.httpPort, https: listeners.httpsPort, appId: listeners.appIdPort, tcp: await freePort() };
    applier = createHaproxyApplier({ dir: join(dir, "state"), timeoutMs: 20_000 });
    cluster = new TestCluster({ ...listeners, haproxyMap }, applier);
    const backend = async (name: string) => {
      const port = await freePort();
      await pool.start(name, port);
      return { id: `${name}.task`, port };
    };
    const servicePort = async () => freePort();
    cluster.set({ id: "/web", servicePort: await servicePort(), labels: { HAPROXY_0_VHOST: "web.test" }, tasks: [await backend("W1"), await backend("W2")] });
    cluster.set({ id: "/api", servicePort: await servicePort(), labels: { HAPROXY_0_VHOST: "web.test", HAPROXY_0_PATH: "/api" }, tasks: [await backend("A1")] });
    cluster.set({ id: "/secure", servicePort: await servicePort(), labels: { HAPROXY_0_VHOST: "secure.test", HAPROXY_0_REDIRECT_TO_HTTPS: "true" }, tasks: [await backend("S1")] });
    cluster.set({ id: "/wild", servicePort: await servicePort(), labels: { HAPROXY_0_VHOST: "*.apps.test" }, tasks: [await backend("X1")] });
    cluster.set({ id: "/exact", servicePort: await servicePort(), labels: { HAPROXY_0_VHOST: "www.apps.test" }, tasks: [await backend("E1")] });
    cluster.set({ id: "/tcp", servicePort: ports.tcp, labels: {}, tasks: [await backend("T1")] });
    const report = await cluster.apply();
    expect(report.appliers[0], JSON.stringify(report)).toMatchObject({ status: "applied" });
  });

  afterAll(() => tearDownExternal(dir, pool));

  it("routes by Host header, and by path on a shared vhost", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await httpGet(ports.http, "/", { host: "web.test" })).body.split(" ")[0]!);
    expect([...seen].sort()).toEqual(["W1", "W2"]);
    expect((await httpGet(ports.http, "/api/v1", { host: "web.test" })).body).toBe("A1 /api/v1 web.test\n");
    expect((await httpGet(ports.http, "/", { host: "nobody.test" })).status).toBe(503);
  });

  it("redirects to https, and serves the vhost over TLS by SNI", async () => {
    const redirect = await httpGet(ports.http, "/login?x=1", { host: "secure.test" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe("https://secure.test/login?x=1");
    expect((await httpsGet(ports.https, "/login", "secure.test")).body).toBe("S1 /login secure.test\n");
    expect((await httpsGet(ports.https, "/api/x", "web.test")).body).toBe("A1 /api/x web.test\n");
  });

  it("matches a wildcard vhost one label deep, after exact hosts", async () => {
    expect((await httpGet(ports.http, "/", { host: "foo.apps.test" })).body.split(" ")[0]).toBe("X1");
    expect((await httpGet(ports.http, "/", { host: "foo.apps.test:8080" })).body.split(" ")[0]).toBe("X1");
    expect((await httpGet(ports.http, "/", { host: "www.apps.test" })).body.split(" ")[0]).toBe("E1");
    expect((await httpGet(ports.http, "/", { host: "a.b.apps.test" })).status).toBe(503);
    expect((await httpsGet(ports.https, "/", "bar.apps.test")).body.split(" ")[0]).toBe("X1");
  });

  it("routes by X-Marathon-App-Id and on each service's own port", async () => {
    expect((await httpGet(ports.appId, "/x", { "x-marathon-app-id": "/api" })).body).toContain("A1 /x");
    expect((await httpGet(ports.tcp, "/direct", { host: "anything" })).body).toBe("T1 /direct anything\n");
  });

  if (haproxyMap) it("routes plain vhosts through the installed map file", async () => {
    const cfg = cluster.lastDesired!.haproxy.groups.external!.config;
    expect(cfg).toContain("map(external/domain2backend.map)");
    expect(cfg).not.toContain("host_web_test_web");
  });

  it("changes nothing when the same state is applied again", async () => {
    const report = await cluster.apply();
    expect(report.appliers[0]).toEqual({ name: "haproxy", status: "unchanged" });
    expect(applier.counters).toMatchObject({ starts: 1, reloads: 0, rejectedConfigs: 0 });
  });
});
