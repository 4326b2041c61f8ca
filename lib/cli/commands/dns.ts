/**
 * @module
 * `wayfinder dns (--zones DIR | --snapshot F | --desired F) --listen IP:PORT [--listen ...]
 *   [--upstream IP[:PORT]]... [--allow CIDR]... [--timeout-ms N] [--max-udp-size N]
 *   [--http IP:PORT] [--workers N]`
 *
 * The on-node DNS server. It answers the zones the agent's DNS applier hands over (`--zones`:
 * its directory, where a snapshot and a journal of changes are followed batch by batch), or
 * those of a file (`--desired`: a DesiredState or a `zones.json`; `--snapshot`: a
 * ClusterSnapshot, reconciled here) and forwards the rest. A file is followed and swapped in
 * whole. Either way input that fails validation is logged and the last good zones keep serving.
 * The flags `--upstream`, `--allow` and `--timeout-ms` replace the desired state's forwarding settings.
 * `WAYFINDER_TOKEN` puts the HTTP endpoints (but `/healthz`) behind a bearer token. Runs until
 * SIGINT or SIGTERM.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import dgram from "node:dgram";
import { formatListenAddress, type ListenAddress } from "../../net/listen-address.ts";
import { InputError } from "../../snapshot/issues.ts";
import { listenNode, type NodeServer } from "../../http/node-server.ts";
import { startDnsCluster, type DnsCluster, type WorkerConfig } from "../../dns/cluster.ts";
import { createDnsHttpApp } from "../../dns/http/app.ts";
import { renderPrometheus } from "../../dns/metrics.ts";
import { DnsServer } from "../../dns/server.ts";
import { usageError } from "../flags.ts";
import type { CliIo } from "../io.ts";
import { nextSignal } from "../signals.ts";
import { parseDnsOptions, type DnsOptions } from "./dns-options.ts";

const VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as { version: string }).version;

/**
 * @example await run(["--desired", "zones.json", "--listen", "127.0.0.1:5353"], processIo()) // 0 after SIGTERM
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const options = parseDnsOptions(args, io.cwd);
  const { listen, overrides, maxUdpSize, workers, http } = options;
  const path = options.source.path;
  const source = options.source.flag === "--zones" ? { store: path } : { path };
  const token = env["WAYFINDER_TOKEN"] === "" ? undefined : env["WAYFINDER_TOKEN"];
  const log = (line: string) => io.stderr(`${line}\n`);

  let server: DnsServer;
  let addresses: readonly ListenAddress[];
  let workerPool: DnsCluster | undefined;
  try {
    if (workers === 1) {
      server = await DnsServer.start({ listen, source, overrides, maxUdpSize, log });
      addresses = server.addresses;
    } else {
      // The primary follows the zones for the HTTP endpoints; the workers own the sockets,
      // which they can only share if they all bind the same concrete port.
      server = await DnsServer.start({ listen: [], source, overrides, maxUdpSize, log });
      try {
        addresses = await Promise.all(listen.map(async (a) => ({ host: a.host, port: a.port === 0 ? await freeDnsPort(a.host) : a.port })));
        const config: WorkerConfig = { listen: addresses, source, overrides, maxUdpSize };
        workerPool = await startDnsCluster(config, workers, log);
      } catch (error) {
        await server.close();
        throw error;
      }
    }
  } catch (error) {
    if (isSourceError(error, options)) throw sourceUsageError(error, options);
    io.stderr(`wayfinder dns: ${(error as Error).message}\n`);
    return 1;
  }
  for (const address of addresses) log(`wayfinder dns: listening on udp+tcp ${formatListenAddress(address)}${workers > 1 ? ` (${workers} workers)` : ""}`);

  let httpServer: NodeServer | undefined;
  if (http !== undefined) {
    const app = createDnsHttpApp({
      state: () => server.state,
      metrics: async () => renderPrometheus(workerPool === undefined ? [server.metrics.snapshot()] : await workerPool.metrics()),
      config: () => ({ listen: addresses.map(formatListenAddress), workers, source: path, maxUdpSize, forwarding: server.state.forwarding }),
      version: VERSION,
      token,
      log,
    });
    try {
      httpServer = await listenNode(app, http);
    } catch (error) {
      io.stderr(`wayfinder dns: cannot listen on ${formatListenAddress(http)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      await workerPool?.close();
      await server.close();
      return 1;
    }
    log(`wayfinder dns: http on ${httpServer.url} (${token === undefined ? "no auth" : "bearer token required"})`);
  }

  const signal = await nextSignal(["SIGINT", "SIGTERM"]);
  log(`wayfinder dns: ${signal}, stopping`);
  await httpServer?.close();
  await workerPool?.close();
  await server.close();
  return 0;
}

/** The zone source is input: a file that cannot be read or fails validation is a usage error (exit 2), not a failure to serve. */
function isSourceError(error: unknown, options: DnsOptions): error is Error {
  return error instanceof InputError || (error as NodeJS.ErrnoException | undefined)?.path === options.source.path;
}

function sourceUsageError(error: Error, options: DnsOptions): Error {
  if (error instanceof InputError) return usageError("dns", `${options.source.flag} ${error.message}`);
  return usageError("dns", `${options.source.flag}: cannot read ${options.source.path}: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
}

/** A port free for both UDP and TCP on `host` (checked, then released for the workers to bind). */
async function freeDnsPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
    const port = await new Promise<number>((done, fail) => {
      udp.once("error", fail);
      udp.bind(0, host, () => done(udp.address().port));
    });
    const tcp = createServer();
    const free = await new Promise<boolean>((done) => {
      tcp.once("error", () => done(false));
      tcp.listen(port, host, () => done(true));
    });
    await new Promise<void>((done) => (free ? tcp.close(() => done()) : done()));
    await new Promise<void>((done) => udp.close(() => done()));
    if (free) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}
