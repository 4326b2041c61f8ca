/**
 * @module
 * Dual dispatch (specs/dns.md §3.5, improved): each forwarded query goes to the two best
 * upstreams at once (`upstream-ranking.ts`) and the first usable reply wins. Usable means
 * anything but SERVFAIL or REFUSED: such a reply is kept as a fallback while the other
 * upstream may still answer properly (dcos-dns relayed whichever came first). Replies that
 * arrive after the client was answered still feed the ranking, so a recovered or faster
 * upstream is noticed. The reply is relayed as the upstream sent it, with the client's ID.
 */
import type { DnsUpstream } from "../../desired/schema.ts";
import { formatUpstream } from "../../net/upstream-address.ts";
import { RCODE } from "../wire/constants.ts";
import { exchangeTcp, exchangeUdp, type Exchange, type ExchangeFailure, type ExchangeResult } from "./exchange.ts";
import { RandomIds } from "./random-ids.ts";
import { chooseUpstreams, DEFAULT_RANKING, newHealth, recordFailure, recordSuccess, type RankingPolicy, type UpstreamHealth } from "./upstream-ranking.ts";

/** What the forwarder reports, for metrics. */
export interface ForwardObserver {
  /** An upstream replied (`rcode`) after `rttMs`. */
  replied(upstream: string, rcode: number, rttMs: number): void;
  failed(upstream: string, reason: ExchangeFailure): void;
}

export interface ForwarderOptions {
  /** Open exchanges (sockets) at most; beyond it queries are turned away. Default 4096. */
  maxExchanges?: number;
  observer?: ForwardObserver;
  policy?: RankingPolicy;
  now?: () => number;
  random?: () => number;
}

export type Transport = "udp" | "tcp";

/** Why a query got no upstream reply. */
export type ForwardOutcome = { reply: Buffer } | { reply: undefined; reason: "failed" | "overloaded" };

export class Forwarder {
  readonly #health = new Map<string, UpstreamHealth>();
  readonly #open = new Set<Exchange>();
  readonly #options: Required<Omit<ForwarderOptions, "observer">> & { observer: ForwardObserver | undefined };
  readonly #ids = new RandomIds();

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
    const { now, random, policy, observer } = this.#options;
    const at = now();
    const names = upstreams.map(formatUpstream);
    const choice = chooseUpstreams(names.map((name) => this.#health.get(name) ?? newHealth()), at, random, policy);
    if (this.#open.size + choice.picks.length > this.#options.maxExchanges) {
      done({ reply: undefined, reason: "overloaded" });
      return;
    }
    if (choice.probe !== undefined) this.#update(names[choice.probe]!, (h) => ({ ...h, probedAt: at }));

    const clientId = message.readUInt16BE(0);
    let pending = choice.picks.length;
    let answered = false;
    let fallback: Buffer | undefined;
    const settle = () => {
      if (answered || pending > 0) return;
      answered = true;
      done(fallback === undefined ? { reply: undefined, reason: "failed" } : { reply: fallback });
    };

    for (const pick of choice.picks) {
      const name = names[pick]!;
      let exchange: Exchange | undefined;
      const settled = (result: ExchangeResult) => {
        if (exchange !== undefined) this.#open.delete(exchange);
        pending--;
        const finishedAt = now();
        if (!result.ok) {
          this.#update(name, (h) => recordFailure(h, finishedAt, policy));
          observer?.failed(name, result.reason);
          settle();
          return;
        }
        const rcode = result.reply[3]! & 0x0f;
        this.#update(name, (h) => recordSuccess(h, result.rttMs, finishedAt, policy));
        observer?.replied(name, rcode, result.rttMs);
        if (answered) return;
        result.reply.writeUInt16BE(clientId, 0);
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) {
          fallback ??= result.reply;
          settle();
          return;
        }
        answered = true;
        done({ reply: result.reply });
      };
      const request = { upstream: upstreams[pick]!, message: RandomIds.stamped(message, this.#ids.next()), questionEnd, timeoutMs };
      exchange = (transport === "tcp" ? exchangeTcp : exchangeUdp)(request, settled);
      this.#open.add(exchange);
    }
  }

  /** The ranking state per upstream (`ip:port`). */
  health(): ReadonlyMap<string, UpstreamHealth> {
    return this.#health;
  }

  /** Cancels every open exchange; their queries get no reply. */
  close(): void {
    for (const exchange of this.#open) exchange.cancel();
    this.#open.clear();
  }

  #update(name: string, change: (health: UpstreamHealth) => UpstreamHealth): void {
    this.#health.set(name, change(this.#health.get(name) ?? newHealth()));
  }
}
