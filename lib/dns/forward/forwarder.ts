/**
 * @module
 * Dual dispatch (specs/dns.md §3.5, improved): each forwarded query goes to the two best
 * upstreams at once (`upstream-ranking.ts`) and the first usable reply wins. Usable means
 * anything but SERVFAIL or REFUSED: such a reply is kept as a fallback while the other
 * upstream may still answer properly (dcos-dns relayed whichever came first). Replies that
 * arrive after the client was answered still feed the ranking, so a recovered or faster
 * upstream is noticed. The reply is relayed as the upstream sent it, with the client's ID.
 *
 * The query path is kept short because it is most of a forwarded answer's latency: no socket
 * is opened or closed on it (`upstream-sockets.ts`), no timer is armed per query (one interval
 * sweeps the deadlines, `deadlines.ts`), the client is answered before any bookkeeping, and
 * there are no promises.
 */
import type { DnsUpstream } from "../../desired/schema.ts";
import { formatUpstream } from "../../net/upstream-address.ts";
import { RCODE } from "../wire/constants.ts";
import { DeadlineList, type Timed } from "./deadlines.ts";
import { exchangeTcp, matchesQuestion, type ExchangeFailure, type TcpExchange, type TcpResult } from "./exchange.ts";
import { RandomIds } from "./random-ids.ts";
import { UpstreamSockets, type PendingOnPort, type PortFailure, type UpstreamPort } from "./upstream-sockets.ts";
import { chooseUpstreams, DEFAULT_RANKING, newHealth, recordFailure, recordProbe, recordSuccess, type RankingPolicy, type UpstreamHealth } from "./upstream-ranking.ts";

/** What the forwarder reports, for metrics. */
export interface ForwardObserver {
  /** An upstream replied (`rcode`) after `rttMs`. */
  replied(upstream: string, rcode: number, rttMs: number): void;
  failed(upstream: string, reason: ExchangeFailure): void;
}

export interface ForwarderOptions {
  /** Exchanges waiting for an upstream at most; beyond it queries are turned away. Default 4096. */
  maxExchanges?: number;
  observer?: ForwardObserver;
  policy?: RankingPolicy;
  now?: () => number;
  random?: () => number;
}

export type Transport = "udp" | "tcp";

/** Why a query got no upstream reply. */
export type ForwardOutcome = { reply: Buffer } | { reply: undefined; reason: "failed" | "overloaded" };

/** How often deadlines are checked and sockets renewed: a timeout fires up to this late. */
const SWEEP_MS = 10;

/** One upstream (`ip:port`): its ranking and its sockets. */
class Upstream {
  health: UpstreamHealth = newHealth();
  sockets: UpstreamSockets<Exchange> | undefined;

  constructor(
    readonly name: string,
    readonly address: DnsUpstream,
  ) {}
}

/** A client's query while it is forwarded. */
class Forwarded {
  outstanding = 0;
  answered = false;
  fallback: Buffer | undefined;

  constructor(
    /** The query as sent upstream, with our ID. */
    readonly message: Buffer,
    readonly questionEnd: number,
    readonly clientId: number,
    readonly done: (outcome: ForwardOutcome) => void,
  ) {}
}

/** The query sent to one upstream. */
class Exchange implements PendingOnPort, Timed<Exchange> {
  port: UpstreamPort | undefined;
  tcp: TcpExchange | undefined;
  prev: Exchange | undefined;
  next: Exchange | undefined;
  list: DeadlineList<Exchange> | undefined;
  readonly message: Buffer;
  readonly questionEnd: number;

  constructor(
    readonly query: Forwarded,
    readonly upstream: Upstream,
    readonly id: number,
    readonly sentAt: number,
    readonly deadline: number,
  ) {
    this.message = query.message;
    this.questionEnd = query.questionEnd;
  }
}

export class Forwarder {
  readonly #upstreams = new Map<string, Upstream>();
  /** The upstreams of each list the serving state hands in, resolved once per list. */
  readonly #lists = new WeakMap<readonly DnsUpstream[], Upstream[]>();
  /** Pending exchanges, one list per timeout. */
  readonly #deadlines = new Map<number, DeadlineList<Exchange>>();
  #pending = 0;
  #sweeper: NodeJS.Timeout | undefined;
  readonly #options: Required<Omit<ForwarderOptions, "observer">> & { observer: ForwardObserver | undefined };
  readonly #ids = new RandomIds();
  readonly #events = {
    received: (exchange: Exchange, reply: Buffer) => {
      if (!matchesQuestion(exchange.message, exchange.questionEnd, reply)) return;
      exchange.upstream.sockets!.forget(exchange);
      this.#replied(exchange, reply);
    },
    failed: (exchange: Exchange, reason: PortFailure) => this.#failed(exchange, reason),
  };

  /**
   * @example new Forwarder({}).forward(msg, query.questionEnd, upstreams, 2000, "udp", (outcome) => ...)
   */
  constructor(options: ForwarderOptions) {
    this.#options = {
      maxExchanges: 4096,
      policy: DEFAULT_RANKING,
      now: () => performance.now(),
      random: Math.random,
      observer: undefined,
      ...options,
    };
  }

  /**
   * Sends `message` (a client's query) upstream, giving each upstream `timeoutMs`; `done` runs
   * once with the reply or the reason there is none.
   */
  forward(
    message: Buffer,
    questionEnd: number,
    upstreams: readonly DnsUpstream[],
    timeoutMs: number,
    transport: Transport,
    done: (outcome: ForwardOutcome) => void,
  ): void {
    const { now, random, policy } = this.#options;
    const at = now();
    const candidates = this.#upstreamsOf(upstreams);
    const healths: UpstreamHealth[] = [];
    for (const candidate of candidates) healths.push(candidate.health);
    const choice = chooseUpstreams(healths, at, random, policy);
    const picked: Upstream[] = [];
    // The same server listed twice is asked once.
    for (const pick of choice.picks) if (!picked.includes(candidates[pick]!)) picked.push(candidates[pick]!);
    if (this.#pending + picked.length > this.#options.maxExchanges) {
      done({ reply: undefined, reason: "overloaded" });
      return;
    }
    if (choice.probe !== undefined) {
      const probed = candidates[choice.probe]!;
      probed.health = recordProbe(probed.health, at);
    }

    let ports: UpstreamPort[] | undefined;
    if (transport === "udp") {
      ports = [];
      for (const upstream of picked) ports.push((upstream.sockets ??= new UpstreamSockets(upstream.address, this.#events, this.#ids, now)).pick());
    }
    const id = this.#freeId(ports);
    const sent = Buffer.from(message);
    sent[0] = id >> 8;
    sent[1] = id & 0xff;
    const query = new Forwarded(sent, questionEnd, (message[0]! << 8) | message[1]!, done);
    const list = this.#listFor(timeoutMs);
    for (let i = 0; i < picked.length; i++) {
      const upstream = picked[i]!;
      const exchange = new Exchange(query, upstream, id, at, at + timeoutMs);
      query.outstanding++;
      this.#pending++;
      list.append(exchange);
      if (ports !== undefined) upstream.sockets!.send(ports[i]!, exchange);
      else exchange.tcp = exchangeTcp(upstream.address, sent, questionEnd, (result) => this.#tcpSettled(exchange, result));
    }
    this.#sweeper ??= setInterval(this.#sweep, SWEEP_MS).unref();
  }

  /** The ranking state per upstream (`ip:port`). */
  health(): ReadonlyMap<string, UpstreamHealth> {
    return new Map([...this.#upstreams].map(([name, upstream]) => [name, upstream.health]));
  }

  /** Ends every pending exchange without reporting (their queries get no reply) and closes the sockets. */
  close(): void {
    for (const list of this.#deadlines.values()) {
      for (let exchange = list.head; exchange !== undefined; exchange = exchange.next) this.#abandon(exchange);
    }
    this.#deadlines.clear();
    this.#pending = 0;
    for (const upstream of this.#upstreams.values()) upstream.sockets?.close();
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  #upstreamsOf(list: readonly DnsUpstream[]): Upstream[] {
    let resolved = this.#lists.get(list);
    if (resolved === undefined) {
      resolved = list.map((address) => {
        const name = formatUpstream(address);
        let upstream = this.#upstreams.get(name);
        if (upstream === undefined) this.#upstreams.set(name, (upstream = new Upstream(name, address)));
        return upstream;
      });
      this.#lists.set(list, resolved);
    }
    return resolved;
  }

  /** A random ID no query pending on any of `ports` has (a reply is told apart by it). */
  #freeId(ports: readonly UpstreamPort[] | undefined): number {
    next: for (;;) {
      const id = this.#ids.next();
      for (const port of ports ?? []) if (port.pending.has(id)) continue next;
      return id;
    }
  }

  #listFor(timeoutMs: number): DeadlineList<Exchange> {
    let list = this.#deadlines.get(timeoutMs);
    if (list === undefined) this.#deadlines.set(timeoutMs, (list = new DeadlineList()));
    return list;
  }

  #replied(exchange: Exchange, reply: Buffer): void {
    this.#settle(exchange);
    const query = exchange.query;
    const rcode = reply[3]! & 0x0f;
    if (!query.answered) {
      reply[0] = query.clientId >> 8;
      reply[1] = query.clientId & 0xff;
      if (rcode !== RCODE.SERVFAIL && rcode !== RCODE.REFUSED) {
        query.answered = true;
        query.done({ reply });
      } else {
        query.fallback ??= reply;
        this.#answerIfLast(query);
      }
    }
    // Bookkeeping after the client has its answer.
    const at = this.#options.now();
    const rttMs = at - exchange.sentAt;
    const upstream = exchange.upstream;
    upstream.health = recordSuccess(upstream.health, rttMs, at, this.#options.policy);
    this.#options.observer?.replied(upstream.name, rcode, rttMs);
  }

  #failed(exchange: Exchange, reason: ExchangeFailure): void {
    this.#settle(exchange);
    this.#answerIfLast(exchange.query);
    const upstream = exchange.upstream;
    upstream.health = recordFailure(upstream.health, this.#options.now(), this.#options.policy);
    this.#options.observer?.failed(upstream.name, reason);
  }

  #tcpSettled(exchange: Exchange, result: TcpResult): void {
    exchange.tcp = undefined;
    if (result.ok) this.#replied(exchange, result.reply);
    else this.#failed(exchange, result.reason);
  }

  #settle(exchange: Exchange): void {
    exchange.list?.remove(exchange);
    exchange.query.outstanding--;
    this.#pending--;
  }

  /** When every exchange of `query` has ended without a usable reply: the fallback, or nothing. */
  #answerIfLast(query: Forwarded): void {
    if (query.answered || query.outstanding > 0) return;
    query.answered = true;
    query.done(query.fallback === undefined ? { reply: undefined, reason: "failed" } : { reply: query.fallback });
  }

  /** Stops waiting for `exchange`'s reply, without settling it. */
  #abandon(exchange: Exchange): void {
    exchange.upstream.sockets?.forget(exchange);
    exchange.tcp?.cancel();
    exchange.tcp = undefined;
  }

  readonly #sweep = () => {
    const at = this.#options.now();
    for (const [timeoutMs, list] of this.#deadlines) {
      for (let expired = list.takeExpired(at); expired !== undefined; expired = list.takeExpired(at)) {
        this.#abandon(expired);
        this.#failed(expired, "timeout");
      }
      if (list.head === undefined) this.#deadlines.delete(timeoutMs);
    }
    let open = false;
    for (const upstream of this.#upstreams.values()) if (upstream.sockets?.maintain() === true) open = true;
    if (this.#pending === 0 && !open) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  };
}
