/**
 * @module
 * One DNS server process: UDP and TCP listeners on each address, answering from the current
 * serving state. A zone file is replaced whole when it changes; the agent's zones store
 * (`zone-store.ts`) is followed batch by batch, each applied in place. Used as is by
 * `wayfinder dns` with one worker, by each worker of the cluster mode, and by tests.
 */
import { Forwarder } from "./forward/forwarder.ts";
import { QueryHandler } from "./handler.ts";
import { DnsMetrics } from "./metrics.ts";
import type { ListenAddress } from "../net/listen-address.ts";
import { ServingState, type ForwardingOverrides, type ZoneSet } from "./serving-state.ts";
import { DEFAULT_TCP_LIMITS, listenTcp, type TcpLimits, type TcpListener } from "./tcp-server.ts";
import { listenUdp, type UdpListener } from "./udp-server.ts";
import { fileIdentity, watchZoneFile, type ZoneWatcher } from "./zone-watcher.ts";
import { readZoneSet } from "./zone-set-reader.ts";
import { ZoneStore } from "./zone-store.ts";

export interface DnsServerOptions {
  /** Addresses to serve; UDP and TCP on the same port. Port 0 picks one (the same for both). */
  listen: readonly ListenAddress[];
  /**
   * Where the zones come from: a file that is then followed, the DNS applier's zones store (a
   * directory) followed batch by batch, or a fixed zone set.
   */
  source: { path: string; checkIntervalMs?: number } | { store: string; checkIntervalMs?: number } | { zones: ZoneSet };
  overrides?: ForwardingOverrides;
  /** The largest UDP reply, whatever the client offers (EDNS). Default 4096: on a node the clients are local, so fragmentation is not the risk DNS flag day 2020 guards against. */
  maxUdpSize?: number;
  tcp?: Partial<TcpLimits>;
  log?: (line: string) => void;
  /** The clock for `loadedAt` (ms since the epoch). */
  now?: () => number;
}

export class DnsServer {
  #state: ServingState;
  #watcher: ZoneWatcher | ZoneStore | undefined;
  #listeners: Array<UdpListener | TcpListener> = [];
  readonly metrics = new DnsMetrics();
  readonly forwarder: Forwarder;
  readonly handler: QueryHandler;
  /** The bound addresses, with the real ports. */
  readonly addresses: ListenAddress[] = [];

  private constructor(
    private readonly options: DnsServerOptions,
    initial: ServingState,
  ) {
    this.#state = initial;
    this.forwarder = new Forwarder({
      observer: { replied: (u, rcode, ms) => this.metrics.forwardReplied(u, rcode, ms), failed: (u, reason) => this.metrics.upstreamFailed(u, reason) },
    });
    this.handler = new QueryHandler(() => this.#state, this.forwarder, this.metrics, {
      maxUdpSize: options.maxUdpSize ?? 4096,
      onError: (error) => options.log?.(`wayfinder dns: bug while answering a query (dropped): ${(error as Error).stack ?? String(error)}`),
    });
  }

  /**
   * Loads the zones (a file that does not load is an error here: there is nothing older to
   * serve), binds every address, and starts following the file.
   * @example const server = await DnsServer.start({ listen: [{ host: "127.0.0.1", port: 0 }], source: { path: "zones.json" } });
   */
  static async start(options: DnsServerOptions): Promise<DnsServer> {
    if ("store" in options.source) return DnsServer.#startOnStore(options, options.source);
    const now = options.now ?? Date.now;
    const identity = "path" in options.source ? await fileIdentity(options.source.path) : undefined;
    const zones = "path" in options.source ? await readZoneSet(options.source.path) : options.source.zones;
    const built = ServingState.build(zones, options.overrides ?? {}, now());
    const server = new DnsServer(options, built.state);
    server.#report(built.state, built.problems);
    try {
      for (const address of options.listen) await server.#bind(address);
    } catch (error) {
      await server.close();
      throw error;
    }
    if ("path" in options.source) {
      const source = options.source;
      server.#watcher = watchZoneFile(
        { path: source.path, checkIntervalMs: source.checkIntervalMs, onLoad: (z) => server.swap(z), onError: (e) => server.#rejected(e) },
        identity,
      );
    }
    return server;
  }

  /**
   * Serves the zones store: what it holds now (nothing yet is not an error: the built-in zones
   * answer and forwarding works until the agent writes it), then each batch as it is committed.
   */
  static async #startOnStore(options: DnsServerOptions, source: { store: string; checkIntervalMs?: number }): Promise<DnsServer> {
    let server: DnsServer | undefined;
    const { store, problems } = await ZoneStore.open({
      dir: source.store,
      overrides: options.overrides ?? {},
      ...(source.checkIntervalMs === undefined ? {} : { checkIntervalMs: source.checkIntervalMs }),
      ...(options.now === undefined ? {} : { now: options.now }),
      // Calls during the first load come before the server exists: it reports that load itself.
      onState: (state, found) => {
        if (server !== undefined) server.#install(state, found);
      },
      onBatch: (state) => {
        if (server !== undefined) server.#report(state, [], false);
      },
      onProblem: (problem) => {
        if (server !== undefined) server.#rejected(new Error(problem));
      },
    });
    server = new DnsServer(options, store.state);
    server.#watcher = store;
    server.#report(store.state, [...problems, ...(store.version === undefined ? [`no zones in ${source.store} yet: serving the built-in zones until the agent writes them`] : [])]);
    try {
      for (const address of options.listen) await server.#bind(address);
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  /** The state being served. */
  get state(): ServingState {
    return this.#state;
  }

  /** Replaces the whole zone set (and forwarding settings) at once. */
  swap(zones: ZoneSet): void {
    const { state, problems } = ServingState.build(zones, this.options.overrides ?? {}, (this.options.now ?? Date.now)());
    this.#install(state, problems);
  }

  #install(state: ServingState, problems: readonly string[]): void {
    this.#state = state;
    this.#report(state, problems);
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    this.forwarder.close();
    await Promise.all(this.#listeners.map((l) => l.close()));
    this.#listeners = [];
  }

  async #bind(address: ListenAddress): Promise<void> {
    // With port 0 the UDP socket picks the port and TCP takes the same one; another process
    // may hold it for TCP, so a few ports are tried.
    for (let attempt = 0; ; attempt++) {
      const udp = await listenUdp(address, this.handler);
      try {
        const tcp = await listenTcp({ host: address.host, port: udp.port }, this.handler, { ...DEFAULT_TCP_LIMITS, ...this.options.tcp });
        this.#listeners.push(udp, tcp);
        this.addresses.push({ host: address.host, port: udp.port });
        return;
      } catch (error) {
        await udp.close();
        if (address.port !== 0 || attempt >= 10) throw error;
      }
    }
  }

  #report(state: ServingState, problems: readonly string[], loudly = true): void {
    const log = this.options.log;
    const zones = state.index.zoneCount;
    this.metrics.zoneLoaded({ version: state.version, records: state.index.recordCount, zones, loadedAt: state.loadedAt });
    for (const problem of problems) log?.(`wayfinder dns: ${problem}`);
    if (loudly) log?.(`wayfinder dns: serving ${zones} zones, ${state.index.recordCount} records (version ${state.version.slice(0, 12)})`);
  }

  #rejected(error: Error): void {
    this.metrics.zoneRejected();
    this.options.log?.(`wayfinder dns: zone source rejected, still serving version ${this.#state.version.slice(0, 12)}: ${error.message}`);
  }
}
