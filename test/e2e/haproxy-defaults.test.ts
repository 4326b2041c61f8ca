/**
 * HAProxy as shipped, on a node as it comes: the agent's HAProxy applier applies a cluster with
 * wayfinder's DEFAULT HAProxy settings (`maxconn: auto`, `sslCerts: [/etc/ssl/cert.pem]`, which
 * this machine does not have, ports 80/443/9090/9091) under this machine's untuned open-file
 * limit (a hard 20,000; nothing here lowers it). It runs in a network namespace of its own so
 * its ports cannot clash with anything; only the stats socket directory is moved to the test's
 * temporary directory, so parallel runs do not share it. Then: a configured certificate that
 * is missing and a `maxconn` the limit cannot hold are refused with the file or the numbers,
 * and the running HAProxy keeps its last good config.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithTools } from "../support/tools.ts";
import { inNs, NetnsLab } from "./support/netns.ts";
import { reconcile } from "../../functions/reconcile.ts";
import { applyDesired, type ApplyReport } from "../../lib/executor/apply-desired.ts";
import type { Applier } from "../../lib/executor/applier.ts";
import { createAppliers } from "../../lib/executor/registry.ts";
import { masterCommand } from "../../lib/executor/haproxy/master-cli.ts";
import { procTable, stopMaster } from "../../lib/executor/haproxy/haproxy-process.ts";
import { haproxyLayout } from "../../lib/executor/haproxy/layout.ts";
import { parseOpenFileLimit } from "../../lib/executor/haproxy/node-facts.ts";
import { configuredMaxconn } from "../../lib/executor/haproxy/node-fit.ts";
import { renderArtifacts } from "../../lib/render/artifacts.ts";
import { ClusterSnapshot } from "../../lib/snapshot/schema.ts";
import { DEFAULT_SSL_CERT } from "../../lib/snapshot/haproxy-config.ts";

describeWithTools(["haproxy", "ip", "nsenter", "curl", "openssl"], { root: true })("HAProxy with the default settings under the node's own open-file limit", () => {
  const lab = new NetnsLab();
  let ns = "";
  let dir = "";
  let applier: Applier;
  const logged: string[] = [];
  const paths = () => haproxyLayout(join(dir, "state", "haproxy")).group("external");
  const selfSigned = () => haproxyLayout(join(dir, "state", "haproxy")).selfSignedCertificate;

  /** The demo-like cluster: one app on a vhost; the haproxy section holds only `extra`. */
  function snapshot(extra: Record<string, unknown> = {}): ClusterSnapshot {
    return ClusterSnapshot.parse({
      cluster: { name: "defaults" },
      now: "2026-01-01T00:00:00Z",
      agents: [{ id: "S1", hostname: "agent1", ips: ["127.0.0.1"] }],
      marathonApps: [{ id: "/web", labels: { HAPROXY_GROUP: "external", HAPROXY_0_VHOST: "web.test" }, portDefinitions: [{ port: 10000 }], tasks: [{ id: "web.1", host: "agent1", ports: [31000], state: "TASK_RUNNING" }] }],
      config: { haproxy: { runtimeDir: join(dir, "sock"), ...extra } },
    });
  }

  const apply = (extra: Record<string, unknown> = {}): Promise<ApplyReport> => applyDesired(reconcile(snapshot(extra)), [applier]);

  beforeAll(async () => {
    ns = lab.add("lb");
    dir = await mkdtemp(join(tmpdir(), "wf-l7-defaults-"));
    const log = { info: (message: string) => logged.push(message), warn: (message: string) => logged.push(message) };
    applier = createAppliers({ stateDir: join(dir, "state"), renderFiles: renderArtifacts, netns: ns, log }, ["haproxy"])[0]!;
  });

  afterAll(async () => {
    try {
      await stopMaster({ binary: "haproxy", timeoutMs: 10_000 }, paths(), "SIGTERM");
    } finally {
      lab.teardown();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs under an untuned limit of 20,000 open files, without /etc/ssl/cert.pem", async () => {
    expect(parseOpenFileLimit(await readFile("/proc/self/limits", "utf8"))).toBe(20_000);
    expect(existsSync(DEFAULT_SSL_CERT)).toBe(false);
  });

  it("starts HAProxy with the default settings", async () => {
    const report = await apply();
    expect(report.appliers).toEqual([expect.objectContaining({ name: "haproxy", status: "applied" })]);
    const installed = await readFile(paths().config, "utf8");
    expect(configuredMaxconn(installed)).toBeUndefined();
    expect(installed).toContain(`  bind *:443 ssl crt ${selfSigned()}\n`);
  });

  it("lets HAProxy derive maxconn from the limit, and says so in the log", async () => {
    const info = await masterCommand(paths().masterSocket, "@1 show info");
    const maxconn = Number(/^Maxconn: (\d+)$/m.exec(info)![1]);
    expect(Number(/^Ulimit-n: (\d+)$/m.exec(info)![1])).toBe(20_000);
    expect(maxconn).toBeGreaterThan(9_000);
    expect(maxconn).toBeLessThanOrEqual(10_000);
    expect(logged).toContain(`haproxy: group external started with maxconn ${maxconn}, derived by HAProxy from the open-file limit 20000 (haproxy.maxconn: auto)`);
  });

  it("serves :443 with the self-signed certificate it made in its own state directory, writing nothing under /etc/ssl", async () => {
    expect(logged.some((l) => l.startsWith("haproxy: created a self-signed certificate for :443, because the default /etc/ssl/cert.pem is not on this node"))).toBe(true);
    const handshake = inNs(ns, ["openssl", "s_client", "-connect", "127.0.0.1:443", "-servername", "web.test"], "");
    expect(handshake).toMatch(/subject=CN ?= ?wayfinder/);
    expect(existsSync(DEFAULT_SSL_CERT)).toBe(false);
    expect(inNs(ns, ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9090/_haproxy_health_check"])).toBe("200");
  });

  it("refuses a configured certificate that is missing, naming it, and keeps the running config", async () => {
    const before = await readFile(paths().config, "utf8");
    const workers = (await procTable(paths()))!.workers.map((w) => w.pid);
    const report = await apply({ sslCerts: ["/etc/ssl/wayfinder-missing.pem"] });
    expect(report.appliers[0]).toMatchObject({
      status: "failed",
      error: "group external: certificate /etc/ssl/wayfinder-missing.pem (named in frontend marathon_https_in) does not exist on this node; the running HAProxy keeps its current config",
    });
    expect(await readFile(paths().config, "utf8")).toBe(before);
    expect((await procTable(paths()))!.workers.map((w) => w.pid)).toEqual(workers);
  });

  it("refuses a maxconn the node's limit cannot hold, with the numbers, and keeps the running config", async () => {
    const before = await readFile(paths().config, "utf8");
    const report = await apply({ maxconn: 50_000 });
    expect(report.appliers[0]).toMatchObject({
      status: "failed",
      error: expect.stringContaining("group external: maxconn 50000 needs more than 100000 open files, and this node allows 20000 (the agent's LimitNOFILE)"),
    });
    expect(await readFile(paths().config, "utf8")).toBe(before);
    expect((await apply()).appliers[0]).toMatchObject({ status: "unchanged" });
  });
});
