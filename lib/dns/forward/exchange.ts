/**
 * @module
 * One query to one upstream, over UDP or TCP, with a deadline. Forgery resilience follows
 * RFC 5452 (and the CoreDNS audit lessons, anchors §7): every exchange uses a fresh socket,
 * so the kernel picks a random source port per query, the caller sets a random ID, the UDP
 * socket is connected so the kernel drops datagrams from any other address, and a reply only
 * counts if its ID, QR bit and question (name compared case-insensitively, type, class) all
 * match. Anything else is ignored and the exchange keeps waiting. A connected socket also
 * surfaces ICMP port-unreachable as ECONNREFUSED, so a closed port fails at once instead of at
 * the deadline. (A pool of reused sockets was measured too: it saved no latency on loopback
 * and would give up most of the source-port randomness, so per-query sockets stay.)
 */
import dgram from "node:dgram";
import net from "node:net";
import { performance } from "node:perf_hooks";
import type { DnsUpstream } from "../../desired/schema.ts";
import { literalLookup } from "../literal-lookup.ts";
import { FLAG, HEADER_SIZE, MAX_MESSAGE } from "../wire/constants.ts";

export type ExchangeFailure = "timeout" | "refused" | "closed" | "error";

export type ExchangeResult = { ok: true; reply: Buffer; rttMs: number } | { ok: false; reason: ExchangeFailure };

export interface ExchangeRequest {
  upstream: DnsUpstream;
  /** The query as sent, with the ID chosen for this exchange. */
  message: Buffer;
  /** End of the question in `message`. */
  questionEnd: number;
  timeoutMs: number;
}

/** A started exchange; `cancel` ends it without reporting (the process is shutting down). */
export interface Exchange {
  cancel(): void;
}

/**
 * @example exchangeUdp({ upstream, message, questionEnd, timeoutMs: 2000 }, (result) => ...)
 */
export function exchangeUdp(request: ExchangeRequest, done: (result: ExchangeResult) => void): Exchange {
  const socket = dgram.createSocket({ type: request.upstream.ip.includes(":") ? "udp6" : "udp4", lookup: literalLookup });
  const started = performance.now();
  let finished = false;
  const finish = (result: ExchangeResult | undefined) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.close();
    if (result !== undefined) done(result);
  };
  const timer = setTimeout(() => finish({ ok: false, reason: "timeout" }), request.timeoutMs);
  socket.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code === "ECONNREFUSED" ? "refused" : "error" }));
  socket.on("message", (reply) => {
    if (matchesQuestion(request.message, request.questionEnd, reply)) finish({ ok: true, reply, rttMs: performance.now() - started });
  });
  // With a synchronous lookup the socket is bound and connected before connect() returns,
  // so the query leaves now rather than a few event-loop turns later.
  socket.connect(request.upstream.port, request.upstream.ip);
  socket.send(request.message);
  return { cancel: () => finish(undefined) };
}

/**
 * The same over TCP (RFC 7766: a 2-byte length before each message); used when the client
 * asked over TCP, as dcos-dns did.
 * @example exchangeTcp({ upstream, message, questionEnd, timeoutMs: 2000 }, (result) => ...)
 */
export function exchangeTcp(request: ExchangeRequest, done: (result: ExchangeResult) => void): Exchange {
  const started = performance.now();
  const socket = net.connect({ host: request.upstream.ip, port: request.upstream.port, noDelay: true });
  let finished = false;
  let received: Buffer = Buffer.alloc(0);
  const finish = (result: ExchangeResult | undefined) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    socket.destroy();
    if (result !== undefined) done(result);
  };
  const timer = setTimeout(() => finish({ ok: false, reason: "timeout" }), request.timeoutMs);
  socket.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, reason: error.code === "ECONNREFUSED" ? "refused" : "error" }));
  socket.on("close", () => finish({ ok: false, reason: "closed" }));
  socket.on("connect", () => {
    const frame = Buffer.allocUnsafe(2 + request.message.length);
    frame.writeUInt16BE(request.message.length, 0);
    request.message.copy(frame, 2);
    socket.write(frame);
  });
  socket.on("data", (chunk) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    while (received.length >= 2) {
      const length = received.readUInt16BE(0);
      if (received.length < 2 + length) return;
      const reply = received.subarray(2, 2 + length);
      received = received.subarray(2 + length);
      if (matchesQuestion(request.message, request.questionEnd, reply)) {
        finish({ ok: true, reply: Buffer.from(reply), rttMs: performance.now() - started });
        return;
      }
    }
  });
  return { cancel: () => finish(undefined) };
}

/**
 * True when `reply` answers `query`: same ID, QR set, one question equal to ours (the name
 * case-insensitively: some servers do not preserve case).
 * @example matchesQuestion(query, questionEnd, reply) // true
 */
export function matchesQuestion(query: Buffer, questionEnd: number, reply: Buffer): boolean {
  if (reply.length < questionEnd || reply.length > MAX_MESSAGE) return false;
  if (reply[0] !== query[0] || reply[1] !== query[1] || (reply.readUInt16BE(2) & FLAG.QR) === 0) return false;
  if (reply.readUInt16BE(4) !== 1) return false;
  for (let i = HEADER_SIZE; i < questionEnd; i++) {
    let a = query[i]!;
    let b = reply[i]!;
    if (a >= 65 && a <= 90) a += 32;
    if (b >= 65 && b <= 90) b += 32;
    if (a !== b) return false;
  }
  return true;
}
