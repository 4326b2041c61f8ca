/**
 * @module
 * One query in, at most one reply out, whatever the bytes (the transport-independent core of
 * the UDP and TCP servers). Policy is applied before dispatch, the same on every transport
 * (the lesson of GHSA-9gm5-9rfh-m6vx, anchors §7):
 * - unparsable: FORMERR when the header can be read, nothing when it cannot or it is a response;
 * - opcode other than QUERY: NOTIMP; EDNS version above 0: BADVERS (RFC 6891);
 * - class other than IN (or ANY): REFUSED, these zones exist only in IN;
 * - zone transfers: REFUSED; other meta types (MAILA, MAILB, TKEY, TSIG): NOTIMP; OPT as a
 *   question: FORMERR (RFC 8906 §3.1);
 * - local names are answered to every client (every node and container of the cluster
 *   resolves cluster names, and not all of them are in any list); names that would be
 *   forwarded are REFUSED unless the client is in the allowed networks, so the server is never
 *   an open resolver (BCP 140);
 * - outside the allowed networks a UDP reply is held to 512 bytes whatever EDNS offers, so a
 *   spoofed query cannot turn a large RRset into a 4 KB reflection at its victim; a genuine
 *   client gets TC and retries over TCP, which needs a handshake spoofing cannot complete.
 */
import { performance } from "node:perf_hooks";
import type { Forwarder, ForwardOutcome, Transport } from "./forward/forwarder.ts";
import type { DnsMetrics } from "./metrics.ts";
import type { ServingState } from "./serving-state.ts";
import { CLASS, CLASSIC_UDP_SIZE, FLAG, HEADER_SIZE, MAX_MESSAGE, RCODE, RCODE_BADVERS, TYPE } from "./wire/constants.ts";
import { parseQuery, type Query } from "./wire/query.ts";
import { answerReply, errorReply, type ReplyOptions } from "./wire/response.ts";

export interface HandlerOptions {
  /** The largest UDP reply we send, whatever the client offers, and what our OPT advertises. */
  maxUdpSize: number;
  /** Told about a bug that escaped while handling a query (the query is dropped, the server lives on). */
  onError?: (error: unknown) => void;
}

export interface Client {
  address: string;
  transport: Transport;
}

export class QueryHandler {
  /**
   * @param state Returns the state to answer from; read once per query, so a swap never splits one.
   * @example new QueryHandler(() => current, forwarder, metrics, { maxUdpSize: 4096 })
   */
  constructor(
    private readonly state: () => ServingState,
    private readonly forwarder: Forwarder,
    private readonly metrics: DnsMetrics,
    private readonly options: HandlerOptions,
  ) {}

  /**
   * Answers `msg`; `reply` is called once, now for local answers, later for forwarded ones.
   * Returns false when the message gets no reply at all (too short to answer, or a response).
   * Never throws: one packet must not take the server down, whatever it holds.
   */
  handle(msg: Buffer, client: Client, reply: (out: Buffer) => void): boolean {
    try {
      return this.#handle(msg, client, reply);
    } catch (error) {
      this.metrics.dropped("internal-error");
      this.options.onError?.(error);
      return false;
    }
  }

  #handle(msg: Buffer, client: Client, reply: (out: Buffer) => void): boolean {
    const started = performance.now();
    const query = parseQuery(msg);
    if (query === undefined) {
      this.metrics.dropped(msg.length < HEADER_SIZE ? "short" : "response");
      return false;
    }
    const state = this.state();
    const options = this.#replyOptions(state);
    const refusal = query.error ?? policyRcode(query);
    if (refusal !== undefined) {
      reply(errorReply(msg, query, refusal, options));
      this.metrics.answered(query.qtype, refusal, "local", (performance.now() - started) / 1000);
      return true;
    }

    const limit =
      client.transport === "tcp"
        ? MAX_MESSAGE
        : query.edns === undefined || !state.access.allows(client.address)
          ? CLASSIC_UDP_SIZE
          : Math.min(query.edns.udpSize, this.options.maxUdpSize);
    const found = state.lookup(query.key, query.qtype);
    if ("ring" in found) {
      reply(answerReply(msg, query, found, limit, options));
      this.metrics.answered(query.qtype, found.rcode, "local", (performance.now() - started) / 1000);
      return true;
    }
    if (found.kind === "refused" || !state.access.allows(client.address)) {
      reply(errorReply(msg, query, RCODE.REFUSED, { ...options, recursionAvailable: false }));
      this.metrics.answered(query.qtype, RCODE.REFUSED, "local", (performance.now() - started) / 1000);
      return true;
    }
    this.forwarder.forward(msg, query.questionEnd, found.upstreams, state.forwarding.timeoutMs, client.transport, (outcome: ForwardOutcome) => {
      const out =
        outcome.reply === undefined
          ? errorReply(msg, query, RCODE.SERVFAIL, options)
          : outcome.reply.length > limit
            ? truncatedRelay(outcome.reply, query)
            : outcome.reply;
      if (outcome.reply === undefined) this.metrics.dropped(outcome.reason === "overloaded" ? "forward-overloaded" : "forward-failed");
      reply(out);
      this.metrics.answered(query.qtype, out[3]! & 0x0f, "forward", (performance.now() - started) / 1000);
    });
    return true;
  }

  #options: { state: ServingState; reply: ReplyOptions } | undefined;

  /** The reply options of a state, made once per state rather than once per query. */
  #replyOptions(state: ServingState): ReplyOptions {
    if (this.#options?.state !== state) {
      this.#options = { state, reply: { udpSize: this.options.maxUdpSize, recursionAvailable: state.recursionAvailable } };
    }
    return this.#options.reply;
  }
}

/** The rcode a query gets before any lookup, if its class or type rules it out. */
function policyRcode(query: Query): number | undefined {
  if (query.edns !== undefined && query.edns.version > 0) return RCODE_BADVERS;
  if (query.qclass !== CLASS.IN && query.qclass !== CLASS.ANY) return RCODE.REFUSED;
  switch (query.qtype) {
    case TYPE.OPT:
      return RCODE.FORMERR;
    case TYPE.AXFR:
    case TYPE.IXFR:
      return RCODE.REFUSED;
    case TYPE.MAILA:
    case TYPE.MAILB:
    case TYPE.TKEY:
    case TYPE.TSIG:
      return RCODE.NOTIMP;
    default:
      return undefined;
  }
}

/**
 * An upstream reply too big for the client's UDP limit (the upstream may have used a larger
 * EDNS size than the client offered us): its header and question with TC set, so the client
 * retries over TCP.
 */
function truncatedRelay(upstream: Buffer, query: Query): Buffer {
  const out = Buffer.alloc(query.questionEnd);
  upstream.copy(out, 0, 0, query.questionEnd);
  out.writeUInt16BE(upstream.readUInt16BE(2) | FLAG.TC, 2);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}
