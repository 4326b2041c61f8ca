/**
 * LB group placement with real HAProxy on two nodes (network namespaces): the public agent runs
 * `external` and the private one `internal`, as marathon-lb's two instances did, and each node's
 * HAProxy serves only its own group's frontends. Then `internal` is placed on the public agent
 * as well, on the same ports: the control plane reports the clash and the node keeps serving
 * what it ran (`external`'s last good config) and starts neither's new config; with its own
 * ports `internal` starts there too. On the delta path, a change of the node's placement key
 * alone stops one group and starts the other.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reconcile } from "../../functions/reconcile.ts";
import { nodeView } from "../../functions/node-view.ts";
import { ObjectKeys } from "../../lib/desired/object-keys.ts";
import type { DesiredState } from "../../lib/desired/schema.ts";
import type { KeyChanges, ViewReader } from "../../lib/executor/keyed-applier.ts";
import { applyDesired } from "../../lib/executor/apply-desired.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../lib/executor/haproxy/applier.ts";
import { stopMaster } from "../../lib/executor/haproxy/haproxy-process.ts";
import { haproxyLayout } from "../../lib/executor/haproxy/layout.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab, waitForLine } from "./support/netns.ts";
import { selfSignedCert } from "./support/haproxy-harness.ts";

/** Backends on 127.0.0.1 of a node, answering `<node>:<port>` on each port given. */
const BACKENDS = `
const http = require("node:http");
const [node, ...ports] = process.argv.slice(1);
let up = 0;
for (const port of ports) http.createServer((req, res) => res.end(node + ":" + port)).listen(Number(port), "127.0.0.1", () => ++up === ports.length && process.stdout.write("ready\\n"));
`;

/** A node's view as the applier reads it on the delta path (the agent's path from a control plane). */
const viewOf = (node: string, desired: DesiredState): ViewReader => ({ node, generation: 1, hash: "", dnsHash: "", value: () => undefined, valuesUnder: () => [], desired: () => nodeView(desired, node) });

/** One GET inside a namespace: `<status> <body>`, or `refused`. */
const GET = `
const req = require("node:http").get({ host: "127.0.0.1", port: Number(process.argv[1]), headers: { host: process.argv[2] }, agent: false }, (res) => {
  let body = ""; res.on("data", (c) => (body += c)); res.on("end", () => process.stdout.write(res.statusCode + " " + body));
});
req.on("error", (e) => process.stdout.write(e.code === "ECONNREFUSED" ? "refused" : "error " + e.message));
req.setTimeout(5000, () => req.destroy(new Error("timeout")));
`;

const WEB_BACKEND = 31001;
const DB_BACKEND = 31002;
const WEB_PORT = 10000;
const DB_PORT = 10001;
const SHARED = { httpPort: 8080, httpsPort: 8443, appIdPort: 9091, statsPort: 9090 };

describeWithTools(["haproxy", "openssl", "ip"], { root: true })("HAProxy groups placed on two nodes", () => {
  const lab = new NetnsLab();
  let dir: string;
  let edge: string;
  let inner: string;
  let edgeApplier: HaproxyApplier;
  let innerApplier: HaproxyApplier;
  let haproxy: Record<string, unknown>;
  const warnings: string[] = [];

  const get = (ns: string, port: number, host = "x.test") => inNs(ns, [process.execPath, "-e", GET, String(port), host]);

  const desiredOf = (extra: Record<string, unknown>): DesiredState =>
    reconcile(
      ClusterSnapshot.parse({
        cluster: { name: "e2e" },
        now: "2026-01-01T00:00:00Z",
        agents: [
          { id: "S1", hostname: "inner", ips: ["127.0.0.1"], public: false },
          { id: "S3", hostname: "edge", ips: ["127.0.0.1"], public: true },
        ],
        marathonApps: [
          { id: "/web", labels: { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: "web.test" }, portDefinitions: [{ port: WEB_PORT }], tasks: [{ id: "web.1", host: "edge", ports: [WEB_BACKEND], state: "TASK_RUNNING" }] },
          { id: "/db", labels: { HAPROXY_GROUP: "internal" }, portDefinitions: [{ port: DB_PORT }], tasks: [{ id: "db.1", host: "inner", ports: [DB_BACKEND], state: "TASK_RUNNING" }] },
        ],
        config: { haproxy: { ...haproxy, ...extra } },
      }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wf-l7-placement-"));
    haproxy = { groups: ["external", "internal"], ...SHARED, sslCerts: [selfSignedCert(dir)], runtimeDir: join(dir, "sock"), healthCheck: false, maxconn: 2000 };
    edge = lab.add("edge");
    inner = lab.add("inner");
    for (const [ns, name] of [[edge, "edge"], [inner, "inner"]] as const) {
      await waitForLine(lab.spawn(ns, [process.execPath, "-e", BACKENDS, name, String(WEB_BACKEND), String(DB_BACKEND)]), /^ready$/);
    }
    edgeApplier = createHaproxyApplier({ dir: join(dir, "edge"), netns: edge, timeoutMs: 20_000, log: { info: () => undefined, warn: (message) => warnings.push(message) } });
    innerApplier = createHaproxyApplier({ dir: join(dir, "inner"), netns: inner, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    try {
      for (const [node, group] of [["edge", "external"], ["edge", "internal"], ["inner", "external"], ["inner", "internal"]] as const) {
        await stopMaster({ binary: "haproxy", timeoutMs: 10_000 }, haproxyLayout(join(dir, node)).group(group), "SIGTERM").catch(() => undefined);
      }
    } finally {
      lab.teardown();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs external on the public agent and internal on the private one, each serving only its own", async () => {
    const desired = desiredOf({});
    expect(desired.haproxy.nodes).toEqual({ S1: { groups: ["internal"] }, S3: { groups: ["external"] } });
    expect((await applyDesired(nodeView(desired, "S3"), [edgeApplier])).ok).toBe(true);
    expect((await applyDesired(nodeView(desired, "S1"), [innerApplier])).ok).toBe(true);

    expect(get(edge, WEB_PORT)).toBe(`200 edge:${WEB_BACKEND}`);
    expect(get(edge, SHARED.httpPort, "web.test")).toBe(`200 edge:${WEB_BACKEND}`);
    expect(get(edge, DB_PORT)).toBe("refused");

    expect(get(inner, DB_PORT)).toBe(`200 inner:${DB_BACKEND}`);
    expect(get(inner, WEB_PORT)).toBe("refused");
    // internal's own :8080 vhost frontend knows no web.test.
    expect(get(inner, SHARED.httpPort, "web.test")).toMatch(/^503 /);
  });

  it("keeps the public agent's external running and starts no clashing group when internal is placed there on the same ports", async () => {
    const desired = desiredOf({ placement: { internal: {} } });
    expect(desired.haproxy.nodes?.S3).toEqual({ groups: ["external", "internal"] });
    expect(desired.diagnostics.filter((d) => d.code === "haproxy.group-clash")).toEqual([
      expect.objectContaining({ level: "error", subject: "agent:S3", message: expect.stringContaining("groups external and internal are both placed on agent S3 and both listen on port 8080") }),
    ]);
    expect(await edgeApplier.syncAll(viewOf("S3", desired))).toMatchObject({ status: "unchanged" });
    expect(warnings).toEqual([expect.stringMatching(/^groups external and internal both bind port 8080 on this node/)]);
    expect(get(edge, WEB_PORT)).toBe(`200 edge:${WEB_BACKEND}`);
    expect(get(edge, DB_PORT)).toBe("refused");
    // The private agent is not touched by the clash on S3.
    expect((await applyDesired(nodeView(desired, "S1"), [innerApplier])).ok).toBe(true);
    expect(get(inner, DB_PORT)).toBe(`200 inner:${DB_BACKEND}`);
  });

  it("starts internal beside external once it has its own ports", async () => {
    const desired = desiredOf({ placement: { internal: {} }, groupPorts: { internal: { httpPort: 8081, httpsPort: 8444, appIdPort: 9191, statsPort: 9190 } } });
    expect(desired.diagnostics.filter((d) => d.code === "haproxy.group-clash")).toEqual([]);
    expect((await applyDesired(nodeView(desired, "S3"), [edgeApplier])).ok).toBe(true);
    expect(get(edge, DB_PORT)).toBe(`200 edge:${DB_BACKEND}`);
    expect(get(edge, WEB_PORT)).toBe(`200 edge:${WEB_BACKEND}`);
    expect(get(edge, SHARED.httpPort, "web.test")).toBe(`200 edge:${WEB_BACKEND}`);
  });

  it("on the delta path, moves the groups when the node's placement key changes", async () => {
    const placementChange = (desired: DesiredState): KeyChanges => ({
      upserts: new Map([[ObjectKeys.nodeHaproxy("S1"), { hash: "h", json: "{}", value: desired.haproxy.nodes?.S1 }]]),
      deletes: new Set(),
      complete: false,
    });
    const before = desiredOf({});
    expect(await innerApplier.syncAll(viewOf("S1", before))).toMatchObject({ status: expect.stringMatching(/^(applied|unchanged)$/) });
    // S1 becomes an edge node: external only.
    const after = desiredOf({ placement: { external: {}, internal: [] } });
    expect(after.haproxy.nodes?.S1).toEqual({ groups: ["external"] });
    expect(await innerApplier.applyChanges(placementChange(after), viewOf("S1", after))).toMatchObject({ status: "applied", plan: { adds: ["external"], deletes: ["internal"] } });
    expect(get(inner, WEB_PORT)).toBe(`200 inner:${WEB_BACKEND}`);
    expect(get(inner, DB_PORT)).toBe("refused");
  });
});
