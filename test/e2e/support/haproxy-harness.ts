/**
 * @module
 * What the HAProxy e2e tests share: a pool of tiny backends in a child process, HTTP(S)
 * requests with a chosen Host header or SNI name, a self-signed certificate made with openssl,
 * HAProxy listener settings on free loopback ports, a cluster of Marathon apps on loopback
 * that reconciles into the applier, and the group most tests start from (`startWebGroup`).
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reconcile } from "../../../functions/reconcile.ts";
import { applyDesired, type ApplyReport } from "../../../lib/executor/apply-desired.ts";
import { createHaproxyApplier, type HaproxyApplier } from "../../../lib/executor/haproxy/applier.ts";
import { stopMaster, type GroupPaths } from "../../../lib/executor/haproxy/haproxy-process.ts";
import { haproxyLayout } from "../../../lib/executor/haproxy/layout.ts";
import type { DesiredState } from "../../../lib/desired/schema.ts";
import { ClusterSnapshot } from "../../../lib/snapshot/schema.ts";
import type { HaproxyInput } from "../../functions/haproxy/helpers.ts";
import { freePort } from "../server-process.ts";

/** Backends in a child process, started and stopped by port. */
export class BackendPool {
  private readonly child: ChildProcess;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(new URL("./backend-pool-process.ts", import.meta.url).pathname, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (m: { id: number; ok: boolean; error?: string }) => {
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.ok) w?.resolve();
      else w?.reject(new Error(m.error));
    });
  }

  private send(command: Record<string, unknown>): Promise<void> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, ...command });
    });
  }

  start(name: string, port: number): Promise<void> {
    return this.send({ op: "start", name, port });
  }

  /** A TCP server that accepts connections and never answers (a long-lived client). */
  hold(port: number): Promise<void> {
    return this.send({ op: "hold", port });
  }

  stop(port: number): Promise<void> {
    return this.send({ op: "stop", port });
  }

  close(): void {
    this.child.kill("SIGTERM");
  }
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** GET over plain HTTP to 127.0.0.1:port with the given Host (and other) headers. */
export function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.end();
  });
}

/** GET over TLS to 127.0.0.1:port, sending `servername` as SNI and Host (the test certificate is self-signed). */
export function httpsGet(port: number, path: string, servername: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port, path, servername, headers: { host: servername }, rejectUnauthorized: false, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A self-signed certificate and key in one PEM, as HAProxy's `crt` takes it. */
export function selfSignedCert(dir: string): string {
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=wayfinder-test"], { stdio: "ignore" });
  const pem = join(dir, "haproxy.pem");
  writeFileSync(pem, readFileSync(cert, "utf8") + readFileSync(key, "utf8"));
  return pem;
}

/** The listeners of a test HAProxy: free ports on 127.0.0.1, a self-signed certificate and the sockets under `dir`. */
export async function loopbackHaproxy(dir: string) {
  return {
    bindAddress: "127.0.0.1",
    httpPort: await freePort(),
    httpsPort: await freePort(),
    appIdPort: await freePort(),
    statsBindAddress: "127.0.0.1",
    statsPort: await freePort(),
    sslCerts: [selfSignedCert(dir)],
    runtimeDir: join(dir, "sock"),
    healthCheck: false,
    maxconn: 2000,
  } satisfies HaproxyInput;
}

/** A task of the test cluster: served by a pool backend on 127.0.0.1:port. */
export interface TestTask {
  id: string;
  port: number;
}

export interface TestApp {
  id: string;
  servicePort: number;
  labels: Record<string, string>;
  tasks: TestTask[];
  healthChecks?: unknown[];
}

/** A cluster of apps on loopback whose desired state is applied with `previous` carried over, as the agent does. */
export class TestCluster {
  apps = new Map<string, TestApp>();
  private previous: Record<string, unknown> = {};
  lastDesired: DesiredState | undefined;

  constructor(
    /** The `haproxy` section of the snapshots; a test may change it between applies. */
    public config: HaproxyInput,
    private readonly applier: HaproxyApplier,
  ) {}

  set(app: TestApp): void {
    this.apps.set(app.id, app);
  }

  delete(id: string): void {
    this.apps.delete(id);
  }

  snapshot(): ClusterSnapshot {
    return ClusterSnapshot.parse({
      cluster: { name: "e2e" },
      now: "2026-01-01T00:00:00Z",
      marathonApps: [...this.apps.values()].map((app) => ({
        id: app.id,
        labels: { HAPROXY_GROUP: "external", ...app.labels },
        portDefinitions: [{ port: app.servicePort }],
        ...(app.healthChecks === undefined ? {} : { healthChecks: app.healthChecks }),
        tasks: app.tasks.map((t) => ({ id: t.id, host: "127.0.0.1", ports: [t.port], state: "TASK_RUNNING" })),
      })),
      config: { haproxy: this.config },
      previous: this.previous,
    });
  }

  /** Reconciles and applies; the new allocations become `previous` only if the apply succeeded. */
  async apply(): Promise<ApplyReport> {
    const desired = reconcile(this.snapshot());
    const report = await applyDesired(desired, [this.applier]);
    if (report.ok) {
      this.previous = { haproxy: desired.haproxy.allocations };
      this.lastDesired = desired;
    }
    return report;
  }
}

/** A group on loopback as most HAProxy e2e tests begin, applied once. */
export interface WebGroup {
  readonly dir: string;
  readonly pool: BackendPool;
  readonly applier: HaproxyApplier;
  readonly cluster: TestCluster;
  readonly listeners: Awaited<ReturnType<typeof loopbackHaproxy>>;
  /** The service port of `/hold` (with `hold`): a tcp frontend to a backend that accepts and never answers. */
  readonly holdPort: number;
  readonly paths: GroupPaths;
  /** Stops its HAProxy and its backends and removes its directory. */
  close(): Promise<void>;
}

/**
 * `/web` (backend W1, vhost `web.test`) and, with `hold`, `/hold`, applied to group
 * `external` of an applier under a new temporary directory named `prefix`.
 * @example const group = await startWebGroup("wf-l7-reload-", { hold: true, config: { maxReloads: 2 } });
 */
export async function startWebGroup(prefix: string, options: { config?: HaproxyInput; hold?: boolean } = {}): Promise<WebGroup> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const pool = new BackendPool();
  const listeners = await loopbackHaproxy(dir);
  const applier = createHaproxyApplier({ dir: join(dir, "state"), timeoutMs: 20_000 });
  const cluster = new TestCluster({ ...listeners, ...options.config }, applier);
  const webPort = await freePort();
  await pool.start("W1", webPort);
  cluster.set({ id: "/web", servicePort: await freePort(), labels: { HAPROXY_0_VHOST: "web.test" }, tasks: [{ id: "web.1", port: webPort }] });
  let holdPort = 0;
  if (options.hold === true) {
    const neverAnswers = await freePort();
    await pool.hold(neverAnswers);
    holdPort = await freePort();
    cluster.set({ id: "/hold", servicePort: holdPort, labels: {}, tasks: [{ id: "hold.1", port: neverAnswers }] });
  }
  const report = await cluster.apply();
  if (!report.ok) throw new Error(`the test group did not start: ${JSON.stringify(report)}`);
  const paths = haproxyLayout(join(dir, "state")).group("external");
  const close = () => tearDownExternal(dir, pool);
  return { dir, pool, applier, cluster, listeners, holdPort, paths, close };
}

/**
 * Stops the `external` group's HAProxy a test started under `<dir>/state`, then its backends,
 * and removes `dir`, whatever failed first (an afterAll).
 * @example afterAll(() => tearDownExternal(dir, pool));
 */
export async function tearDownExternal(dir: string, pool: BackendPool | undefined): Promise<void> {
  try {
    await stopMaster({ binary: "haproxy", timeoutMs: 10_000 }, haproxyLayout(join(dir, "state")).group("external"), "SIGTERM");
  } finally {
    pool?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
