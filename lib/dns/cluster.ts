/**
 * @module
 * `wayfinder dns --workers N`: N worker processes (`node:cluster`) serve the same UDP socket
 * handle and TCP listener. A Node process answers with one core; the lab notes measured that a
 * second worker is what reaches unbound's rate on two cores. The primary process binds no DNS
 * socket itself: it forks and restarts workers, follows the zone source for the HTTP
 * endpoints, and merges the workers' metrics on each scrape.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import type { MetricsSnapshot } from "./metrics.ts";
import type { ListenAddress } from "../net/listen-address.ts";
import type { DnsServerOptions } from "./server.ts";

/** What a worker is started with (crosses the process boundary as JSON). */
export type WorkerConfig = Pick<DnsServerOptions, "listen" | "overrides" | "maxUdpSize" | "tcp"> & { source: { path: string } | { store: string } };

export type WorkerMessage =
  | { type: "ready"; addresses: ListenAddress[] }
  | { type: "failed"; error: string }
  | { type: "metrics"; id: number; snapshot: MetricsSnapshot };

export type PrimaryMessage = { type: "metrics"; id: number };

/** The environment variable a worker finds its configuration in. */
export const WORKER_CONFIG_ENV = "WAYFINDER_DNS_WORKER";

const WORKER_ENTRY = fileURLToPath(new URL("./cluster-worker.ts", import.meta.url));

const RESTART_DELAY_MS = 1000;

/** How long a scrape waits for a worker's metrics before leaving it out. */
const METRICS_WAIT_MS = 1000;

export interface DnsCluster {
  /** Merged metrics of the workers that answered. */
  metrics(): Promise<MetricsSnapshot[]>;
  close(): Promise<void>;
}

/**
 * Forks `count` workers serving `config` and resolves once all are listening; rejects with
 * the first worker's error otherwise. The listen ports must be concrete (not 0): every
 * worker must bind the same port to share it.
 * @example const workers = await startDnsCluster(config, 2, log);
 */
export async function startDnsCluster(config: WorkerConfig, count: number, log: (line: string) => void): Promise<DnsCluster> {
  // tsx is resolved here, not by name in the worker, so workers start whatever the cwd is.
  cluster.setupPrimary({ exec: WORKER_ENTRY, execArgv: ["--import", import.meta.resolve("tsx")], silent: false });
  const workers = new Set<Worker>();
  let closing = false;
  let nextId = 0;
  const pending = new Map<number, { snapshots: MetricsSnapshot[]; expected: number; done: (s: MetricsSnapshot[]) => void }>();

  const fork = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(config) });
      workers.add(worker);
      worker.on("message", (message: WorkerMessage) => {
        if (message.type === "ready") resolve();
        else if (message.type === "failed") reject(new Error(message.error));
        else if (message.type === "metrics") {
          const request = pending.get(message.id);
          request?.snapshots.push(message.snapshot);
          if (request !== undefined && request.snapshots.length >= request.expected) request.done(request.snapshots);
        }
      });
      worker.on("exit", (code, signal) => {
        workers.delete(worker);
        reject(new Error(`worker exited (${signal ?? code}) before it was ready`));
        if (!closing) {
          // After a pause, so a worker that dies at once cannot spin the primary.
          log(`wayfinder dns: worker ${worker.process.pid} exited (${signal ?? code}); starting another in 1 s`);
          setTimeout(() => {
            if (!closing) fork().catch((error: Error) => log(`wayfinder dns: could not restart a worker: ${error.message}`));
          }, RESTART_DELAY_MS);
        }
      });
    });

  try {
    await Promise.all(Array.from({ length: count }, fork));
  } catch (error) {
    closing = true;
    for (const worker of workers) worker.kill();
    throw error;
  }

  return {
    metrics: () =>
      new Promise((resolve) => {
        const id = nextId++;
        const finish = (snapshots: MetricsSnapshot[]) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(snapshots);
        };
        const timer = setTimeout(() => finish(pending.get(id)?.snapshots ?? []), METRICS_WAIT_MS);
        pending.set(id, { snapshots: [], expected: workers.size, done: finish });
        for (const worker of workers) worker.send({ type: "metrics", id } satisfies PrimaryMessage);
      }),
    close: async () => {
      closing = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              worker.once("exit", () => resolve());
              worker.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}
