/**
 * @module
 * `wayfinder dns (--snapshot F | --desired F) --listen IP:PORT [--listen ...]
 *   [--upstream IP[:PORT]]... [--allow CIDR]... [--timeout-ms N] [--max-udp-size N]
 *   [--http IP:PORT] [--workers N]`
 *
 * The on-node DNS server. It answers the zones of the desired state (`--desired`: a
 * DesiredState or the DNS applier's `dns/zones.json`; `--snapshot`: a ClusterSnapshot,
 * reconciled here) and forwards the rest. The file is followed: a new version is swapped in
 * whole, one that fails validation is logged and the last good zones keep serving. The flags
 * `--upstream`, `--allow` and `--timeout-ms` replace the desired state's forwarding settings.
 * `WAYFINDER_TOKEN` puts the HTTP endpoints (but `/healthz`) behind a bearer token. Runs until
 * SIGINT or SIGTERM.
 */
import { resolve } from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import dgram from "node:dgram";
import { networkText } from "../../net/networks.ts";
import { parseIp } from "../../net/ip-literal.ts";
import { formatHostPort, parseUpstream } from "../../net/upstream-address.ts";
import { listenNode, parseListenAddress, type NodeServer } from "../../http/node-server.ts";
import { startDnsCluster, type DnsCluster, type WorkerConfig } from "../../dns/cluster.ts";
import { createDnsHttpApp } from "../../dns/http/app.ts";
import { renderPrometheus } from "../../dns/metrics.ts";
import { DnsServer, type ListenAddress } from "../../dns/server.ts";
import { parseFlags } from "../args.ts";
import { CliUsageError, type CliIo } from "../io.ts";
import { nextSignal } from "../signals.ts";

const FLAGS = {
  snapshot: { type: "string" },
  desired: { type: "string" },
  listen: { type: "string", multiple: true },
  upstream: { type: "string", multiple: true },
  allow: { type: "string", multiple: true },
  "timeout-ms": { type: "string" },
  "max-udp-size": { type: "string" },
  http: { type: "string" },
  workers: { type: "string", default: "1" },
} as const;

const VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as { version: string }).version;

/**
 * @example await run(["--desired", "zones.json", "--listen", "127.0.0.1:5353"], processIo) // 0 after SIGTERM
 */
export async function run(args: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseFlags("dns", args, FLAGS);
  if (positionals.length > 0) throw new CliUsageError(`wayfinder dns: unexpected argument '${positionals[0]}'`);
  if ((values.snapshot === undefined) === (values.desired === undefined)) throw new CliUsageError("wayfinder dns: give exactly one of --snapshot F or --desired F");
  const path = resolve(io.cwd, (values.snapshot ?? values.desired)!);
  const listen = (values.listen ?? []).map((text) => usage(() => toListen(parseListenAddress(text))));
  if (listen.length === 0) throw new CliUsageError("wayfinder dns: --listen IP:PORT is required");
  const upstreams = values.upstream?.map((text) => parseUpstream(text) ?? usageError(`--upstream '${text}' is not IP or IP:PORT`));
  const allowed = values.allow?.map((text) => networkText(text) ?? usageError(`--allow '${text}' is not a CIDR block or an IP`));
  const timeoutMs = optionalInt(values["timeout-ms"], "--timeout-ms", 50, 30_000);
  const maxUdpSize = optionalInt(values["max-udp-size"], "--max-udp-size", 512, 65_535) ?? 4096;
  const workers = optionalInt(values.workers, "--workers", 1, 64)!;
  const http = values.http === undefined ? undefined : usage(() => parseListenAddress(values.http!));
  const token = env["WAYFINDER_TOKEN"] === "" ? undefined : env["WAYFINDER_TOKEN"];
  const log = (line: string) => io.stderr(`${line}\n`);

  const overrides = { upstreams, allowedNetworks: allowed, timeoutMs };
  let server: DnsServer;
  let addresses: readonly ListenAddress[];
  let workerPool: DnsCluster | undefined;
  try {
    if (workers === 1) {
      server = await DnsServer.start({ listen, source: { path }, overrides, maxUdpSize, log });
      addresses = server.addresses;
    } else {
      // The primary follows the zones for the HTTP endpoints; the workers own the sockets,
      // which they can only share if they all bind the same concrete port.
      server = await DnsServer.start({ listen: [], source: { path }, overrides, maxUdpSize, log });
      try {
        addresses = await Promise.all(listen.map(async (a) => ({ host: a.host, port: a.port === 0 ? await freeDnsPort(a.host) : a.port })));
        const config: WorkerConfig = { listen: addresses, source: { path }, overrides, maxUdpSize };
        workerPool = await startDnsCluster(config, workers, log);
      } catch (error) {
        await server.close();
        throw error;
      }
    }
  } catch (error) {
    io.stderr(`wayfinder dns: ${(error as Error).message}\n`);
    return 1;
  }
  for (const address of addresses) log(`wayfinder dns: listening on udp+tcp ${formatListen(address)}${workers > 1 ? ` (${workers} workers)` : ""}`);

  let httpServer: NodeServer | undefined;
  if (http !== undefined) {
    const app = createDnsHttpApp({
      state: () => server.state,
      metrics: async () => renderPrometheus(workerPool === undefined ? [server.metrics.snapshot()] : await workerPool.metrics()),
      config: () => ({ listen: addresses.map(formatListen), workers, source: path, maxUdpSize, forwarding: server.state.forwarding }),
      version: VERSION,
      token,
      log,
    });
    try {
      httpServer = await listenNode(app, http);
    } catch (error) {
      io.stderr(`wayfinder dns: cannot listen on ${values.http}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
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

/** A DNS listener binds an address, not a name: resolving one would need DNS. */
function toListen(address: { hostname: string; port: number }): ListenAddress {
  const ip = parseIp(address.hostname);
  if (ip === undefined) throw new Error(`--listen needs an IP address, not '${address.hostname}'`);
  return { host: ip.address, port: address.port };
}

function formatListen(address: ListenAddress): string {
  return formatHostPort(address.host, address.port);
}

function optionalInt(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) usageError(`${flag} must be a whole number from ${min} to ${max} (got '${text}')`);
  return value;
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    return usageError((error as Error).message);
  }
}

function usageError(message: string): never {
  throw new CliUsageError(`wayfinder dns: ${message}`);
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
