/**
 * @module
 * The entry point of a `wayfinder dns --workers N` worker process: one `DnsServer` on the
 * shared sockets, configured from the environment, answering the primary's metrics requests.
 */
import { WORKER_CONFIG_ENV, type PrimaryMessage, type WorkerConfig, type WorkerMessage } from "./cluster.ts";
import { DnsServer } from "./server.ts";

const send = (message: WorkerMessage) => process.send?.(message);
const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "null") as WorkerConfig;

try {
  const server = await DnsServer.start({ ...config, log: (line) => process.stderr.write(`${line} [worker ${process.pid}]\n`) });
  process.on("message", (message: PrimaryMessage) => {
    if (message.type === "metrics") send({ type: "metrics", id: message.id, snapshot: server.metrics.snapshot() });
  });
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("disconnect", stop);
  send({ type: "ready", addresses: server.addresses });
} catch (error) {
  send({ type: "failed", error: (error as Error).message });
  process.exit(1);
}
